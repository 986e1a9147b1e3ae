// Checkpoints of a WAL database from a thread of its own.
//
// SQLite copies the WAL's pages back into the database file inside a
// commit, every 1000 pages by default: the connection that commits (the
// storage's io thread) then spends milliseconds writing and syncing the
// database file while clients and replication wait. The Checkpointer takes
// that work over: the writer's automatic checkpoints are turned off, and
// after a commit that leaves the WAL at kPages or more, a thread with its
// own connection runs a PASSIVE checkpoint (it never blocks the writer).
//
// The writer starts the WAL over only if its transaction began with every
// frame copied: under continuous writes (replication) the thread is always
// a little behind and the WAL grows. At kWriterPages, a commit made while
// the thread is idle copies the rest itself, as SQLite would, and the WAL
// starts over; the file is then cut to kSizeLimit. Bounding the WAL lower
// made the writer stall on those copies (commit p99 x2 during replication).
#pragma once

#include <sqlite3.h>

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

#include "core/sqlite/sqlite.hpp"

namespace neo::storage::sqlite {

class Checkpointer {
 public:
  static constexpr int kPages = 1000;                   // SQLite's automatic checkpoint size
  static constexpr int kWriterPages = 1 << 16;          // 256 MiB of 4 KiB pages
  static constexpr std::int64_t kSizeLimit = 64 << 20;  // journal_size_limit

  // Takes over the checkpoints of `writer`, a connection to the WAL
  // database `path` opened through `vfs`; its own connection gets the
  // pragma `synchronous` (if not empty). Throws std::runtime_error.
  Checkpointer(sqlite3* writer, const std::string& path, const char* vfs,
               const std::string& synchronous);
  // Stops the thread; the writer's automatic checkpoints resume.
  ~Checkpointer();
  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;

 private:
  static int on_commit(void* self, sqlite3* db, const char* name, int pages);
  void run();

  sqlite3* writer_;
  neo::sqlite::Database own_;
  std::mutex mutex_;  // requested_, stop_
  std::condition_variable wake_;
  std::mutex checkpoint_;  // held by whoever checkpoints
  bool requested_ = false;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace neo::storage::sqlite
