// The VFS gathering WAL writes until the sync: every commit reaches the file
// whole before COMMIT returns, whatever the size of its frames.
#include "nodes/storage/database/sqlite_wal_batch.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <functional>
#include <string>

#include "nodes/storage/database/sqlite_connection.hpp"
#include "tests/unit/storage/storage_test_support.hpp"

using namespace neo::storage;
using namespace neo::storage::test;

namespace {

// A durable WAL database through the VFS; a tiny page cache makes SQLite
// spill pages to the WAL and read them back within a transaction.
std::unique_ptr<sqlite::Connection> open_batched(const std::string& path) {
  auto conn = std::make_unique<sqlite::Connection>(path, sqlite::wal_batch_vfs());
  conn->exec("PRAGMA journal_mode = WAL");
  conn->exec("PRAGMA synchronous = FULL");
  conn->exec("PRAGMA cache_size = 10");
  conn->exec("CREATE TABLE IF NOT EXISTS t (k INTEGER PRIMARY KEY, v BLOB NOT NULL)");
  return conn;
}

std::int64_t bytes_of(int i) { return (i % 7 == 0 ? 300000 : 100 + i * 50) * std::int64_t{i}; }

// Transaction i writes i rows of bytes_of(i) in all; sizes cross the 64 KiB chunks and the 4 MiB
// flush of the VFS's buffer.
void commit_rows(sqlite::Connection& conn, int i) {
  conn.begin();
  for (int row = 0; row < i; ++row) {
    conn.query("INSERT INTO t (v) VALUES (randomblob(?))").bind(bytes_of(i) / i).run();
  }
  // Reads pages back, some of them from frames of this transaction.
  auto check = conn.query("SELECT COUNT(*) FROM t");
  REQUIRE(check.step());
  conn.commit();
}

// Runs `body` in a child process that then dies without closing anything
// (as a killed storage); requires that `body` did not throw.
void run_and_die(const std::function<void()>& body) {
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    int status = 1;
    try {
      body();
      status = 0;
    } catch (...) {
    }
    _exit(status);
  }
  int status = -1;
  REQUIRE(waitpid(child, &status, 0) == child);
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);
}

// "rows bytes" as a connection on SQLite's own VFS reads them.
std::string totals(const std::string& path) {
  const auto row = sql_rows(path, "SELECT COUNT(*), COALESCE(SUM(LENGTH(v)), 0) FROM t")[0];
  return row[0] + " " + row[1];
}

}  // namespace

TEST_CASE("each commit through the WAL batching VFS is whole in the file when COMMIT returns") {
  TempDir dir;
  const std::string path = dir.file("batch.sqlite");
  auto conn = open_batched(path);
  std::int64_t rows = 0, bytes = 0;
  for (int i = 1; i <= 40; ++i) {
    commit_rows(*conn, i);
    rows += i;
    bytes += bytes_of(i);
    REQUIRE(totals(path) == std::to_string(rows) + " " + std::to_string(bytes));
  }
  conn->exec("PRAGMA wal_checkpoint(TRUNCATE)");
  conn.reset();
  CHECK(sql_rows(path, "PRAGMA integrity_check")[0][0] == "ok");
  CHECK(totals(path) == std::to_string(rows) + " " + std::to_string(bytes));
}

TEST_CASE("a process dying right after its commits through the VFS loses none of them") {
  TempDir dir;
  const std::string path = dir.file("crash.sqlite");
  run_and_die([&] {  // no close: the WAL stays as the commits left it
    auto conn = open_batched(path);
    for (int i = 1; i <= 20; ++i) commit_rows(*conn, i);
    conn->begin();  // and an uncommitted one, never synced
    conn->exec("INSERT INTO t (v) VALUES (randomblob(1000))");
  });
  std::int64_t bytes = 0;
  for (int i = 1; i <= 20; ++i) bytes += bytes_of(i);
  CHECK(totals(path) == "210 " + std::to_string(bytes));
  CHECK(sql_rows(path, "PRAGMA integrity_check")[0][0] == "ok");
}

TEST_CASE("commits that skip the WAL's sync are still whole in the file for others and a crash") {
  TempDir dir;
  const std::string path = dir.file("unsynced.sqlite");
  run_and_die([&] {
    auto conn = open_batched(path);
    sqlite::WalSyncScope unsynced(false);
    for (int i = 1; i <= 10; ++i) {
      sqlite::WalSyncScope synced(i % 3 == 0);  // scopes nest
      commit_rows(*conn, i);
    }
  });
  std::int64_t bytes = 0;
  for (int i = 1; i <= 10; ++i) bytes += bytes_of(i);
  CHECK(totals(path) == "55 " + std::to_string(bytes));
  CHECK(sql_rows(path, "PRAGMA integrity_check")[0][0] == "ok");
}

TEST_CASE("a replication chunk's commit without sync is seen at once, and made durable by the next",
          "[storage]") {
  using namespace neo;
  TempDir dir;
  const std::string path = dir.file("unsynced.sqlite");
  auto db = SqliteDatabase::open(path);  // WAL, synchronous=FULL: through the batching VFS
  give_partitions(*db, 2);
  const TransactionMeta meta{{Oid{2}}, "", "", "", false, Tid{10}};
  auto id = db->store_data(sha1("a"), Oid{2}, "a", 0, std::nullopt);
  REQUIRE(id);
  const ObjectRef ref{Oid{2}, *id, std::nullopt};
  REQUIRE_FALSE(db->store_transaction(Tid{10}, std::span(&ref, 1), &meta, false));
  REQUIRE_FALSE(db->commit_unsynced());
  CHECK(sql_rows(path, "SELECT COUNT(*) FROM obj")[0][0] == "1");
  REQUIRE_FALSE(db->commit());  // nothing to write: syncs the WAL file itself
  CHECK(db->load(Oid{2}, std::nullopt, std::nullopt)->serial == Tid{10});
}
