// importer/fs_format.cpp
#include "importer/fs_format.hpp"

namespace neo::importer {
namespace {

std::uint64_t be(std::string_view bytes, std::size_t at, std::size_t size) {
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < size; ++i) value = value << 8 | std::uint8_t(bytes[at + i]);
  return value;
}

}  // namespace

void put_u64(std::string& out, std::uint64_t value) {
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(char(value >> shift));
}

void put_u16(std::string& out, std::uint16_t value) {
  out.push_back(char(value >> 8));
  out.push_back(char(value));
}

TxnHeader decode_txn_header(std::string_view bytes) {
  return TxnHeader{.tid = Tid{be(bytes, 0, 8)},
                   .tlen = be(bytes, 8, 8),
                   .status = bytes[16],
                   .ulen = std::uint16_t(be(bytes, 17, 2)),
                   .dlen = std::uint16_t(be(bytes, 19, 2)),
                   .elen = std::uint16_t(be(bytes, 21, 2))};
}

DataHeader decode_data_header(std::string_view bytes) {
  return DataHeader{.oid = Oid{be(bytes, 0, 8)},
                    .tid = Tid{be(bytes, 8, 8)},
                    .prev = be(bytes, 16, 8),
                    .tloc = be(bytes, 24, 8),
                    .vlen = std::uint16_t(be(bytes, 32, 2)),
                    .plen = be(bytes, 34, 8)};
}

std::string encode_txn_header(const TxnHeader& h) {
  std::string out;
  out.reserve(kTxnHeaderSize);
  put_u64(out, h.tid.value);
  put_u64(out, h.tlen);
  out.push_back(h.status);
  put_u16(out, h.ulen);
  put_u16(out, h.dlen);
  put_u16(out, h.elen);
  return out;
}

std::string encode_data_header(const DataHeader& h) {
  std::string out;
  out.reserve(kDataHeaderSize);
  put_u64(out, h.oid.value);
  put_u64(out, h.tid.value);
  put_u64(out, h.prev);
  put_u64(out, h.tloc);
  put_u16(out, h.vlen);
  put_u64(out, h.plen);
  return out;
}

}  // namespace neo::importer
