#include "core/pt/format.hpp"

#include <cstdio>
#include <map>

namespace neo::pt {

namespace {

std::string join(const std::vector<std::string>& lines) {
  std::string result;
  for (const auto& line : lines) {
    if (!result.empty()) result += '\n';
    result += line;
  }
  return result;
}

}  // namespace

std::string format_matrix(const protocol::RowList& rows,
                          std::span<const protocol::NodeInfo> storages) {
  std::map<NodeId, NodeState> states;
  std::vector<NodeId> running;
  for (const auto& info : storages) {
    if (!info.nid) continue;
    states[*info.nid] = info.state;
    if (info.state == NodeState::Running) running.push_back(*info.nid);
  }
  PartitionTable table;
  (void)table.load(std::nullopt, 0, rows);  // rows from the wire hold no DISCARDED cell
  table.add_nodes(running);
  auto state_of = [&](NodeId nid) {
    auto it = states.find(nid);
    return it == states.end() ? NodeState::Unknown : it->second;
  };
  return join(table.format(state_of));
}

std::string format_rows(const protocol::RowList& rows, std::int64_t min_offset) {
  std::vector<std::string> lines;
  std::int64_t offset = min_offset;
  for (const auto& row : rows) {
    char number[32];
    std::snprintf(number, sizeof number, "%03lld |", static_cast<long long>(offset++));
    std::string line = number;
    for (const auto& cell : row) {
      line += ' ';
      line += to_string(cell.nid);
      line += " - ";
      line += protocol::to_string(cell.state);
      line += " |";
    }
    lines.push_back(std::move(line));
  }
  return join(lines);
}

std::string format_print_pt(std::optional<Ptid> ptid, std::int64_t num_replicas,
                            const protocol::RowList& rows, std::int64_t min_offset,
                            std::int64_t max_offset, std::span<const protocol::NodeInfo> storages) {
  std::string result = "# ptid: " + (ptid ? std::to_string(*ptid) : std::string("None")) +
                       ", replicas: " + std::to_string(num_replicas) + "\n";
  result +=
      min_offset || max_offset ? format_rows(rows, min_offset) : format_matrix(rows, storages);
  return result;
}

}  // namespace neo::pt
