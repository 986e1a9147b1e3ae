// importer/fs_format.hpp
// The on-disk layout of a ZODB FileStorage (Data.fs), as ZODB's
// FileStorage/format.py describes it: a 4-byte magic ("FS30", or "FS21" from
// Python 2), then transaction records, each a 23-byte header, the user,
// description and extension bytes, the data records (a 42-byte header, then
// the data or an 8-byte backpointer when the data length is 0), and the
// transaction length again. Numbers are big-endian.
// Pure functions on bytes: no I/O, no logging.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/util/ids.hpp"

namespace neo::importer {

inline constexpr std::string_view kMagic30{"FS30"};
inline constexpr std::string_view kMagic21{"FS21"};
inline constexpr std::uint64_t kMagicSize = 4;
inline constexpr std::uint64_t kTxnHeaderSize = 23;
inline constexpr std::uint64_t kDataHeaderSize = 42;

// Transaction statuses.
inline constexpr char kStatusNormal = ' ';
inline constexpr char kStatusPacked = 'p';
inline constexpr char kStatusCheckpoint = 'c';  // being committed: not a transaction yet

struct TxnHeader {
  Tid tid;
  std::uint64_t tlen = 0;  // header + metadata + data records (not the trailing length)
  char status = kStatusNormal;
  std::uint16_t ulen = 0, dlen = 0, elen = 0;

  std::uint64_t header_len() const { return kTxnHeaderSize + ulen + dlen + elen; }
};

struct DataHeader {
  Oid oid;
  Tid tid;
  std::uint64_t prev = 0;  // offset of the oid's previous record; 0 if none
  std::uint64_t tloc = 0;  // offset of the transaction's header
  std::uint16_t vlen = 0;  // versions are gone: always 0
  std::uint64_t plen = 0;  // data length; 0: an 8-byte backpointer follows

  // The whole record: header, then data or backpointer.
  std::uint64_t record_len() const { return kDataHeaderSize + (plen ? plen : 8); }
};

// Precondition: bytes.size() >= kTxnHeaderSize / kDataHeaderSize.
TxnHeader decode_txn_header(std::string_view bytes);
DataHeader decode_data_header(std::string_view bytes);
std::string encode_txn_header(const TxnHeader& h);
std::string encode_data_header(const DataHeader& h);

// Big-endian 8 and 2-byte numbers at the end of `out`.
void put_u64(std::string& out, std::uint64_t value);
void put_u16(std::string& out, std::uint16_t value);

}  // namespace neo::importer
