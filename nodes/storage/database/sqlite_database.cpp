// SqliteDatabase: life cycle, and the config and pt statements of SqlDatabase.
#include "nodes/storage/database/sqlite_database.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "nodes/storage/database/sql_guard.hpp"
#include "nodes/storage/database/sqlite_checkpointer.hpp"
#include "nodes/storage/database/sqlite_connection.hpp"
#include "nodes/storage/database/sqlite_wal_batch.hpp"

namespace neo::storage {

const std::error_category& sqlite_error_category() noexcept { return sqlite::sqlite_category(); }

SqliteDatabase::~SqliteDatabase() { (void)close(); }

// ---- life cycle ----

sqlite::Query SqliteDatabase::write(std::string_view sql) {
  conn_->begin();
  return conn_->query(sql);
}

void SqliteDatabase::commit_connection() {
  conn_->commit();
  if (wal_unsynced_) sync_wal_file();
}

void SqliteDatabase::sync_wal_file() {
  // The commit just made synced the WAL if it wrote to it; not if it had
  // nothing to write.
  const std::string wal = path_ + "-wal";
  const int fd = ::open(wal.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 || ::fdatasync(fd) != 0) {
    const int e = errno;
    if (fd >= 0) ::close(fd);
    sqlite::fail(std::error_code(e, std::generic_category()), "fdatasync " + wal);
  }
  ::close(fd);
  wal_unsynced_ = false;
}

std::error_code SqliteDatabase::commit_unsynced() {
  if (!batched_wal_) return commit();
  return guard([&] {
    sqlite::WalSyncScope unsynced(false);
    conn_->commit();
    wal_unsynced_ = true;
    last_commit_ = std::chrono::steady_clock::now();
  });
}

std::error_code SqliteDatabase::close() {
  if (!conn_) return {};
  std::error_code ec;
  if (deferred_commit_) ec = commit();
  conn_->rollback();
  checkpointer_.reset();
  conn_.reset();
  lock_.release();
  return ec;
}

void SqliteDatabase::crash() {
  if (!conn_) return;
  conn_->rollback();
  checkpointer_.reset();
  conn_.reset();
  deferred_commit_ = false;
  lock_.release();
}

Result<std::pair<std::string, std::string>> SqliteDatabase::topology_path() const {
  return host_and_device(path_);
}

// ---- statements of SqlDatabase ----

void SqliteDatabase::write_config(std::string_view key, const std::optional<std::string>& value) {
  if (value) {
    write("REPLACE INTO config VALUES (?,?)").bind(sqlite::Text{key}, sqlite::Text{*value}).run();
  } else {
    write("DELETE FROM config WHERE name=?").bind(sqlite::Text{key}).run();
  }
}

std::vector<PtRow> SqliteDatabase::read_pt() {
  std::vector<PtRow> rows;
  auto q = conn_->query("SELECT partition, nid, tid, pack FROM pt ORDER BY partition, nid");
  while (q.step()) {
    rows.push_back(PtRow{static_cast<std::uint32_t>(q.i64(0)),
                         NodeId{static_cast<std::int32_t>(q.i64(1))}, q.i64(2), q.opt_u64(3)});
  }
  return rows;
}

void SqliteDatabase::write_cell(const PtChange& cell) {
  auto exists = conn_->query("SELECT 1 FROM pt WHERE partition=? AND nid=?");
  if (exists.bind(cell.partition, cell.nid.value).step()) {
    write("UPDATE pt SET tid=? WHERE partition=? AND nid=?")
        .bind(*cell.tid, cell.partition, cell.nid.value)
        .run();
  } else {
    write("INSERT OR FAIL INTO pt VALUES (?,?,?,?)")
        .bind(cell.partition, cell.nid.value, *cell.tid, cell.pack)
        .run();
  }
}

void SqliteDatabase::delete_cell(std::uint32_t partition, std::int32_t nid) {
  write("DELETE FROM pt WHERE partition=? AND nid=?").bind(partition, nid).run();
}

std::optional<std::int64_t> SqliteDatabase::max_partition() {
  auto max = conn_->query("SELECT MAX(partition) FROM pt");
  max.step();
  return max.opt_i64(0);
}

std::optional<std::uint64_t> SqliteDatabase::max_data_id(std::uint64_t low, std::uint64_t high) {
  auto q = conn_->query("SELECT MAX(id) FROM data WHERE ?<=id AND id<?");
  q.bind(low, high).step();
  return q.opt_u64(0);
}

std::vector<std::pair<std::uint32_t, std::int64_t>> SqliteDatabase::cells_of(NodeId nid) {
  std::vector<std::pair<std::uint32_t, std::int64_t>> cells;
  auto q = conn_->query("SELECT partition, tid FROM pt WHERE nid=?");
  q.bind(nid.value);
  while (q.step()) cells.emplace_back(static_cast<std::uint32_t>(q.i64(0)), q.i64(1));
  return cells;
}

}  // namespace neo::storage
