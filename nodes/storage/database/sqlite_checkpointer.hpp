// Checkpoints of a WAL database from a thread of its own.
//
// SQLite copies the WAL's pages back into the database file inside a
// commit, every 1000 pages by default: the connection that commits (the
// storage's io thread) then spends milliseconds writing and syncing the
// database file while clients and replication wait. The Checkpointer takes
// that work over: the writer's automatic checkpoints are turned off, and
// after a commit that leaves the WAL at kPages or more, a thread with its
// own connection runs a PASSIVE checkpoint (it never blocks the writer;
// the writer restarts the WAL once it is all copied). Should the WAL reach
// kWriterPages anyway, the writer checkpoints itself, as SQLite would.
#pragma once

#include <sqlite3.h>

#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "core/sqlite/sqlite.hpp"

namespace neo::storage::sqlite {

class Checkpointer {
 public:
  static constexpr int kPages = 1000;           // SQLite's automatic checkpoint size
  static constexpr int kWriterPages = 1 << 16;  // 256 MiB of 4 KiB pages

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
  std::mutex mutex_;
  std::condition_variable wake_;
  bool requested_ = false;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace neo::storage::sqlite
