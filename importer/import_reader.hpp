// importer/import_reader.hpp
// Reads a FileStorage's transactions from a position, in a thread of its
// own, and prepares their records for a NEO database: data compressed with
// zlib (kept only when smaller) and checksummed by worker threads, one
// transaction each, backpointers as the tid they point to. The Importer
// backend stores what was prepared, in file order, on the storage's io
// thread: reading, compressing and storing overlap. At most `kAhead` bytes
// of data are read ahead of the consumer.
// Thread-safe between its own threads and one consumer.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/util/error.hpp"
#include "core/util/ids.hpp"
#include "importer/file_storage.hpp"

namespace neo::importer {

struct PreparedRecord {
  Oid oid;
  std::optional<Tid> data_tid{};  // a backpointer: the revision whose data it reuses
  bool has_data = false;          // false (and no data_tid): a deletion
  std::int64_t compression = 0;
  std::string checksum{};  // SHA-1 of `data`
  std::string data{};
};

struct PreparedTransaction {
  FsTransaction txn;
  std::vector<PreparedRecord> records{};
  std::size_t bytes = 0;  // data read from the file
};

class ImportReader {
 public:
  static constexpr std::size_t kAhead = 32 << 20;

  // From the transaction at `pos` (whose predecessor is `last_tid`) up to
  // and including `stop`. `level`: zlib level (-1: default), nullopt: none.
  // `workers`: compressing threads (0: one per core).
  ImportReader(const std::string& path, std::uint64_t pos, std::optional<Tid> last_tid, Tid stop,
               std::optional<int> level, unsigned workers = 0);
  ~ImportReader();
  ImportReader(const ImportReader&) = delete;

  // The next transaction, waiting at most `timeout` for it: nullopt if it
  // is not ready yet; `done()` once all were taken. errc::corrupted_record
  // (or the file's open error) with error() saying where.
  Result<std::optional<PreparedTransaction>> next(std::chrono::milliseconds timeout);
  bool done() const;
  const std::string& error() const { return error_; }

 private:
  struct Slot {
    PreparedTransaction txn;
    bool claimed = false, ready = false;
  };
  void read(std::uint64_t pos, std::optional<Tid> last_tid);
  void compress_loop();
  void prepare(PreparedTransaction& txn) const;

  FileStorage fs_;
  const Tid stop_;
  const std::optional<int> level_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Slot> slots_;       // GUARDED_BY(mutex_): in file order
  std::size_t ahead_bytes_ = 0;  // GUARDED_BY(mutex_)
  bool finished_ = false;        // GUARDED_BY(mutex_): the reader stopped
  bool stopping_ = false;        // GUARDED_BY(mutex_): the consumer is gone
  std::error_code failure_;      // GUARDED_BY(mutex_)
  std::string error_;            // written before finished_ is set
  std::thread reader_;
  std::vector<std::thread> workers_;
};

}  // namespace neo::importer
