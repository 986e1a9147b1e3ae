#include "nodes/master/recovery.hpp"

#include <algorithm>

namespace neo::master {

void Recovery::reset() { *this = Recovery{}; }

bool Recovery::answered(NodeId nid, const protocol::AnswerRecovery& answer) {
  backup_tids_[nid] = answer.backup_tid;
  truncate_tids_[nid] = answer.truncate_tid;
  const std::optional<std::int64_t> ptid = answer.ptid;
  if (!ptid || *ptid == 0 || *ptid < target_ptid_) return false;
  if (*ptid == target_ptid_ && ask_pt_ && !ask_pt_->empty()) {
    ask_pt_->push_back(nid);  // another node is already asked
    return false;
  }
  if (*ptid > target_ptid_ || ask_pt_) {
    target_ptid_ = *ptid;
    ask_pt_ = std::deque<NodeId>{nid};
    return true;
  }
  return false;  // that table is already loaded
}

bool Recovery::take_table(std::optional<std::int64_t> ptid) {
  if (!ptid || *ptid != target_ptid_) return false;
  ask_pt_.reset();
  return true;
}

std::optional<NodeId> Recovery::lost(NodeId nid) {
  backup_tids_.erase(nid);
  truncate_tids_.erase(nid);
  if (!ask_pt_) return std::nullopt;
  auto it = std::find(ask_pt_->begin(), ask_pt_->end(), nid);
  if (it == ask_pt_->end()) return std::nullopt;
  const bool first = it == ask_pt_->begin();
  ask_pt_->erase(it);
  if (first && !ask_pt_->empty()) return ask_pt_->front();
  return std::nullopt;
}

std::map<NodeId, Tid> Recovery::backup_tids() const {
  std::map<NodeId, Tid> out;
  for (const auto& [nid, tid] : backup_tids_)
    if (tid) out[nid] = *tid;
  return out;
}

std::optional<Tid> Recovery::backup_tid(NodeId nid) const {
  auto it = backup_tids_.find(nid);
  return it == backup_tids_.end() ? std::nullopt : it->second;
}

std::optional<Tid> Recovery::truncate_tid(NodeId nid) const {
  auto it = truncate_tids_.find(nid);
  return it == truncate_tids_.end() ? std::nullopt : it->second;
}

std::vector<NodeId> Recovery::untruncated(Tid tid) const {
  std::vector<NodeId> out;
  for (const auto& [nid, recorded] : truncate_tids_)
    if (!recorded || tid < *recorded) out.push_back(nid);
  return out;
}

std::optional<std::vector<NodeId>> Recovery::decide(const Input& in) {
  // Never leave with an older table while a newer one is known to exist:
  // its cells' states are the current ones.
  if (in.table_awaited) return std::nullopt;
  std::vector<NodeId> nodes;
  if (in.pt_filled) {
    // An existing cluster: every node with readable cells must be back,
    // unless the operator allowed the start (then the connected ones).
    nodes.assign(in.operational.begin(), in.operational.end());
    if (in.startup_allowed) {
      std::erase_if(nodes, [&](NodeId nid) { return !in.is_pending(nid); });
    } else if (!nodes.empty()) {
      // Truncating: any node with cells may hold data after the TID.
      if (in.truncate_tid) nodes.assign(in.pt_nodes.begin(), in.pt_nodes.end());
      if (!std::all_of(nodes.begin(), nodes.end(), in.is_pending)) return std::nullopt;
    }
  } else if (in.startup_allowed || in.autostart.value_or(0) > 0) {
    // A new cluster out of every connected storage.
    nodes = in.identified_storages;
    if (!in.startup_allowed && static_cast<std::int64_t>(nodes.size()) < in.autostart.value_or(0))
      return std::nullopt;
  } else {
    return std::nullopt;
  }
  if (nodes.empty() || std::any_of(nodes.begin(), nodes.end(), in.has_outstanding))
    return std::nullopt;
  if (in.pt_filled) return in.connected_members;
  return nodes;
}

}  // namespace neo::master
