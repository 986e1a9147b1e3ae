// MariaDbDatabase: changes of the partition table and replication resume points.
#include <algorithm>
#include <map>

#include "nodes/storage/database/database_logic.hpp"
#include "nodes/storage/database/mariadb_guard.hpp"

namespace neo::storage {

Result<std::vector<std::uint32_t>> MariaDbDatabase::change_partition_table(
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

std::error_code MariaDbDatabase::update_cell_tid(std::uint32_t partition, Tid tid) {
  return guard([&] {
    const auto own = nid();
    std::optional<std::int64_t> current;
    for (const PtRow& row : read_pt()) {
      if (own && row.nid == *own && row.partition == partition) current = row.tid;
    }
    if (!current) {
      mariadb::fail(make_error_code(errc::invalid_argument),
                    "no own cell for partition " + std::to_string(partition));
    }
    const auto value = static_cast<std::int64_t>(tid.value);
    if (*current < 0 || *current == value) return;
    change_pt({PtChange{partition, *own, value, std::nullopt}}, false);
  });
}

Result<std::vector<CellNextTid>> MariaDbDatabase::cell_next_tids() {
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
