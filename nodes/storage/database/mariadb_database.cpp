// MariaDbDatabase: life cycle, and the config and pt statements of SqlDatabase.
#include "nodes/storage/database/mariadb_database.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "nodes/storage/database/mariadb_connection.hpp"
#include "nodes/storage/database/mariadb_database.hpp"
#include "nodes/storage/database/sql_guard.hpp"

namespace neo::storage {

MariaDbDatabase::~MariaDbDatabase() { (void)close(); }

std::uint64_t MariaDbDatabase::connection_id() const { return conn_ ? conn_->thread_id() : 0; }

// ---- life cycle ----

std::vector<mariadb::Row> MariaDbDatabase::q(std::string_view sql) { return conn_->query(sql); }

std::string MariaDbDatabase::lit(std::string_view bytes) const { return conn_->literal(bytes); }

void MariaDbDatabase::commit_connection() { conn_->commit(); }

// The server decides durability (innodb_flush_log_at_trx_commit).
std::error_code MariaDbDatabase::commit_unsynced() { return commit(); }

std::error_code MariaDbDatabase::close() {
  if (!conn_) return {};
  std::error_code ec;
  if (deferred_commit_) ec = commit();
  conn_->rollback();
  conn_.reset();  // ends the session, which releases GET_LOCK
  return ec;
}

void MariaDbDatabase::crash() {
  if (!conn_) return;
  conn_.reset();  // the server rolls back what was not committed
  deferred_commit_ = false;
}

Result<std::pair<std::string, std::string>> MariaDbDatabase::topology_path() const {
  return host_and_device(datadir_);
}

// ---- statements of SqlDatabase ----

void MariaDbDatabase::write_config(std::string_view key, const std::optional<std::string>& value) {
  if (!value) {
    q("DELETE FROM config WHERE name=" + lit(key));
    return;
  }
  const std::string sql = "REPLACE INTO config VALUES (" + lit(key) + ", " + lit(*value) + ")";
  try {
    q(sql);
  } catch (const mariadb::Failure& failure) {
    // The Importer's `zodb` value may exceed VARBINARY(255): widen the column.
    if (failure.code != std::error_code(mariadb::kDataTooLong, mariadb::category()) ||
        value->size() < 256 || key != "zodb") {
      throw;
    }
    q("ALTER TABLE config MODIFY value VARBINARY(" + std::to_string(value->size()) + ") NULL");
    q(sql);
  }
}

std::vector<PtRow> MariaDbDatabase::read_pt() {
  std::vector<PtRow> rows;
  for (const auto& row :
       q("SELECT `partition`, nid, tid, pack FROM pt ORDER BY `partition`, nid")) {
    rows.push_back(PtRow{static_cast<std::uint32_t>(row.u64(0)),
                         NodeId{static_cast<std::int32_t>(row.i64(1))}, row.i64(2),
                         row.opt_u64(3)});
  }
  return rows;
}

void MariaDbDatabase::write_cell(const PtChange& cell) {
  const std::string tid = std::to_string(*cell.tid);
  q("INSERT INTO pt VALUES (" + std::to_string(cell.partition) + ", " +
    std::to_string(cell.nid.value) + ", " + tid + ", " +
    (cell.pack ? std::to_string(*cell.pack) : "NULL") + ") ON DUPLICATE KEY UPDATE tid=" + tid);
}

void MariaDbDatabase::delete_cell(std::uint32_t partition, std::int32_t nid) {
  q("DELETE FROM pt WHERE `partition`=" + std::to_string(partition) +
    " AND nid=" + std::to_string(nid));
}

std::optional<std::int64_t> MariaDbDatabase::max_partition() {
  return q("SELECT MAX(`partition`) FROM pt").at(0).opt_i64(0);
}

std::optional<std::uint64_t> MariaDbDatabase::max_data_id(std::uint64_t low, std::uint64_t high) {
  return q("SELECT MAX(id) FROM data WHERE " + std::to_string(low) + " <= id AND id < " +
           std::to_string(high))
      .at(0)
      .opt_u64(0);
}

std::vector<std::pair<std::uint32_t, std::int64_t>> MariaDbDatabase::cells_of(NodeId nid) {
  std::vector<std::pair<std::uint32_t, std::int64_t>> cells;
  for (const auto& row :
       q("SELECT `partition`, tid FROM pt WHERE nid=" + std::to_string(nid.value))) {
    cells.emplace_back(static_cast<std::uint32_t>(row.u64(0)), row.i64(1));
  }
  return cells;
}

}  // namespace neo::storage
