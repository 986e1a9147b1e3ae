// importer/file_storage.hpp
// Reads a ZODB FileStorage file (Data.fs): transactions in file order, their
// data records with backpointers resolved, and records by offset. Every
// length and offset is checked against the file before it is followed; a
// failure is errc::corrupted_record, and error() names the file, the offset
// and what is wrong. Nothing half-read is returned as complete. A trailing
// transaction still being committed (status 'c') ends the file, as in ZODB.
// One object per thread (it keeps a read buffer); several objects may read
// the same file, which may grow meanwhile (refresh()).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "core/util/error.hpp"
#include "core/util/ids.hpp"
#include "importer/fs_format.hpp"

namespace neo::importer {

struct FsTransaction {
  std::uint64_t pos = 0;  // offset of the header
  TxnHeader header;
  std::string user{}, description{}, extension{};  // raw bytes

  Tid tid() const { return header.tid; }
  std::uint64_t data_pos() const { return pos + header.header_len(); }
  std::uint64_t end() const { return pos + header.tlen; }  // the trailing length
  std::uint64_t next() const { return end() + 8; }
};

struct FsRecord {
  std::uint64_t pos = 0;  // offset of the data header
  DataHeader header;
  std::uint64_t back = 0;             // header.plen == 0: the backpointer (0: no data)
  std::optional<Tid> data_tid{};      // back != 0: the tid of the record it points to
  std::optional<std::string> data{};  // the pickle, after backpointers; nullopt: no data

  Oid oid() const { return header.oid; }
};

class FileStorage {
 public:
  FileStorage() = default;
  FileStorage(FileStorage&& other) noexcept;
  FileStorage& operator=(FileStorage&& other) noexcept;
  FileStorage(const FileStorage&) = delete;
  ~FileStorage();

  // Opens `path` read-only and checks its magic.
  std::error_code open(const std::string& path);
  // Takes the file's current size (a file being appended to).
  std::error_code refresh();

  const std::string& path() const { return path_; }
  std::uint64_t size() const { return size_; }
  // Why the last call failed: "PATH: offset N: what".
  const std::string& error() const { return error_; }

  // The transaction whose header is at `pos`, its trailing length checked;
  // nullopt at the end of the file or at a trailing 'c' transaction.
  Result<std::optional<FsTransaction>> read_transaction(std::uint64_t pos);
  // Its data records in file order; `with_data`: resolve and read the data.
  Result<std::vector<FsRecord>> read_records(const FsTransaction& txn, bool with_data = true);
  // The data record at `pos` (of `oid` if given), data resolved if asked.
  Result<FsRecord> read_record(std::uint64_t pos, std::optional<Oid> oid, bool with_data);
  // The header alone, checked to lie in the file.
  Result<DataHeader> read_data_header(std::uint64_t pos, std::optional<Oid> oid = std::nullopt);
  // Records why the file is unusable at `pos`: errc::corrupted_record.
  std::error_code corrupted(std::uint64_t pos, const std::string& what);

 private:
  // `n` bytes at `pos`, valid until the next call; errc if past the end.
  Result<std::string_view> bytes(std::uint64_t pos, std::uint64_t n, std::string_view what);
  Result<std::optional<std::string>> resolve(Oid oid, std::uint64_t back, std::uint64_t from);

  std::string path_;
  int fd_ = -1;
  std::uint64_t size_ = 0;
  std::string error_;
  std::string buffer_;  // file bytes [buffer_pos_, buffer_pos_ + buffer_.size())
  std::uint64_t buffer_pos_ = 0;
};

// Transactions in file order, from `pos`; checks that tids increase.
class FsIterator {
 public:
  // `last_tid`: the tid of the transaction before `pos`, if any.
  explicit FsIterator(FileStorage& fs, std::uint64_t pos = kMagicSize,
                      std::optional<Tid> last_tid = std::nullopt)
      : fs_(fs), pos_(pos), last_tid_(last_tid) {}
  // The next transaction; nullopt at the end.
  Result<std::optional<FsTransaction>> next();
  // Skips the transactions below `tid` (headers only).
  std::error_code skip_to(Tid tid);
  std::uint64_t pos() const { return pos_; }

 private:
  FileStorage& fs_;
  std::uint64_t pos_;
  std::optional<Tid> last_tid_;
};

}  // namespace neo::importer
