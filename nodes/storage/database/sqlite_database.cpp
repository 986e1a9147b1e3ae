// SqliteDatabase: life cycle, configuration and partition table.
#include "nodes/storage/database/sqlite_database.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <map>

#include "nodes/storage/database/database_logic.hpp"
#include "nodes/storage/database/sqlite_checkpointer.hpp"
#include "nodes/storage/database/sqlite_guard.hpp"
#include "nodes/storage/database/sqlite_wal_batch.hpp"

namespace neo::storage {

const std::error_category& sqlite_error_category() noexcept { return sqlite::sqlite_category(); }

SqliteDatabase::~SqliteDatabase() { (void)close(); }

// ---- life cycle ----

sqlite::Query SqliteDatabase::write(std::string_view sql) {
  conn_->begin();
  return conn_->query(sql);
}

void SqliteDatabase::do_commit() {
  conn_->commit();
  if (wal_unsynced_) sync_wal_file();
  last_commit_ = std::chrono::steady_clock::now();
  deferred_commit_ = false;
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

std::error_code SqliteDatabase::commit() {
  return guard([&] { do_commit(); });
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

std::error_code SqliteDatabase::commit_deferred() {
  if (!deferred_commit_) return {};
  return commit();
}

std::error_code SqliteDatabase::commit_from_time_to_time(double seconds) {
  const auto elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - last_commit_);
  if (elapsed.count() <= seconds) return {};
  return commit();
}

std::error_code SqliteDatabase::reset() {
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
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0)
    return std::error_code(errno, std::system_category());
  struct stat st {};
  if (::stat(path_.c_str(), &st) != 0) return std::error_code(errno, std::system_category());
  return std::pair<std::string, std::string>(host, std::to_string(st.st_dev));
}

// ---- configuration ----

std::optional<std::string> SqliteDatabase::config(std::string_view key) const {
  auto it = config_.find(key);
  if (it == config_.end()) return std::nullopt;
  return it->second;
}

void SqliteDatabase::do_set_config(std::string_view key, std::optional<std::string> value) {
  if (value) {
    write("REPLACE INTO config VALUES (?,?)").bind(sqlite::Text{key}, sqlite::Text{*value}).run();
    config_[std::string(key)] = std::move(*value);
  } else {
    write("DELETE FROM config WHERE name=?").bind(sqlite::Text{key}).run();
    if (auto it = config_.find(key); it != config_.end()) config_.erase(it);
  }
}

std::error_code SqliteDatabase::set_config(std::string_view key, std::optional<std::string> value) {
  return guard([&] { do_set_config(key, std::move(value)); });
}

std::error_code SqliteDatabase::set_name(std::string_view name) {
  return guard([&] {
    do_set_config("name", std::string(name));
    do_commit();
  });
}

std::optional<NodeId> SqliteDatabase::nid() const {
  auto text = config("nid");
  auto value = text ? parse_int(*text) : std::nullopt;
  if (!value) return std::nullopt;
  return NodeId{static_cast<std::int32_t>(*value)};
}

std::error_code SqliteDatabase::set_nid(NodeId new_nid) {
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

std::optional<std::int64_t> SqliteDatabase::ptid() const {
  auto text = config("ptid");
  return text ? parse_int(*text) : std::nullopt;
}

std::optional<std::int64_t> SqliteDatabase::num_replicas() const {
  auto text = config("replicas");
  return text ? parse_int(*text) : std::nullopt;
}

std::optional<Tid> SqliteDatabase::backup_tid() const {
  auto text = config("backup_tid");
  return text ? parse_hex_tid(*text) : std::nullopt;
}

std::error_code SqliteDatabase::set_backup_tid(std::optional<Tid> tid) {
  return set_config("backup_tid", tid ? std::optional(dump_tid(*tid)) : std::nullopt);
}

std::optional<Tid> SqliteDatabase::truncate_tid() const {
  auto text = config("truncate_tid");
  return text ? parse_hex_tid(*text) : std::nullopt;
}

std::error_code SqliteDatabase::set_truncate_tid(std::optional<Tid> tid) {
  return set_config("truncate_tid", tid ? std::optional(dump_tid(*tid)) : std::nullopt);
}

// ---- partition table ----

std::uint32_t SqliteDatabase::partition_of(std::uint64_t id) const {
  if (np_ == 0) sqlite::fail(make_error_code(errc::not_ready), "no partition table");
  return static_cast<std::uint32_t>(id % np_);
}

std::uint32_t SqliteDatabase::readable_partition_of(std::uint64_t id) const {
  return readable(partition_of(id));
}

std::uint32_t SqliteDatabase::readable(std::uint32_t partition) const {
  if (!readable_.count(partition)) {
    sqlite::fail(make_error_code(errc::non_readable_cell),
                 "partition " + std::to_string(partition) + " is not readable");
  }
  return partition;
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

Result<std::vector<PtRow>> SqliteDatabase::pt_rows() {
  return guard([&] { return read_pt(); });
}

Result<std::vector<CellRow>> SqliteDatabase::partition_table() {
  return guard([&] {
    std::vector<CellRow> cells;
    for (const PtRow& row : read_pt()) {
      cells.push_back(CellRow{row.partition, row.nid, cell_state_of(row.tid)});
    }
    return cells;
  });
}

Result<std::vector<std::pair<std::uint32_t, std::int64_t>>> SqliteDatabase::assigned_cells() {
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

void SqliteDatabase::set_replicating(std::uint32_t partition, bool replicating) {
  if (replicating) {
    readable_.insert(partition);
  } else {
    readable_.erase(partition);
  }
}

void SqliteDatabase::change_pt(const std::vector<PtChange>& cells, bool reset) {
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
  for (const auto& [partition, node] : deleted) {
    write("DELETE FROM pt WHERE partition=? AND nid=?").bind(partition, node).run();
  }
}

void SqliteDatabase::update_readable(bool recompute_partitions) {
  auto max = conn_->query("SELECT MAX(partition) FROM pt");
  max.step();
  const auto greatest = max.opt_i64(0);
  const std::uint32_t np = greatest ? static_cast<std::uint32_t>(*greatest + 1) : 0;
  if (recompute_partitions || np != np_) {
    np_ = np;
    next_data_id_.assign(np, 0);
    for (std::uint64_t p = 0; p < np; ++p) {
      auto q = conn_->query("SELECT MAX(id) FROM data WHERE ?<=id AND id<?");
      q.bind(p << 48, (p + 1) << 48).step();
      const auto last = q.opt_u64(0);
      next_data_id_[p] = last ? *last + 1 : p << 48;
    }
  }
  readable_.clear();
  if (const auto own = nid()) {
    auto q = conn_->query("SELECT partition, tid FROM pt WHERE nid=?");
    q.bind(own->value);
    while (q.step()) {
      if (is_readable(cell_state_of(q.i64(1))))
        readable_.insert(static_cast<std::uint32_t>(q.i64(0)));
    }
  }
}

// The pt.tid of an own cell that is (or becomes) OUT_OF_DATE: where it is
// known to be complete. A cell that was readable is complete up to its last
// transaction (or the backup TID in backup mode).
std::int64_t SqliteDatabase::out_of_date_tid(std::uint32_t partition, std::int64_t previous,
                                             std::uint64_t backup_tid) {
  if (previous >= 0) return previous;
  if (!is_readable(cell_state_of(previous))) return 0;
  if (backup_tid) return static_cast<std::int64_t>(backup_tid);
  return std::max({std::int64_t{0}, partition_last_ids(partition).first,
                   partition_last_tid(partition, std::nullopt)});
}

Result<std::vector<std::uint32_t>> SqliteDatabase::change_partition_table(
    std::int64_t ptid, std::int64_t num_replicas, std::span<const protocol::CellChange> cells,
    bool reset, Tid last_pack_id) {
  return guard([&] {
    const auto own = nid();
    std::map<std::uint32_t, std::int64_t> before;
    for (const PtRow& row : read_pt()) {
      if (own && row.nid == *own) before[row.partition] = row.tid;
    }
    const std::uint64_t backup = backup_tid().value_or(kZeroTid).value;
    std::set<std::uint32_t> drop, assigned;
    std::int64_t max_offset = -1;
    std::vector<PtChange> changes;
    for (const protocol::CellChange& cell : cells) {
      const auto partition = static_cast<std::uint32_t>(cell.offset);
      max_offset = std::max(max_offset, cell.offset);
      const bool mine = own && cell.nid == *own;
      PtChange change{partition, cell.nid, std::nullopt, std::nullopt};
      if (cell.state == CellState::Discarded) {
        if (mine) drop.insert(partition);
      } else {
        if (mine) {
          assigned.insert(partition);
          change.pack = is_readable(cell.state) ? 0 : last_pack_id.value;
        }
        if (!mine || cell.state != CellState::OutOfDate) {
          change.tid = pt_tid_of(cell.state);
        } else {
          auto it = before.find(partition);
          change.tid = out_of_date_tid(partition, it == before.end() ? 0 : it->second, backup);
        }
      }
      changes.push_back(change);
    }
    if (reset) {
      for (std::int64_t p = 0; p <= max_offset; ++p) drop.insert(static_cast<std::uint32_t>(p));
    }
    for (std::uint32_t p : assigned) drop.erase(p);
    change_pt(changes, reset);
    update_readable(reset);
    do_set_config("ptid", std::to_string(ptid));
    do_set_config("replicas", std::to_string(num_replicas));
    return std::vector<std::uint32_t>(drop.begin(), drop.end());
  });
}

std::error_code SqliteDatabase::update_cell_tid(std::uint32_t partition, Tid tid) {
  return guard([&] {
    const auto own = nid();
    std::optional<std::int64_t> current;
    for (const PtRow& row : read_pt()) {
      if (own && row.nid == *own && row.partition == partition) current = row.tid;
    }
    if (!current) {
      sqlite::fail(make_error_code(errc::invalid_argument),
                   "no own cell for partition " + std::to_string(partition));
    }
    const auto value = static_cast<std::int64_t>(tid.value);
    if (*current < 0 || *current == value) return;
    change_pt({PtChange{partition, *own, value, std::nullopt}}, false);
  });
}

Result<std::vector<CellNextTid>> SqliteDatabase::cell_next_tids() {
  return guard([&] {
    std::vector<CellNextTid> result;
    const auto backup = backup_tid();
    std::uint64_t next = backup ? backup->value : 0;
    if (next) ++next;
    const auto own = nid();
    for (const PtRow& row : read_pt()) {
      if (!own || row.nid != *own) continue;
      CellNextTid cell{row.partition};
      if (row.tid >= 0) {
        cell.out_of_date = true;
        cell.next_trans = cell.next_obj =
            Tid{row.tid ? static_cast<std::uint64_t>(row.tid) + 1 : 0};
      } else if (is_readable(cell_state_of(row.tid))) {
        if (backup) {
          // Transactions are replicated whole, objects of the last one may not be.
          const auto last_trans = partition_last_tid(row.partition, std::nullopt);
          const auto last_obj = partition_last_ids(row.partition).first;
          cell.next_trans =
              Tid{std::max<std::uint64_t>(next, static_cast<std::uint64_t>(last_trans + 1))};
          cell.next_obj = Tid{
              last_obj < 0 ? next
                           : std::max<std::uint64_t>(next, static_cast<std::uint64_t>(last_obj))};
        }
      } else {
        continue;
      }
      result.push_back(cell);
    }
    return result;
  });
}

}  // namespace neo::storage
