// importer/import_reader.hpp
// Reads a FileStorage's transactions from a position, in a thread of its
// own, and prepares their records for a NEO database: data compressed with
// zlib (kept only when smaller) and checksummed, backpointers as the tid
// they point to. The Importer backend stores what it prepared on the
// storage's io thread, so reading, compressing and storing overlap. At most
// `kAhead` bytes of prepared data wait for the consumer.
// Thread-safe between one producer (its thread) and one consumer.
#pragma once

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
  std::size_t bytes = 0;  // what it holds in memory, roughly
};

class ImportReader {
 public:
  static constexpr std::size_t kAhead = 32 << 20;

  // From the transaction at `pos` (whose predecessor is `last_tid`) up to
  // and including `stop`. `level`: zlib level (-1: default), nullopt: none.
  ImportReader(const std::string& path, std::uint64_t pos, std::optional<Tid> last_tid, Tid stop,
               std::optional<int> level);
  ~ImportReader();
  ImportReader(const ImportReader&) = delete;

  // The next transaction, waiting at most `timeout` for it: nullopt if it
  // is not ready yet; `done()` once all were taken. errc::corrupted_record
  // (or the file's open error) with error() saying where.
  Result<std::optional<PreparedTransaction>> next(std::chrono::milliseconds timeout);
  bool done() const;
  const std::string& error() const { return error_; }

 private:
  void run(std::uint64_t pos, std::optional<Tid> last_tid);
  std::optional<PreparedTransaction> prepare(FsTransaction txn);

  FileStorage fs_;
  const Tid stop_;
  const std::optional<int> level_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<PreparedTransaction> ready_;  // GUARDED_BY(mutex_)
  std::size_t ready_bytes_ = 0;            // GUARDED_BY(mutex_)
  bool finished_ = false;                  // GUARDED_BY(mutex_): the producer stopped
  bool stopping_ = false;                  // GUARDED_BY(mutex_): the consumer is gone
  std::error_code failure_;                // GUARDED_BY(mutex_)
  std::string error_;                      // written before finished_ is set
  std::thread thread_;
};

}  // namespace neo::importer
