// MasterState: the RECOVERING state (NEO/py neo/master/recovery.py).
#include <spdlog/spdlog.h>

#include "nodes/master/master_state.hpp"

namespace neo::master {

using node::Node;
using node::NodeState;

void MasterState::begin_recovery() {
  phase_ = Phase::Recovery;
  ++generation_;
  recovery_.reset();
  waiting_.clear();
  waiting_then_ = {};
  pt_ = pt::MasterPartitionTable(config_.partitions, config_.replicas);
  SPDLOG_INFO("begin the recovery of the status");
  change_cluster_state(ClusterState::Recovering, [this](Node& node) {
    if (net::Peer* peer = peer_of(node)) recovery_storage(*peer, node);
  });
  try_masters();
  check_recovery();
}

void MasterState::recovery_storage(net::Peer&, Node& node) {
  const NodeId nid = *node.nid();
  ask(node, protocol::AskRecovery{},
      [this, nid](const protocol::AnswerRecovery& answer) { answer_recovery(nid, answer); });
}

void MasterState::answer_recovery(NodeId nid, const protocol::AnswerRecovery& answer) {
  SPDLOG_INFO("{}: recovery ptid={}", to_string(nid),
              answer.ptid ? std::to_string(*answer.ptid) : "None");
  if (recovery_.answered(nid, answer)) {
    if (Node* node = nm_.by_nid(nid)) {
      SPDLOG_INFO("{}: asking its partition table (ptid {})", to_string(nid),
                  recovery_.target_ptid());
      ask(*node, protocol::AskPartitionTable{},
          [this, nid](const protocol::AnswerPartitionTable& table) {
            answer_partition_table(nid, table);
          });
    }
  }
  check_recovery();
}

void MasterState::answer_partition_table(NodeId nid, const protocol::AnswerPartitionTable& answer) {
  // Another table is awaited: this answer only ends a request that may have
  // held the decision back.
  if (!recovery_.take_table(answer.ptid)) return check_recovery();
  if (std::error_code ec = pt_.load(answer.ptid, answer.num_replicas, answer.row_list)) {
    SPDLOG_ERROR("{}: invalid partition table: {}", to_string(nid), ec.message());
    if (Node* node = nm_.by_nid(nid))
      if (net::Peer* peer = peer_of(*node)) peer->close(errc::protocol_error);
    return;
  }
  SPDLOG_INFO("{}: loaded partition table ptid={}", to_string(nid), *answer.ptid);
  truncate_tid_ = recovery_.truncate_tid(nid);
  backup_tid_ = recovery_.backup_tid(nid);
  if (backup_tid_)
    SPDLOG_INFO("{}: the cluster backs up another one, up to {}", to_string(nid),
                to_string(*backup_tid_));
  if (truncate_tid_)
    SPDLOG_INFO("{}: truncation after {} pending: waiting for every node of the table",
                to_string(nid), to_string(*truncate_tid_));
  std::vector<protocol::NodeInfo> new_nodes;
  for (NodeId member : pt_.members()) {
    if (nm_.by_nid(member)) continue;
    Result<Node*> created = nm_.create(NodeType::Storage, member, std::nullopt, NodeState::Down);
    if (created) new_nodes.push_back((*created)->info());
  }
  const protocol::NotifyNodeInformation nodes{nm_.next_timestamp(), new_nodes};
  for (Node* admin : identified(NodeType::Admin)) {
    send_to(*admin, nodes);
    send_to(*admin, protocol::SendPartitionTable{pt_.ptid(), pt_.num_replicas(), pt_.row_list()});
  }
  check_recovery();
}

void MasterState::recovery_lost(NodeId nid) {
  if (std::optional<NodeId> next = recovery_.lost(nid)) {
    if (Node* node = nm_.by_nid(*next))
      ask(*node, protocol::AskPartitionTable{},
          [this, n = *next](const protocol::AnswerPartitionTable& table) {
            answer_partition_table(n, table);
          });
  } else if (recovery_.waiting_lost()) {
    SPDLOG_WARN(
        "Waiting for {} to come back. No other node has version {} of "
        "the partition table.",
        to_string(nid), recovery_.target_ptid());
  }
  Node* node = nm_.by_nid(nid);
  if (node && !node->is_down()) {
    SPDLOG_INFO("{}: {} -> DOWN", to_string(nid), protocol::to_string(node->state()));
    nm_.set_state(*node, NodeState::Down);
    broadcast_nodes({node});
  }
  check_recovery();
}

void MasterState::check_recovery() {
  if (phase_ != Phase::Recovery || stopping_) return;
  Recovery::Input in;
  in.pt_filled = pt_.filled();
  in.table_awaited = recovery_.target_ptid() > pt_.ptid().value_or(0);
  if (in.pt_filled) {
    in.operational = pt_.operational_nodes(state_fn());
    in.truncate_tid = truncate_tid_;
    in.pt_nodes = pt_.node_set();
  }
  in.is_pending = [this](NodeId nid) { return nm_.state_of(nid) == NodeState::Pending; };
  in.startup_allowed = startup_allowed_ && !stale_table();
  in.autostart = config_.autostart;
  for (Node* node : identified(NodeType::Storage)) in.identified_storages.push_back(*node->nid());
  in.has_outstanding = [this](NodeId nid) { return outstanding_.count(nid) > 0; };
  for (NodeId member : pt_.members()) {
    const Node* node = nm_.by_nid(member);
    if (node && peers_.count(node->key())) in.connected_members.push_back(member);
  }
  std::optional<std::vector<NodeId>> storages = Recovery::decide(in);
  if (!storages || (in.pt_filled && truncate_tid_ && resend_truncate())) return;
  end_recovery(std::move(*storages));
}

bool MasterState::resend_truncate() {
  bool sent = false;
  for (NodeId nid : recovery_.untruncated(*truncate_tid_)) {
    Node* node = nm_.by_nid(nid);
    net::Peer* peer = node ? peer_of(*node) : nullptr;
    if (!peer) continue;
    SPDLOG_INFO("{}: truncation after {} not recorded: sending Truncate again", to_string(nid),
                to_string(*truncate_tid_));
    peer->notify(protocol::Truncate{*truncate_tid_});
    recovery_storage(*peer, *node);
    sent = true;
  }
  return sent;
}

bool MasterState::stale_table() {
  if (!restart_ptid_ || (pt_.ptid() && *pt_.ptid() >= *restart_ptid_)) return false;
  if (pt_.ptid() && !stale_table_logged_) {
    stale_table_logged_ = true;
    SPDLOG_WARN(
        "the partition table of the storages back (ptid {}) is older than this master's before "
        "it stopped (ptid {}): not restarting by itself; waiting for the storages that have it "
        "(or for `neoctl start`)",
        *pt_.ptid(), *restart_ptid_);
  }
  return true;
}

void MasterState::end_recovery(std::vector<NodeId> storages) {
  restart_ptid_.reset();
  SPDLOG_INFO("startup allowed");
  std::vector<Node*> nodes;
  for (NodeId nid : storages) {
    Node* node = nm_.by_nid(nid);
    if (!node) continue;
    SPDLOG_INFO("{}: {} -> RUNNING", to_string(nid), protocol::to_string(node->state()));
    nm_.set_state(*node, NodeState::Running);
    nodes.push_back(node);
  }
  broadcast_nodes(nodes);
  if (!pt_.ptid()) {
    SPDLOG_INFO("creating a new partition table");
    pt::Changes made = pt_.make(storages, devpath_fn());
    if (!made.ok()) SPDLOG_ERROR("cannot make the partition table: {}", *made.refused);
    notify_admins_pt();
  } else {
    pt::Changes outdated = pt_.outdate(state_fn());
    if (!outdated.cells.empty()) {
      const protocol::NotifyPartitionChanges packet{pt_.next_ptid(), pt_.num_replicas(),
                                                    outdated.cells};
      for (Node* admin : identified(NodeType::Admin)) send_to(*admin, packet);
    }
  }
  if (backup_tid_ && backup_) {
    backup_->set_backup_tids(recovery_.backup_tids());
    backup_tid_ = backup_->backup_tid_max();
  }
  log_pt();
  begin_verification();
}

}  // namespace neo::master
