// nodes/admin/monitor.hpp
// The admin's monitoring summary (`neoctl print summary`, and later email
// notifications): a severity and a one-line text per cluster, computed as
// NEO/py's admin does ("RUNNING; UP_TO_DATE=12; ltid=03e... (2026-...)").
// Pure functions; no I/O, no logging.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "core/protocol/packets.hpp"
#include "core/util/ids.hpp"
#include "nodes/admin/cluster_view.hpp"

namespace neo::admin {

struct MonitorState {
  std::optional<protocol::ClusterState> cluster_state;
  // Cells per state, over the whole table; nullopt without table.
  std::optional<std::map<protocol::CellState, int>> pt_summary;
  int down = 0;                   // storages with cells that are not RUNNING
  std::optional<Tid> ltid;        // AnswerLastTransaction
  std::optional<Tid> backup_tid;  // AnswerRecovery, in BACKINGUP
};

// The monitoring state of the view (ltid and backup_tid are left empty).
MonitorState monitor_state(const ClusterView& view);
// RUNNING or BACKINGUP.
bool operational(const MonitorState& state);
// 0 OK, 1 WARNING (cells not all UP_TO_DATE), 2 PROBLEM (nodes down or
// cluster not operational).
int severity(const MonitorState& state);
// NEO/py's formatSummary for this cluster (no upstream to compare with).
std::string format_summary(const MonitorState& state);
// The answer to AskMonitorInformation, this cluster only (no backups).
protocol::AnswerMonitorInformation monitor_answer(const MonitorState& state);

}  // namespace neo::admin
