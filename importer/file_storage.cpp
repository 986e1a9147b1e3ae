// importer/file_storage.cpp
#include "importer/file_storage.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace neo::importer {
namespace {

constexpr std::uint64_t kReadAhead = 256 * 1024;  // reading on from the buffer (scans)
constexpr std::uint64_t kReadSmall = 4096;        // elsewhere (loads, backpointers)

std::string offset_text(std::uint64_t pos) { return std::to_string(pos); }

}  // namespace

FileStorage::FileStorage(FileStorage&& other) noexcept { *this = std::move(other); }

FileStorage& FileStorage::operator=(FileStorage&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    path_ = std::move(other.path_);
    fd_ = std::exchange(other.fd_, -1);
    size_ = other.size_;
    error_ = std::move(other.error_);
    buffer_ = std::move(other.buffer_);
    buffer_pos_ = other.buffer_pos_;
  }
  return *this;
}

FileStorage::~FileStorage() {
  if (fd_ >= 0) ::close(fd_);
}

std::error_code FileStorage::corrupted(std::uint64_t pos, const std::string& what) {
  error_ = path_ + ": offset " + offset_text(pos) + ": " + what;
  return make_error_code(errc::corrupted_record);
}

std::error_code FileStorage::open(const std::string& path) {
  path_ = path;
  fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) {
    int e = errno;
    error_ = path + ": " + std::strerror(e);
    return {e, std::generic_category()};
  }
  if (std::error_code ec = refresh()) return ec;
  Result<std::string_view> magic = bytes(0, kMagicSize, "the magic");
  if (!magic) return magic.error();
  if (*magic != kMagic30 && *magic != kMagic21)
    return corrupted(0,
                     "not a FileStorage file (magic " + hex(*magic) + ", expected FS30 or FS21)");
  return {};
}

std::error_code FileStorage::refresh() {
  struct stat st;
  if (::fstat(fd_, &st) != 0) {
    int e = errno;
    error_ = path_ + ": " + std::strerror(e);
    return {e, std::generic_category()};
  }
  if (std::uint64_t(st.st_size) != size_) buffer_.clear();  // it may have been cut, then written
  size_ = std::uint64_t(st.st_size);
  return {};
}

Result<std::string_view> FileStorage::bytes(std::uint64_t pos, std::uint64_t n,
                                            std::string_view what) {
  if (pos > size_ || n > size_ - pos)
    return corrupted(pos, std::string(what) + " (" + std::to_string(n) +
                              " bytes) goes past the end " + "of the file (" +
                              std::to_string(size_) + " bytes): it is truncated");
  if (pos < buffer_pos_ || pos + n > buffer_pos_ + buffer_.size()) {
    bool onwards = pos >= buffer_pos_ && pos <= buffer_pos_ + buffer_.size() + kReadAhead;
    std::uint64_t want = std::min(std::max(n, onwards ? kReadAhead : kReadSmall), size_ - pos);
    buffer_.resize(want);
    std::uint64_t done = 0;
    while (done < want) {
      ssize_t got = ::pread(fd_, buffer_.data() + done, want - done, off_t(pos + done));
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) {
        buffer_.clear();
        int e = got < 0 ? errno : EIO;
        return corrupted(pos + done, std::string("cannot read: ") + std::strerror(e));
      }
      done += std::uint64_t(got);
    }
    buffer_pos_ = pos;
  }
  return std::string_view(buffer_).substr(pos - buffer_pos_, n);
}

Result<std::optional<FsTransaction>> FileStorage::read_transaction(std::uint64_t pos) {
  if (pos == size_) return std::optional<FsTransaction>{};
  Result<std::string_view> raw = bytes(pos, kTxnHeaderSize, "transaction header");
  if (!raw) return raw.error();
  FsTransaction txn{.pos = pos, .header = decode_txn_header(*raw)};
  const TxnHeader& h = txn.header;
  bool fits = h.tlen <= size_ - pos && size_ - pos - h.tlen >= 8;
  if (h.status == kStatusCheckpoint) {
    if (!fits || txn.next() == size_) return std::optional<FsTransaction>{};
    return corrupted(pos, "transaction " + to_string(h.tid) +
                              " has the checkpoint status 'c' but is not the last one");
  }
  if (h.status != kStatusNormal && h.status != kStatusPacked)
    return corrupted(pos, "transaction " + to_string(h.tid) + " has an invalid status " +
                              hex(std::string_view(&h.status, 1)));
  if (h.tlen < h.header_len())
    return corrupted(pos, "transaction length " + std::to_string(h.tlen) + " is shorter than its " +
                              "header (" + std::to_string(h.header_len()) + " bytes)");
  if (!fits)
    return corrupted(pos, "transaction " + to_string(h.tid) + " of " + std::to_string(h.tlen) +
                              " bytes goes past the end of the file (" + std::to_string(size_) +
                              " bytes): it is truncated");
  Result<std::string_view> meta =
      bytes(pos + kTxnHeaderSize, h.header_len() - kTxnHeaderSize, "transaction metadata");
  if (!meta) return meta.error();
  txn.user = meta->substr(0, h.ulen);
  txn.description = meta->substr(h.ulen, h.dlen);
  txn.extension = meta->substr(h.ulen + h.dlen, h.elen);
  Result<std::string_view> tail = bytes(txn.end(), 8, "redundant transaction length");
  if (!tail) return tail.error();
  if (u64(*tail) != h.tlen)
    return corrupted(txn.end(), "redundant transaction length " + std::to_string(u64(*tail)) +
                                    " differs from the header's " + std::to_string(h.tlen) +
                                    " (transaction at offset " + offset_text(pos) + ")");
  return std::optional<FsTransaction>(std::move(txn));
}

Result<DataHeader> FileStorage::read_data_header(std::uint64_t pos, std::optional<Oid> oid) {
  Result<std::string_view> raw = bytes(pos, kDataHeaderSize, "data record header");
  if (!raw) return raw.error();
  DataHeader h = decode_data_header(*raw);
  if (oid && h.oid != *oid)
    return corrupted(pos, "data record of oid " + to_string(h.oid) + " where oid " +
                              to_string(*oid) + " was expected");
  if (h.vlen != 0)
    return corrupted(pos, "data record with a version (no longer supported by ZODB)");
  return h;
}

Result<std::optional<std::string>> FileStorage::resolve(Oid oid, std::uint64_t back,
                                                        std::uint64_t from) {
  while (back != 0) {
    if (back < kMagicSize || back >= from)
      return corrupted(from, "backpointer " + std::to_string(back) + " out of range");
    Result<DataHeader> h = read_data_header(back, oid);
    if (!h) return h.error();
    if (h->plen != 0) {
      Result<std::string_view> data = bytes(back + kDataHeaderSize, h->plen, "data");
      if (!data) return data.error();
      return std::optional<std::string>(std::string(*data));
    }
    Result<std::string_view> next = bytes(back + kDataHeaderSize, 8, "backpointer");
    if (!next) return next.error();
    from = back;
    back = u64(*next);
  }
  return std::optional<std::string>{};
}

Result<FsRecord> FileStorage::read_record(std::uint64_t pos, std::optional<Oid> oid,
                                          bool with_data) {
  Result<DataHeader> h = read_data_header(pos, oid);
  if (!h) return h.error();
  FsRecord record{.pos = pos, .header = *h};
  if (h->prev >= pos)
    return corrupted(
        pos, "previous-record pointer " + std::to_string(h->prev) + " is not before the record");
  if (h->plen != 0) {
    if (!with_data) return record;
    Result<std::string_view> data = bytes(pos + kDataHeaderSize, h->plen, "data");
    if (!data) return data.error();
    record.data = std::string(*data);
    return record;
  }
  Result<std::string_view> back = bytes(pos + kDataHeaderSize, 8, "backpointer");
  if (!back) return back.error();
  record.back = u64(*back);
  if (record.back == 0) return record;
  if (record.back < kMagicSize || record.back >= pos)
    return corrupted(pos, "backpointer " + std::to_string(record.back) + " out of range");
  Result<DataHeader> target = read_data_header(record.back, h->oid);
  if (!target) return target.error();
  record.data_tid = target->tid;
  if (with_data) {
    Result<std::optional<std::string>> data = resolve(h->oid, record.back, pos);
    if (!data) return data.error();
    record.data = std::move(*data);
  }
  return record;
}

Result<std::vector<FsRecord>> FileStorage::read_records(const FsTransaction& txn, bool with_data) {
  std::vector<FsRecord> records;
  std::uint64_t pos = txn.data_pos();
  while (pos < txn.end()) {
    if (txn.end() - pos < kDataHeaderSize)
      return corrupted(pos, "data record header goes past its transaction's end");
    Result<DataHeader> h = read_data_header(pos);
    if (!h) return h.error();
    if (h->tloc != txn.pos)
      return corrupted(pos, "data record points to the transaction at " + std::to_string(h->tloc) +
                                ", not " + offset_text(txn.pos));
    if (h->tid != txn.tid())
      return corrupted(pos, "data record of tid " + to_string(h->tid) + " in transaction " +
                                to_string(txn.tid()));
    if (h->plen > txn.end() - pos - kDataHeaderSize || h->record_len() > txn.end() - pos)
      return corrupted(pos, "data record goes past its transaction's end");
    Result<FsRecord> record = read_record(pos, std::nullopt, with_data);
    if (!record) return record.error();
    records.push_back(std::move(*record));
    pos += h->record_len();
  }
  return records;
}

Result<std::optional<FsTransaction>> FsIterator::next() {
  Result<std::optional<FsTransaction>> txn = fs_.read_transaction(pos_);
  if (!txn || !*txn) return txn;
  const FsTransaction& t = **txn;
  if (last_tid_ && t.tid() <= *last_tid_)
    return fs_.corrupted(t.pos, "transaction id " + to_string(t.tid()) +
                                    " is not above the previous one, " + to_string(*last_tid_));
  last_tid_ = t.tid();
  pos_ = t.next();
  return txn;
}

std::error_code FsIterator::skip_to(Tid tid) {
  for (;;) {
    Result<std::optional<FsTransaction>> txn = fs_.read_transaction(pos_);
    if (!txn) return txn.error();
    if (!*txn || (*txn)->tid() >= tid) return {};
    last_tid_ = (*txn)->tid();
    pos_ = (*txn)->next();
  }
}

}  // namespace neo::importer
