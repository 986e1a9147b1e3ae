// The Checkpointer: pages of the WAL reach the database file from its
// thread, never from the committing connection.
#include "nodes/storage/database/sqlite_checkpointer.hpp"

#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <thread>

#include "nodes/storage/database/sqlite_connection.hpp"
#include "nodes/storage/database/sqlite_wal_batch.hpp"
#include "tests/unit/storage/storage_test_support.hpp"

using namespace neo::storage;
using namespace neo::storage::test;

namespace {

std::int64_t file_size(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? st.st_size : -1;
}

}  // namespace

TEST_CASE("the checkpointer thread copies the WAL into the database file") {
  TempDir dir;
  const std::string path = dir.file("checkpointed.sqlite");
  auto conn = std::make_unique<sqlite::Connection>(path, sqlite::wal_batch_vfs());
  conn->exec("PRAGMA journal_mode = WAL");
  conn->exec("CREATE TABLE t (k INTEGER PRIMARY KEY, v BLOB NOT NULL)");
  const std::int64_t empty = file_size(path);
  {
    sqlite::Checkpointer checkpointer(conn->handle(), path, sqlite::wal_batch_vfs(), "FULL");
    // 16 MiB in commits of 256 KiB: the committing connection never
    // checkpoints (its automatic checkpoints are off), so the database file
    // grows only through the checkpointer's connection.
    for (int i = 0; i < 64; ++i) {
      conn->begin();
      for (int row = 0; row < 64; ++row)
        conn->query("INSERT INTO t (v) VALUES (randomblob(4096))").run();
      conn->commit();
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    // Less than 1000 pages (4 MiB) may stay in the WAL after its last restart.
    while (file_size(path) < (8 << 20) && std::chrono::steady_clock::now() < deadline) {
      // A commit tells the thread again, should its last checkpoint have
      // run before the last commits.
      conn->begin();
      conn->query("INSERT INTO t (v) VALUES (randomblob(10))").run();
      conn->commit();
      std::this_thread::sleep_for(std::chrono::milliseconds(10));  // poll interval
    }
    CHECK(file_size(path) >= (8 << 20));
    CHECK(empty < (1 << 20));
  }  // the thread stops; the writer checkpoints itself again
  conn.reset();
  CHECK(sql_rows(path, "PRAGMA integrity_check")[0][0] == "ok");
  CHECK(sql_rows(path, "SELECT COUNT(*) >= 4096, SUM(LENGTH(v)) >= 16777216 FROM t")[0] ==
        std::vector<std::string>{"1", "1"});
}
