#include "core/pt/partition_table.hpp"

#include <algorithm>
#include <cstdio>
#include <map>

namespace neo::pt {

bool is_readable(CellState state) {
  return state == CellState::UpToDate || state == CellState::Feeding;
}

bool is_writable(CellState state) {
  return state == CellState::OutOfDate || state == CellState::UpToDate ||
         state == CellState::Feeding;
}

char cell_state_letter(CellState state) {
  switch (state) {
    case CellState::UpToDate:
      return 'U';
    case CellState::OutOfDate:
      return 'O';
    case CellState::Feeding:
      return 'F';
    case CellState::Discarded:
      return 'D';
    case CellState::Corrupted:
      return 'C';
  }
  return '?';
}

char node_state_letter(NodeState state) {
  switch (state) {
    case NodeState::Running:
      return 'R';
    case NodeState::Down:
      return 'D';
    case NodeState::Unknown:
      return 'U';
    case NodeState::Pending:
      return 'P';
  }
  return '?';
}

PartitionTable::PartitionTable(std::uint32_t partitions, std::uint32_t replicas)
    : replicas_(replicas), rows_(partitions) {}

void PartitionTable::clear() {
  ptid_.reset();
  for (auto& row : rows_) row.clear();
  members_.clear();
}

std::uint32_t PartitionTable::partition_of(std::uint64_t id) const {
  return static_cast<std::uint32_t>(id % rows_.size());
}

std::vector<Cell> PartitionTable::cells(std::uint32_t offset, bool readable_only) const {
  std::vector<Cell> result;
  for (const Cell& cell : rows_[offset]) {
    if (!readable_only || cell.readable()) result.push_back(cell);
  }
  return result;
}

const Cell* PartitionTable::find_cell(std::uint32_t offset, NodeId nid) const {
  for (const Cell& cell : rows_[offset]) {
    if (cell.nid == nid) return &cell;
  }
  return nullptr;
}

Cell* PartitionTable::find_mutable(std::uint32_t offset, NodeId nid) {
  return const_cast<Cell*>(find_cell(offset, nid));
}

bool PartitionTable::has_offset(std::int64_t offset) const {
  return offset >= 0 && offset < static_cast<std::int64_t>(rows_.size()) && !rows_[offset].empty();
}

bool PartitionTable::is_assigned(Oid oid, NodeId nid) const {
  return find_cell(partition_of(oid), nid) != nullptr;
}

bool PartitionTable::is_readable_at(std::uint32_t offset, NodeId nid) const {
  const Cell* cell = find_cell(offset, nid);
  return cell && cell->readable();
}

bool PartitionTable::is_readable(Oid oid, NodeId nid) const {
  return is_readable_at(partition_of(oid), nid);
}

bool PartitionTable::is_readable(Tid tid, NodeId nid) const {
  return is_readable_at(partition_of(tid), nid);
}

std::vector<std::uint32_t> PartitionTable::partitions_of(NodeId nid) const {
  std::vector<std::uint32_t> result;
  for (std::uint32_t offset = 0; offset < rows_.size(); ++offset) {
    if (find_cell(offset, nid)) result.push_back(offset);
  }
  return result;
}

std::vector<std::uint32_t> PartitionTable::readable_partitions(NodeId nid) const {
  std::vector<std::uint32_t> result;
  for (std::uint32_t offset = 0; offset < rows_.size(); ++offset) {
    if (is_readable_at(offset, nid)) result.push_back(offset);
  }
  return result;
}

std::vector<std::uint32_t> PartitionTable::outdated_partitions(NodeId nid) const {
  std::vector<std::uint32_t> result;
  for (std::uint32_t offset = 0; offset < rows_.size(); ++offset) {
    const Cell* cell = find_cell(offset, nid);
    if (cell && cell->state == CellState::OutOfDate) result.push_back(offset);
  }
  return result;
}

std::vector<std::pair<std::uint32_t, Cell>> PartitionTable::cells_of(NodeId nid) const {
  std::vector<std::pair<std::uint32_t, Cell>> result;
  for (std::uint32_t offset = 0; offset < rows_.size(); ++offset) {
    if (const Cell* cell = find_cell(offset, nid)) result.emplace_back(offset, *cell);
  }
  return result;
}

std::set<NodeId> PartitionTable::node_set(bool readable_only) const {
  std::set<NodeId> result;
  for (const auto& row : rows_) {
    for (const Cell& cell : row) {
      if (!readable_only || cell.readable()) result.insert(cell.nid);
    }
  }
  return result;
}

bool PartitionTable::filled() const {
  return std::none_of(rows_.begin(), rows_.end(), [](const auto& row) { return row.empty(); });
}

bool PartitionTable::operational(const NodeStateFn& state_of,
                                 std::span<const NodeId> exclude) const {
  if (!filled()) return false;
  for (const auto& row : rows_) {
    bool served = std::any_of(row.begin(), row.end(), [&](const Cell& cell) {
      return cell.readable() && state_of(cell.nid) == NodeState::Running &&
             std::find(exclude.begin(), exclude.end(), cell.nid) == exclude.end();
    });
    if (!served) return false;
  }
  return true;
}

std::vector<NodeId> PartitionTable::add_nodes(std::span<const NodeId> nids) {
  std::vector<NodeId> added;
  for (NodeId nid : nids) {
    if (members_.insert(nid).second) added.push_back(nid);
  }
  return added;
}

std::uint32_t PartitionTable::cell_count(NodeId nid) const {
  std::uint32_t count = 0;
  for (const auto& row : rows_) {
    for (const Cell& cell : row) {
      if (cell.nid == nid && cell.state != CellState::Feeding) ++count;
    }
  }
  return count;
}

bool PartitionTable::drop_node(NodeId nid) {
  if (!members_.contains(nid)) return true;
  if (cell_count(nid)) return false;
  members_.erase(nid);
  return true;
}

void PartitionTable::assign_state(Cell& cell, CellState state) {
  cell.state = state;
  if (!cell.readable()) cell.updatable = false;
}

void PartitionTable::set_cell(std::uint32_t offset, NodeId nid, CellState state) {
  if (state == CellState::Discarded) {
    remove_cell(offset, nid);
    return;
  }
  members_.insert(nid);
  if (Cell* cell = find_mutable(offset, nid)) {
    assign_state(*cell, state);
  } else {
    rows_[offset].push_back(Cell{.nid = nid, .state = state});
  }
}

void PartitionTable::remove_cell(std::uint32_t offset, NodeId nid) {
  auto& row = rows_[offset];
  auto it = std::find_if(row.begin(), row.end(), [&](const Cell& c) { return c.nid == nid; });
  if (it != row.end()) row.erase(it);
}

std::error_code PartitionTable::load(std::optional<Ptid> ptid, std::int64_t num_replicas,
                                     const protocol::RowList& rows) {
  if (num_replicas < 0 || num_replicas > UINT32_MAX) return errc::protocol_error;
  for (const auto& row : rows) {
    for (const auto& cell : row) {
      if (cell.state == CellState::Discarded) return errc::protocol_error;
    }
  }
  rows_.assign(rows.size(), {});
  members_.clear();
  ptid_ = ptid;
  replicas_ = static_cast<std::uint32_t>(num_replicas);
  for (std::uint32_t offset = 0; offset < rows.size(); ++offset) {
    for (const auto& cell : rows[offset]) set_cell(offset, cell.nid, cell.state);
  }
  return {};
}

std::error_code PartitionTable::apply(Ptid ptid, std::int64_t num_replicas,
                                      std::span<const protocol::CellChange> changes,
                                      PtidRule rule) {
  if (rule == PtidRule::Next ? !ptid_ || ptid != *ptid_ + 1 : ptid_ && ptid <= *ptid_) {
    return errc::protocol_error;
  }
  if (num_replicas < 0 || num_replicas > UINT32_MAX) return errc::protocol_error;
  for (const auto& change : changes) {
    if (change.offset < 0 || change.offset >= static_cast<std::int64_t>(rows_.size())) {
      return errc::protocol_error;
    }
  }
  ptid_ = ptid;
  replicas_ = static_cast<std::uint32_t>(num_replicas);
  for (const auto& change : changes) {
    set_cell(static_cast<std::uint32_t>(change.offset), change.nid, change.state);
  }
  return {};
}

protocol::RowList PartitionTable::row_list() const {
  protocol::RowList result(rows_.size());
  for (std::size_t offset = 0; offset < rows_.size(); ++offset) {
    for (const Cell& cell : rows_[offset]) result[offset].push_back({cell.nid, cell.state});
  }
  return result;
}

Result<protocol::RowList> PartitionTable::row_list(std::int64_t min_offset,
                                                   std::int64_t max_offset) const {
  const auto np = static_cast<std::int64_t>(rows_.size());
  if (max_offset == 0) max_offset = np;
  protocol::RowList result;
  for (std::int64_t offset = min_offset; offset < max_offset; ++offset) {
    if (offset < 0 || offset >= np) return errc::protocol_error;
    auto& row = result.emplace_back();
    for (const Cell& cell : rows_[offset]) row.push_back({cell.nid, cell.state});
  }
  return result;
}

std::vector<std::string> PartitionTable::format(const NodeStateFn& state_of,
                                                std::string_view prefix) const {
  std::vector<std::string> lines;
  if (members_.empty()) return lines;
  const std::size_t np = rows_.size();
  std::map<NodeId, std::string> columns;
  for (NodeId nid : members_) columns[nid].assign(np, '.');
  for (std::size_t offset = 0; offset < np; ++offset) {
    for (const Cell& cell : rows_[offset]) {
      auto it = columns.find(cell.nid);
      if (it != columns.end()) it->second[offset] = cell_state_letter(cell.state);
    }
  }
  // NEO/py pads ids to the width of the greatest one.
  const std::size_t width = to_string(*members_.rbegin()).size();
  if (np > 10) {
    std::string header(prefix);
    header.append(4 + width, ' ');
    for (std::size_t x = 10; x < np; x += 10) {
      std::string mark = std::to_string(x);
      if (mark.size() < 9) header.append(9 - mark.size(), ' ');
      header += mark;
      header += 'v';
    }
    lines.push_back(std::move(header));
  }
  for (const auto& [nid, column] : columns) {
    std::string line(prefix);
    std::string id = to_string(nid);
    line += id;
    if (id.size() < width) line.append(width - id.size(), ' ');
    line += ' ';
    line += node_state_letter(state_of(nid));
    line += ' ';
    line += column;
    lines.push_back(std::move(line));
  }
  return lines;
}

}  // namespace neo::pt
