// MariaDbDatabase: life cycle, configuration and partition table.
#include "nodes/storage/database/mariadb_database.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "nodes/storage/database/database_logic.hpp"
#include "nodes/storage/database/mariadb_guard.hpp"

namespace neo::storage {

MariaDbDatabase::~MariaDbDatabase() { (void)close(); }

std::uint64_t MariaDbDatabase::connection_id() const { return conn_ ? conn_->thread_id() : 0; }

// ---- life cycle ----

std::vector<mariadb::Row> MariaDbDatabase::q(std::string_view sql) { return conn_->query(sql); }

std::string MariaDbDatabase::lit(std::string_view bytes) const { return conn_->literal(bytes); }

void MariaDbDatabase::do_commit() {
  conn_->commit();
  last_commit_ = std::chrono::steady_clock::now();
  deferred_commit_ = false;
}

std::error_code MariaDbDatabase::commit() {
  return guard([&] { do_commit(); });
}

// The server decides durability (innodb_flush_log_at_trx_commit).
std::error_code MariaDbDatabase::commit_unsynced() { return commit(); }

std::error_code MariaDbDatabase::commit_deferred() {
  if (!deferred_commit_) return {};
  return commit();
}

std::error_code MariaDbDatabase::commit_from_time_to_time(double seconds) {
  const auto elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - last_commit_);
  if (elapsed.count() <= seconds) return {};
  return commit();
}

std::error_code MariaDbDatabase::reset() {
  return guard([&] {
    erase();
    do_commit();
    config_.clear();
    np_ = 0;
    readable_.clear();
    next_data_id_.clear();
    uncommitted_data_.clear();
  });
}

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
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0)
    return std::error_code(errno, std::system_category());
  struct stat st {};
  if (::stat(datadir_.c_str(), &st) != 0) return std::error_code(errno, std::system_category());
  return std::pair<std::string, std::string>(host, std::to_string(st.st_dev));
}

// ---- configuration ----

std::optional<std::string> MariaDbDatabase::config(std::string_view key) const {
  auto it = config_.find(key);
  if (it == config_.end()) return std::nullopt;
  return it->second;
}

void MariaDbDatabase::do_set_config(std::string_view key, std::optional<std::string> value) {
  if (!value) {
    q("DELETE FROM config WHERE name=" + lit(key));
    if (auto it = config_.find(key); it != config_.end()) config_.erase(it);
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
  config_[std::string(key)] = std::move(*value);
}

std::error_code MariaDbDatabase::set_config(std::string_view key,
                                            std::optional<std::string> value) {
  return guard([&] { do_set_config(key, std::move(value)); });
}

std::error_code MariaDbDatabase::set_name(std::string_view name) {
  return guard([&] {
    do_set_config("name", std::string(name));
    do_commit();
  });
}

std::optional<NodeId> MariaDbDatabase::nid() const {
  auto text = config("nid");
  auto value = text ? parse_int(*text) : std::nullopt;
  if (!value) return std::nullopt;
  return NodeId{static_cast<std::int32_t>(*value)};
}

std::error_code MariaDbDatabase::set_nid(NodeId new_nid) {
  return guard([&] {
    const auto old = nid();
    if (old == new_nid) return;
    if (old && old->value) {
      std::vector<PtChange> changes;
      for (const PtRow& row : read_pt()) {
        if (row.nid != *old) continue;
        changes.push_back({row.partition, row.nid, std::nullopt, row.pack});
        changes.push_back({row.partition, new_nid, row.tid, row.pack});
      }
      change_pt(changes, false);
    }
    do_set_config("nid", std::to_string(new_nid.value));
    update_readable(false);
    do_commit();
  });
}

std::optional<std::int64_t> MariaDbDatabase::ptid() const {
  auto text = config("ptid");
  return text ? parse_int(*text) : std::nullopt;
}

std::optional<std::int64_t> MariaDbDatabase::num_replicas() const {
  auto text = config("replicas");
  return text ? parse_int(*text) : std::nullopt;
}

std::optional<Tid> MariaDbDatabase::backup_tid() const {
  auto text = config("backup_tid");
  return text ? parse_hex_tid(*text) : std::nullopt;
}

std::error_code MariaDbDatabase::set_backup_tid(std::optional<Tid> tid) {
  return set_config("backup_tid", tid ? std::optional(dump_tid(*tid)) : std::nullopt);
}

std::optional<Tid> MariaDbDatabase::truncate_tid() const {
  auto text = config("truncate_tid");
  return text ? parse_hex_tid(*text) : std::nullopt;
}

std::error_code MariaDbDatabase::set_truncate_tid(std::optional<Tid> tid) {
  return set_config("truncate_tid", tid ? std::optional(dump_tid(*tid)) : std::nullopt);
}

// ---- partition table ----

std::uint32_t MariaDbDatabase::partition_of(std::uint64_t id) const {
  if (np_ == 0) mariadb::fail(make_error_code(errc::not_ready), "no partition table");
  return static_cast<std::uint32_t>(id % np_);
}

std::uint32_t MariaDbDatabase::readable_partition_of(std::uint64_t id) const {
  return readable(partition_of(id));
}

std::uint32_t MariaDbDatabase::readable(std::uint32_t partition) const {
  if (!readable_.count(partition)) {
    mariadb::fail(make_error_code(errc::non_readable_cell),
                  "partition " + std::to_string(partition) + " is not readable");
  }
  return partition;
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

Result<std::vector<PtRow>> MariaDbDatabase::pt_rows() {
  return guard([&] { return read_pt(); });
}

Result<std::vector<CellRow>> MariaDbDatabase::partition_table() {
  return guard([&] {
    std::vector<CellRow> cells;
    for (const PtRow& row : read_pt()) {
      cells.push_back(CellRow{row.partition, row.nid, cell_state_of(row.tid)});
    }
    return cells;
  });
}

Result<std::vector<std::pair<std::uint32_t, std::int64_t>>> MariaDbDatabase::assigned_cells() {
  return guard([&] {
    std::vector<std::pair<std::uint32_t, std::int64_t>> cells;
    const auto own = nid();
    if (!own) return cells;
    for (const PtRow& row : read_pt()) {
      if (row.nid == *own) cells.emplace_back(row.partition, row.tid);
    }
    return cells;
  });
}

void MariaDbDatabase::set_replicating(std::uint32_t partition, bool replicating) {
  if (replicating) {
    readable_.insert(partition);
  } else {
    readable_.erase(partition);
  }
}

// NEO/py's _changePartitionTable: a cell without tid is deleted; an
// existing cell only gets its tid updated; with `reset`, unlisted cells go.
void MariaDbDatabase::change_pt(const std::vector<PtChange>& cells, bool reset) {
  std::set<std::pair<std::uint32_t, std::int32_t>> deleted;
  if (reset) {
    for (const PtRow& row : read_pt()) deleted.emplace(row.partition, row.nid.value);
  }
  for (const PtChange& cell : cells) {
    const std::pair key(cell.partition, cell.nid.value);
    if (!cell.tid) {
      deleted.insert(key);
      continue;
    }
    deleted.erase(key);
    const std::string tid = std::to_string(*cell.tid);
    q("INSERT INTO pt VALUES (" + std::to_string(cell.partition) + ", " +
      std::to_string(cell.nid.value) + ", " + tid + ", " +
      (cell.pack ? std::to_string(*cell.pack) : "NULL") + ") ON DUPLICATE KEY UPDATE tid=" + tid);
  }
  for (const auto& [partition, node] : deleted) {
    q("DELETE FROM pt WHERE `partition`=" + std::to_string(partition) +
      " AND nid=" + std::to_string(node));
  }
}

void MariaDbDatabase::update_readable(bool recompute_partitions) {
  const auto greatest = q("SELECT MAX(`partition`) FROM pt").at(0).opt_i64(0);
  const std::uint32_t np = greatest ? static_cast<std::uint32_t>(*greatest + 1) : 0;
  if (recompute_partitions || np != np_) {
    np_ = np;
    next_data_id_.assign(np, 0);
    for (std::uint64_t p = 0; p < np; ++p) {
      const auto last = q("SELECT MAX(id) FROM data WHERE " + std::to_string(p << 48) +
                          " <= id AND id < " + std::to_string((p + 1) << 48))
                            .at(0)
                            .opt_u64(0);
      next_data_id_[p] = last ? *last + 1 : p << 48;
    }
  }
  readable_.clear();
  if (const auto own = nid()) {
    for (const auto& row :
         q("SELECT `partition`, tid FROM pt WHERE nid=" + std::to_string(own->value))) {
      if (is_readable(cell_state_of(row.i64(1))))
        readable_.insert(static_cast<std::uint32_t>(row.u64(0)));
    }
  }
}

// The pt.tid of an own cell that is (or becomes) OUT_OF_DATE: where it is
// known to be complete. A cell that was readable is complete up to its last
// transaction (or the backup TID in backup mode).
std::int64_t MariaDbDatabase::out_of_date_tid(std::uint32_t partition, std::int64_t previous,
                                              std::uint64_t backup_tid) {
  if (previous >= 0) return previous;
  if (!is_readable(cell_state_of(previous))) return 0;
  if (backup_tid) return static_cast<std::int64_t>(backup_tid);
  return std::max({std::int64_t{0}, partition_last_ids(partition).first,
                   partition_last_tid(partition, std::nullopt)});
}

}  // namespace neo::storage
