// importer/fs_writer.cpp
#include "importer/fs_writer.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <limits>
#include <unordered_set>
#include <utility>

namespace neo::importer {

FsWriter::~FsWriter() {
  if (fd_ >= 0) ::close(fd_);
}

std::error_code FsWriter::fail(std::error_code ec, const std::string& what) {
  error_ = path_ + ": " + what;
  return ec;
}

std::error_code FsWriter::os_error(const std::string& what) {
  int e = errno;
  return fail({e, std::generic_category()}, what + ": " + std::strerror(e));
}

std::error_code FsWriter::create(const std::string& path) {
  path_ = path;
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd_ < 0) return os_error("cannot create");
  if (std::error_code ec = write_at(0, std::string(kMagic30))) return ec;
  if (std::error_code ec = reader_.open(path)) return fail(ec, reader_.error());
  return {};
}

std::error_code FsWriter::open(const std::string& path, FsIndex known) {
  path_ = path;
  index_ = std::move(known);
  fd_ = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
  if (fd_ < 0) return os_error("cannot open");
  if (std::error_code ec = reader_.open(path)) return fail(ec, reader_.error());
  if (std::error_code ec = update_index(reader_, index_)) return fail(ec, reader_.error());
  if (index_.end < reader_.size()) {  // a trailing 'c' transaction
    cut_bytes_ = reader_.size() - index_.end;
    if (::ftruncate(fd_, off_t(index_.end)) != 0) return os_error("cannot truncate");
    if (std::error_code ec = reader_.refresh()) return fail(ec, reader_.error());
  }
  return {};
}

std::error_code FsWriter::write_at(std::uint64_t pos, const std::string& bytes) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::pwrite(fd_, bytes.data() + done, bytes.size() - done, off_t(pos + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return os_error("cannot write at offset " + std::to_string(pos + done));
    done += std::size_t(n);
  }
  return {};
}

Result<std::string> FsWriter::encode(const FsNewTransaction& txn) {
  constexpr std::size_t kMax = std::numeric_limits<std::uint16_t>::max();
  if (txn.user.size() > kMax || txn.description.size() > kMax || txn.extension.size() > kMax)
    return fail(make_error_code(errc::invalid_argument),
                "transaction " + to_string(txn.tid) +
                    ": user, description or extension longer than 65535 bytes");
  const std::uint64_t pos = index_.end;
  TxnHeader h{.tid = txn.tid,
              .status = txn.status,
              .ulen = std::uint16_t(txn.user.size()),
              .dlen = std::uint16_t(txn.description.size()),
              .elen = std::uint16_t(txn.extension.size())};
  std::string body;
  std::unordered_set<std::uint64_t> seen;
  for (const FsNewRecord& r : txn.records) {
    if (!seen.insert(r.oid.value).second || (r.data && r.data->empty()))
      return fail(make_error_code(errc::invalid_argument), "transaction " + to_string(txn.tid) +
                                                               ": oid " + to_string(r.oid) +
                                                               " written twice or with empty data");
    auto latest = index_.latest.find(r.oid.value);
    DataHeader d{.oid = r.oid,
                 .tid = txn.tid,
                 .prev = latest == index_.latest.end() ? 0 : latest->second,
                 .tloc = pos,
                 .plen = r.data ? r.data->size() : 0};
    body += encode_data_header(d);
    if (r.data) {
      body += *r.data;
      continue;
    }
    std::uint64_t back = 0;
    if (r.data_tid) {
      Result<FsRevision> target = load(reader_, index_, r.oid, r.data_tid, std::nullopt);
      if (!target)
        return fail(target.error(), "transaction " + to_string(txn.tid) + ": no record of oid " +
                                        to_string(r.oid) + " at " + to_string(*r.data_tid) +
                                        " for a backpointer");
      back = target->pos;
    }
    put_u64(body, back);
  }
  h.tlen = h.header_len() + body.size();
  std::string out = encode_txn_header(h);
  out += txn.user;
  out += txn.description;
  out += txn.extension;
  out += body;
  put_u64(out, h.tlen);
  return out;
}

std::error_code FsWriter::append(const FsNewTransaction& txn) {
  if (index_.last_tid && txn.tid <= *index_.last_tid)
    return fail(make_error_code(errc::invalid_argument), "transaction " + to_string(txn.tid) +
                                                             " is not above the last one, " +
                                                             to_string(*index_.last_tid));
  if (std::error_code ec = reader_.refresh()) return fail(ec, reader_.error());
  Result<std::string> bytes = encode(txn);
  if (!bytes) return bytes.error();
  if (std::error_code ec = write_at(index_.end, *bytes)) {
    (void)!::ftruncate(fd_, off_t(index_.end));  // leave no partial transaction behind
    return ec;
  }
  // Record offsets, in the order encode() laid them out.
  std::uint64_t pos =
      index_.end + kTxnHeaderSize + txn.user.size() + txn.description.size() + txn.extension.size();
  for (const FsNewRecord& r : txn.records) {
    index_.latest[r.oid.value] = pos;
    if (!index_.max_oid || r.oid > *index_.max_oid) index_.max_oid = r.oid;
    pos += kDataHeaderSize + (r.data ? r.data->size() : 8);
  }
  index_.end += bytes->size();
  index_.last_tid = txn.tid;
  index_.records += txn.records.size();
  index_.transactions.emplace_back(txn.tid, index_.end - bytes->size());
  return {};
}

std::error_code FsWriter::sync() {
  if (::fdatasync(fd_) != 0) return os_error("cannot sync");
  return {};
}

}  // namespace neo::importer
