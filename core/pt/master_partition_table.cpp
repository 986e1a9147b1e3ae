#include "core/pt/master_partition_table.hpp"

#include <algorithm>

namespace neo::pt {

namespace {

bool contains(std::span<const NodeId> nids, NodeId nid) {
  return std::find(nids.begin(), nids.end(), nid) != nids.end();
}

protocol::CellChange change(std::uint32_t offset, NodeId nid, CellState state) {
  return {.offset = offset, .nid = nid, .state = state};
}

}  // namespace

Changes MasterPartitionTable::make(std::span<const NodeId> storages, const DevpathFn& devpath_of) {
  if (ptid_) return {.refused = "a partition table already exists"};
  if (storages.empty()) return {.refused = "no storage node to make a partition table"};
  add_nodes(storages);
  Changes result = tweak({}, devpath_of);
  if (!result.ok()) return result;
  for (auto it = members_.begin(); it != members_.end();) {
    it = cell_count(*it) ? std::next(it) : members_.erase(it);
  }
  return result;
}

MasterPartitionTable::DryRun MasterPartitionTable::tweak_dry_run(
    std::span<const NodeId> excluded, const DevpathFn& devpath_of) const {
  MasterPartitionTable copy = *this;
  DryRun result;
  result.changes = copy.tweak(excluded, devpath_of);
  result.rows = copy.row_list();
  return result;
}

Changes MasterPartitionTable::outdate(const NodeStateFn& state_of,
                                      std::optional<NodeId> lost_node) {
  Changes result;
  for (std::uint32_t offset = 0; offset < rows_.size(); ++offset) {
    // lost_node keeps its cells where no running node has a readable one.
    bool spare_lost = lost_node.has_value();
    std::vector<NodeId> stopped;
    for (const Cell& cell : rows_[offset]) {
      if (!cell.readable()) continue;
      if (state_of(cell.nid) == NodeState::Running) {
        spare_lost = false;
      } else {
        stopped.push_back(cell.nid);
      }
    }
    for (NodeId nid : stopped) {
      if (spare_lost && nid == *lost_node) continue;
      Cell* cell = find_mutable(offset, nid);
      if (cell->state == CellState::Feeding) {
        remove_cell(offset, nid);
        result.cells.push_back(change(offset, nid, CellState::Discarded));
      } else {
        assign_state(*cell, CellState::OutOfDate);
        result.cells.push_back(change(offset, nid, CellState::OutOfDate));
      }
    }
  }
  return result;
}

void MasterPartitionTable::mark_updatable(NodeId nid, std::span<const std::int64_t> offsets) {
  for (std::int64_t offset : offsets) {
    if (offset < 0 || offset >= static_cast<std::int64_t>(rows_.size())) continue;
    Cell* cell = find_mutable(static_cast<std::uint32_t>(offset), nid);
    if (cell && !cell->readable()) cell->updatable = true;
  }
}

Changes MasterPartitionTable::set_up_to_date(NodeId nid, std::uint32_t offset) {
  if (offset >= rows_.size()) return {.refused = "Non-assigned partition"};
  Cell* cell = find_mutable(offset, nid);
  if (!cell) return {.refused = "Non-assigned partition"};
  if (cell->state != CellState::OutOfDate || !cell->updatable) return {};
  assign_state(*cell, CellState::UpToDate);
  Changes result;
  result.cells.push_back(change(offset, nid, CellState::UpToDate));

  const auto& row = rows_[offset];
  std::size_t readable = 0;
  std::vector<NodeId> feeding;
  for (const Cell& c : row) {
    if (!c.readable()) continue;
    ++readable;
    if (c.state == CellState::Feeding) feeding.push_back(c.nid);
  }
  if (readable != row.size()) {
    // Some cells are not readable: discard at most what keeps the wanted
    // number of readable cells, first the feeding cells of nodes being
    // emptied (all their cells feeding: the nodes to drop).
    auto only_feeding = [&](NodeId n) {
      for (const auto& [o, c] : cells_of(n)) {
        if (c.state != CellState::Feeding) return false;
      }
      return true;
    };
    std::stable_partition(feeding.begin(), feeding.end(), only_feeding);
    const std::int64_t keep = static_cast<std::int64_t>(readable) - replicas_;
    feeding.resize(std::min<std::size_t>(feeding.size(), std::max<std::int64_t>(0, keep)));
  }
  for (NodeId n : feeding) {
    remove_cell(offset, n);
    result.cells.push_back(change(offset, n, CellState::Discarded));
  }
  return result;
}

Changes MasterPartitionTable::drop_nodes(std::span<const NodeId> nids, bool simulate) {
  Changes result;
  std::vector<std::vector<Cell>> new_rows(rows_.size());
  std::vector<std::pair<std::uint32_t, NodeId>> promoted;
  for (std::uint32_t offset = 0; offset < rows_.size(); ++offset) {
    const auto& row = rows_[offset];
    std::optional<NodeId> feeding;
    bool drop_readable = false, up_to_date = false;
    for (const Cell& cell : row) {
      if (contains(nids, cell.nid)) {
        result.cells.push_back(change(offset, cell.nid, CellState::Discarded));
        drop_readable |= cell.readable();
      } else {
        new_rows[offset].push_back(cell);
        if (cell.state == CellState::Feeding) {
          feeding = cell.nid;
        } else if (cell.state == CellState::UpToDate) {
          up_to_date = true;
        }
      }
    }
    if (feeding) {
      if (new_rows[offset].size() < row.size()) {
        result.cells.push_back(change(offset, *feeding, CellState::UpToDate));
        promoted.emplace_back(offset, *feeding);
      }
    } else if (drop_readable && !up_to_date) {
      return {.refused =
                  "Refuse to drop nodes that contain the only readable copies of partition " +
                  std::to_string(offset)};
    }
  }
  if (!simulate) {
    rows_ = std::move(new_rows);
    for (const auto& [offset, nid] : promoted)
      assign_state(*find_mutable(offset, nid), CellState::UpToDate);
    for (NodeId nid : nids) members_.erase(nid);
  }
  return result;
}

std::set<NodeId> MasterPartitionTable::operational_nodes(const NodeStateFn& state_of) const {
  std::set<NodeId> result;
  for (const auto& row : rows_) {
    bool pending = std::any_of(row.begin(), row.end(), [&](const Cell& c) {
      return c.readable() && state_of(c.nid) == NodeState::Pending;
    });
    if (!pending) return {};
    for (const Cell& c : row) {
      if (c.readable()) result.insert(c.nid);
    }
  }
  return result;
}

}  // namespace neo::pt
