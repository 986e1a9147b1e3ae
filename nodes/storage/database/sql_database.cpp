// SqlDatabase: the commit policy, configuration and partition table.
#include "nodes/storage/database/sql_database.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <map>

#include "nodes/storage/database/database_logic.hpp"
#include "nodes/storage/database/sql_guard.hpp"

namespace neo::storage {

void sql_fail(std::error_code code, std::string message) {
  throw SqlFailure{code, std::move(message)};
}

// ---- life cycle ----

void SqlDatabase::do_commit() {
  commit_connection();
  last_commit_ = std::chrono::steady_clock::now();
  deferred_commit_ = false;
}

std::error_code SqlDatabase::commit() {
  return guard([&] { do_commit(); });
}

std::error_code SqlDatabase::commit_deferred() {
  if (!deferred_commit_) return {};
  return commit();
}

std::error_code SqlDatabase::commit_from_time_to_time(double seconds) {
  const auto elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - last_commit_);
  if (elapsed.count() <= seconds) return {};
  return commit();
}

std::error_code SqlDatabase::reset() {
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

Result<std::pair<std::string, std::string>> SqlDatabase::host_and_device(const std::string& path) {
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0)
    return std::error_code(errno, std::system_category());
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::error_code(errno, std::system_category());
  return std::pair<std::string, std::string>(host, std::to_string(st.st_dev));
}

// ---- configuration ----

int SqlDatabase::schema_version() const {
  int version = 0;
  if (auto text = config("version")) {
    auto parsed = parse_int(*text);
    if (!parsed) throw DatabaseError("invalid schema version: " + *text);
    version = static_cast<int>(*parsed);
  }
  if (version > kVersion) {
    throw DatabaseError("The database can not be downgraded (schema version " +
                        std::to_string(version) + ", this program knows up to " +
                        std::to_string(kVersion) + ").");
  }
  return version;
}

void SqlDatabase::check_no_unfinished_transactions() {
  if (table_nonempty("ttrans").value_or(false) || table_nonempty("tobj").value_or(false)) {
    throw DatabaseError(
        "The database can not be upgraded because you have unfinished transactions."
        " Use an older version of NEO to verify them.");
  }
}

void SqlDatabase::check_config() const {
  auto check = [&](std::string_view key, bool valid) {
    if (!valid) {
      throw DatabaseError("invalid value of " + std::string(key) +
                          " in table config: " + *config(key));
    }
  };
  for (std::string_view key : {"nid", "ptid", "replicas"}) {
    if (config(key)) check(key, parse_int(*config(key)).has_value());
  }
  if (config("nid")) {
    const auto nid = *parse_int(*config("nid"));
    check("nid", nid >= INT32_MIN && nid <= INT32_MAX);
  }
  for (std::string_view key : {"backup_tid", "truncate_tid"}) {
    if (config(key)) check(key, parse_hex_tid(*config(key)).has_value());
  }
}

std::optional<std::string> SqlDatabase::config(std::string_view key) const {
  auto it = config_.find(key);
  if (it == config_.end()) return std::nullopt;
  return it->second;
}

void SqlDatabase::do_set_config(std::string_view key, std::optional<std::string> value) {
  write_config(key, value);
  if (value) {
    config_[std::string(key)] = std::move(*value);
  } else if (auto it = config_.find(key); it != config_.end()) {
    config_.erase(it);
  }
}

std::error_code SqlDatabase::set_config(std::string_view key, std::optional<std::string> value) {
  return guard([&] { do_set_config(key, std::move(value)); });
}

std::error_code SqlDatabase::set_name(std::string_view name) {
  return guard([&] {
    do_set_config("name", std::string(name));
    do_commit();
  });
}

std::optional<NodeId> SqlDatabase::nid() const {
  auto text = config("nid");
  auto value = text ? parse_int(*text) : std::nullopt;
  if (!value) return std::nullopt;
  return NodeId{static_cast<std::int32_t>(*value)};
}

std::error_code SqlDatabase::set_nid(NodeId new_nid) {
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

std::optional<std::int64_t> SqlDatabase::ptid() const {
  auto text = config("ptid");
  return text ? parse_int(*text) : std::nullopt;
}

std::optional<std::int64_t> SqlDatabase::num_replicas() const {
  auto text = config("replicas");
  return text ? parse_int(*text) : std::nullopt;
}

std::optional<Tid> SqlDatabase::backup_tid() const {
  auto text = config("backup_tid");
  return text ? parse_hex_tid(*text) : std::nullopt;
}

std::error_code SqlDatabase::set_backup_tid(std::optional<Tid> tid) {
  return set_config("backup_tid", tid ? std::optional(dump_tid(*tid)) : std::nullopt);
}

std::optional<Tid> SqlDatabase::truncate_tid() const {
  auto text = config("truncate_tid");
  return text ? parse_hex_tid(*text) : std::nullopt;
}

std::error_code SqlDatabase::set_truncate_tid(std::optional<Tid> tid) {
  return set_config("truncate_tid", tid ? std::optional(dump_tid(*tid)) : std::nullopt);
}

// ---- partition table ----

std::uint32_t SqlDatabase::partition_of(std::uint64_t id) const {
  if (np_ == 0) sql_fail(make_error_code(errc::not_ready), "no partition table");
  return static_cast<std::uint32_t>(id % np_);
}

std::uint32_t SqlDatabase::readable_partition_of(std::uint64_t id) const {
  return readable(partition_of(id));
}

std::uint32_t SqlDatabase::readable(std::uint32_t partition) const {
  if (!readable_.count(partition)) {
    sql_fail(make_error_code(errc::non_readable_cell),
             "partition " + std::to_string(partition) + " is not readable");
  }
  return partition;
}

Result<std::vector<PtRow>> SqlDatabase::pt_rows() {
  return guard([&] { return read_pt(); });
}

Result<std::vector<CellRow>> SqlDatabase::partition_table() {
  return guard([&] {
    std::vector<CellRow> cells;
    for (const PtRow& row : read_pt()) {
      cells.push_back(CellRow{row.partition, row.nid, cell_state_of(row.tid)});
    }
    return cells;
  });
}

Result<std::vector<std::pair<std::uint32_t, std::int64_t>>> SqlDatabase::assigned_cells() {
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

void SqlDatabase::set_replicating(std::uint32_t partition, bool replicating) {
  if (replicating) {
    readable_.insert(partition);
  } else {
    readable_.erase(partition);
  }
}

void SqlDatabase::change_pt(const std::vector<PtChange>& cells, bool reset) {
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
    write_cell(cell);
  }
  for (const auto& [partition, node] : deleted) delete_cell(partition, node);
}

void SqlDatabase::update_readable(bool recompute_partitions) {
  const auto greatest = max_partition();
  const std::uint32_t np = greatest ? static_cast<std::uint32_t>(*greatest + 1) : 0;
  if (recompute_partitions || np != np_) {
    np_ = np;
    next_data_id_.assign(np, 0);
    for (std::uint64_t p = 0; p < np; ++p) {
      const auto last = max_data_id(p << 48, (p + 1) << 48);
      next_data_id_[p] = last ? *last + 1 : p << 48;
    }
  }
  readable_.clear();
  if (const auto own = nid()) {
    for (const auto& [partition, tid] : cells_of(*own)) {
      if (is_readable(cell_state_of(tid))) readable_.insert(partition);
    }
  }
}

// The pt.tid of an own cell that is (or becomes) OUT_OF_DATE: where it is
// known to be complete. A cell that was readable is complete up to its last
// transaction (or the backup TID in backup mode).
std::int64_t SqlDatabase::out_of_date_tid(std::uint32_t partition, std::int64_t previous,
                                          std::uint64_t backup_tid) {
  if (previous >= 0) return previous;
  if (!is_readable(cell_state_of(previous))) return 0;
  if (backup_tid) return static_cast<std::int64_t>(backup_tid);
  return std::max({std::int64_t{0}, partition_last_ids(partition).first,
                   partition_last_tid(partition, std::nullopt)});
}

Result<std::vector<std::uint32_t>> SqlDatabase::change_partition_table(
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

std::error_code SqlDatabase::update_cell_tid(std::uint32_t partition, Tid tid) {
  return guard([&] {
    const auto own = nid();
    std::optional<std::int64_t> current;
    for (const PtRow& row : read_pt()) {
      if (own && row.nid == *own && row.partition == partition) current = row.tid;
    }
    if (!current) {
      sql_fail(make_error_code(errc::invalid_argument),
               "no own cell for partition " + std::to_string(partition));
    }
    const auto value = static_cast<std::int64_t>(tid.value);
    if (*current < 0 || *current == value) return;
    change_pt({PtChange{partition, *own, value, std::nullopt}}, false);
  });
}

Result<std::vector<CellNextTid>> SqlDatabase::cell_next_tids() {
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
