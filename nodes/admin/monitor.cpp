#include "nodes/admin/monitor.hpp"

#include <set>

namespace neo::admin {

using protocol::CellState;
using protocol::ClusterState;

MonitorState monitor_state(const ClusterView& view) {
  MonitorState state;
  state.cluster_state = view.cluster_state();
  const auto& table = view.pt();
  if (!table) return state;
  std::set<NodeId> down;
  std::map<CellState, int> summary;
  for (std::uint32_t offset = 0; offset < table->num_partitions(); ++offset) {
    for (const pt::Cell& cell : table->row(offset)) {
      if (view.state_of(cell.nid) != protocol::NodeState::Running) down.insert(cell.nid);
      ++summary[cell.state];
    }
  }
  state.pt_summary = std::move(summary);
  state.down = static_cast<int>(down.size());
  return state;
}

bool operational(const MonitorState& state) {
  return state.cluster_state == ClusterState::BackingUp ||
         state.cluster_state == ClusterState::Running;
}

int severity(const MonitorState& state) {
  if (state.down || !operational(state)) return 2;
  const bool all_up_to_date = state.pt_summary && state.pt_summary->size() == 1 &&
                              state.pt_summary->begin()->first == CellState::UpToDate;
  return all_up_to_date ? 0 : 1;
}

std::string format_summary(const MonitorState& state) {
  std::string text = state.cluster_state ? std::string(to_string(*state.cluster_state)) : "None";
  if (state.pt_summary && !state.pt_summary->empty()) {
    const char* separator = "; ";
    for (const auto& [cell_state, count] : *state.pt_summary) {
      text += separator;
      text += to_string(cell_state);
      text += "=" + std::to_string(count);
      separator = ", ";
    }
  }
  if (state.down) text += "; DOWN=" + std::to_string(state.down);
  if (!operational(state)) return text;
  const std::optional<Tid> tid =
      state.cluster_state == ClusterState::BackingUp ? state.backup_tid : state.ltid;
  if (!tid) return text;
  return text + "; ltid=" + hex(p64(tid->value)) + " (" + datetime_from_tid(*tid) + ")";
}

protocol::AnswerMonitorInformation monitor_answer(const MonitorState& state) {
  protocol::AnswerMonitorInformation answer;
  answer.summary = format_summary(state);
  const int level = severity(state);
  if (level == 1) answer.warning_list.push_back(std::nullopt);
  if (level == 2) answer.problem_list.push_back(std::nullopt);
  return answer;
}

}  // namespace neo::admin
