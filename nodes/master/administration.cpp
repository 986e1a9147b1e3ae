// MasterState: requests relayed by admin nodes (NEO/py
// neo/master/handlers/administration.py).
#include <spdlog/spdlog.h>

#include <algorithm>

#include "core/log/log.hpp"
#include "nodes/master/master_state.hpp"

namespace neo::master {

using node::Node;
using node::NodeState;

namespace {
std::string join_nids(const std::vector<NodeId>& nids) {
  std::string out;
  for (NodeId nid : nids) out += (out.empty() ? "" : ", ") + to_string(nid);
  return out;
}
}  // namespace

bool MasterState::check_pt_rpc(net::Peer& peer, std::string_view rpc) {
  if (cluster_state_ == ClusterState::Running || cluster_state_ == ClusterState::StartingBackup ||
      cluster_state_ == ClusterState::BackingUp)
    return true;
  peer.answer_error(
      errc::denied,
      std::string(rpc) + " RPC can not be used in " +
          std::string(cluster_state_ ? protocol::to_string(*cluster_state_) : "None") + " state");
  return false;
}

void MasterState::set_cluster_state(net::Peer& peer, ClusterState state) {
  const ClusterState from = cluster_state_.value_or(ClusterState::Recovering);
  switch (state) {
    case ClusterState::Verifying: {
      if (from != ClusterState::Recovering)
        return peer.answer_error(errc::denied, "Can not switch to this state");
      const std::vector<Node*> storages = identified(NodeType::Storage);
      if (storages.empty())
        return peer.answer_error(errc::denied, "Cannot exit recovery without any storage node");
      for (Node* node : storages)
        if (outstanding_.count(*node->nid()))
          return peer.answer_error(
              errc::denied,
              "Cannot exit recovery now: node " + to_string(node->nid()) + " is entering cluster");
      SPDLOG_INFO("startup allowed by the administrator");
      startup_allowed_ = true;
      restart_ptid_.reset();
      peer.answer_error(errc::ack, "Cluster state changed");
      return check_recovery();
    }
    case ClusterState::StartingBackup:
      if (from != ClusterState::Running && from != ClusterState::StoppingBackup)
        return peer.answer_error(errc::denied, "Can not switch to this state");
      if (tm_.has_pending() || !identified(NodeType::Client).empty())
        return peer.answer_error(errc::denied,
                                 "Can not switch to STARTING_BACKUP state with pending"
                                 " transactions or connected clients");
      if (!backup_)
        return peer.answer_error(errc::denied,
                                 "No upstream cluster to backup defined in configuration");
      peer.answer_error(errc::ack, "Cluster state changed");
      if (from == ClusterState::StoppingBackup) {
        SPDLOG_INFO("backup resumed");
        return follow_upstream();
      }
      return start_backup();
    case ClusterState::StoppingBackup:
      if (from != ClusterState::BackingUp && from != ClusterState::StartingBackup)
        return peer.answer_error(errc::denied, "Can not switch to this state");
      return stop_backup(peer);
    case ClusterState::Stopping:
      peer.answer_error(errc::ack, "Cluster state changed");
      return shutdown();
    default: return peer.answer_error(errc::denied, "Invalid state requested");
  }
}

void MasterState::set_node_state(net::Peer& peer, const protocol::SetNodeState& p) {
  SPDLOG_INFO("set node state for {}: {}", to_string(p.nid), protocol::to_string(p.state));
  Node* node = nm_.by_nid(p.nid);
  if (!node) return peer.answer_error(errc::denied, "unknown node");
  const bool allowed = (node->type() == NodeType::Master && p.state == NodeState::Down) ||
                       (node->type() == NodeType::Storage &&
                        (p.state == NodeState::Down || p.state == NodeState::Unknown));
  if (!allowed)
    return peer.answer_error(
        errc::denied,
        "can not switch node to " + std::string(protocol::to_string(p.state)) + " state");
  if (p.nid == nid_) return peer.answer_error(errc::denied, "can not kill primary master node");
  if (node->type() == NodeType::Storage) return drop_storage(peer, *node, p);
  const bool changed = p.state != node->state();
  protocol::NodeInfo info = node->info();
  info.state = p.state;
  nm_.set_state(*node, p.state);
  peer.answer_error(errc::ack, changed ? "state changed"
                                       : "node already in " +
                                             std::string(protocol::to_string(p.state)) + " state");
  if (changed) broadcast_infos({info});
}

// SetNodeState of a storage: DOWN (its cells outdated) or UNKNOWN (removed
// from the table, forgotten); its connection is told, then aborted.
void MasterState::drop_storage(net::Peer& peer, Node& node, const protocol::SetNodeState& p) {
  const bool changed = p.state != node.state();
  std::string message =
      changed ? "state changed"
              : "node already in " + std::string(protocol::to_string(p.state)) + " state";
  protocol::NodeInfo info = node.info();
  info.state = p.state;
  const bool keep = p.state == NodeState::Down;
  if (node.is_running() && !keep)
    return peer.answer_error(errc::denied, "a running node must be stopped before removal");
  const NodeId nids[] = {p.nid};
  pt::Changes dropped = pt_.drop_nodes(nids, keep);
  if (!dropped.ok()) return peer.answer_error(errc::denied, *dropped.refused);
  std::shared_ptr<net::Peer> connection;
  if (auto it = peers_.find(node.key()); it != peers_.end()) connection = it->second;
  forget_connection(node);
  SPDLOG_INFO("{}: {} -> {}", to_string(p.nid), protocol::to_string(node.state()),
              protocol::to_string(p.state));
  nm_.set_state(node, p.state);  // UNKNOWN: the node is forgotten
  if (connection) {
    connection->notify(protocol::NotifyNodeInformation{nm_.next_timestamp(), {info}});
    connection->abort({});
  }
  std::vector<protocol::CellChange> cells = std::move(dropped.cells);
  if (keep) {
    cells = pt_.outdate(state_fn()).cells;
  } else if (!cells.empty()) {
    message = "node permanently removed";
  }
  broadcast_pt(cells);
  peer.answer_error(errc::ack, message);
  if (changed) broadcast_infos({info});
}

void MasterState::add_pending_nodes(net::Peer& peer, const std::vector<NodeId>& nids) {
  if (!check_pt_rpc(peer, "addPendingNodes")) return;
  SPDLOG_DEBUG("Add nodes {}", join_nids(nids));
  std::vector<NodeId> pending;
  for (Node* node : nm_.list(NodeType::Storage))
    if (node->is_pending() && node->nid() &&
        std::find(nids.begin(), nids.end(), *node->nid()) != nids.end())
      pending.push_back(*node->nid());
  const std::vector<NodeId> added = pt_.add_nodes(pending);
  if (added.empty()) {
    SPDLOG_WARN("No node added");
    return peer.answer_error(errc::ack, "No node added");
  }
  std::vector<Node*> nodes;
  for (NodeId nid : added) {
    Node* node = nm_.by_nid(nid);
    SPDLOG_INFO("{}: PENDING -> RUNNING (added)", to_string(nid));
    nm_.set_state(*node, NodeState::Running);
    start_storage(*node);
    nodes.push_back(node);
  }
  broadcast_nodes(nodes);
  peer.answer_error(errc::ack, "Nodes added: " + join_nids(added));
}

void MasterState::tweak(net::Peer& peer, const protocol::TweakPartitionTable& p) {
  if (!check_pt_rpc(peer, "tweakPartitionTable")) return;
  std::vector<NodeId> excluded;
  for (Node* node : nm_.list(NodeType::Storage)) {
    if (!node->nid()) continue;
    const bool listed =
        std::find(p.nid_list.begin(), p.nid_list.end(), *node->nid()) != p.nid_list.end();
    if (listed || node->is_pending()) {
      excluded.push_back(*node->nid());
    } else if (!node->is_running()) {
      return peer.answer_error(errc::denied, "tweak: down nodes must be listed explicitly");
    }
  }
  if (p.dry_run) {
    pt::MasterPartitionTable::DryRun dry = pt_.tweak_dry_run(excluded, devpath_fn());
    if (!dry.changes.ok()) return peer.answer_error(errc::denied, *dry.changes.refused);
    return peer.answer(
        protocol::AnswerTweakPartitionTable{!dry.changes.cells.empty(), std::move(dry.rows)});
  }
  pt::Changes changes = pt_.tweak(excluded, devpath_fn());
  if (!changes.ok()) return peer.answer_error(errc::denied, *changes.refused);
  broadcast_pt(changes.cells);
  peer.answer(protocol::AnswerTweakPartitionTable{!changes.cells.empty(), pt_.row_list()});
}

void MasterState::set_num_replicas(std::uint32_t num_replicas) {
  SPDLOG_INFO("number of replicas: {} -> {}", pt_.num_replicas(), num_replicas);
  broadcast_pt({}, num_replicas);
}

void MasterState::repair(net::Peer& peer, const protocol::Repair& p) {
  std::vector<Node*> nodes;
  for (NodeId nid : p.nid_list) {
    Node* node = nm_.by_nid(nid);
    if (!node || node->type() != NodeType::Storage || !peer_of(*node))
      return peer.answer_error(errc::denied, "invalid storage node " + to_string(nid));
    nodes.push_back(node);
  }
  for (Node* node : nodes) send_to(*node, protocol::NotifyRepair{p.dry_run});
  peer.answer_error(errc::ack, "");
}

// NEO/py's check_state(RUNNING), then its refusals, in its order.
void MasterState::truncate(net::Peer& peer, Tid tid) {
  if (cluster_state_ != ClusterState::Running)
    return peer.answer_error(
        errc::denied,
        "truncate RPC can not be used in " +
            std::string(cluster_state_ ? protocol::to_string(*cluster_state_) : "None") + " state");
  if (tm_.last_transaction() <= tid)
    return peer.answer_error(errc::denied, "Truncating after last transaction does nothing");
  if (tm_.first_tid() > tid)
    return peer.answer_error(errc::denied,
                             "Truncating before first transaction is"
                             " probably not what you intended to do");
  if (!pm_.approved_rejected(Tid{tid.value + 1}).approved.empty())
    return peer.answer_error(errc::denied, "Can not truncate before an approved pack");
  SPDLOG_WARN("truncation after {} requested (last tid {}): stopping operation", to_string(tid),
              to_string(tm_.last_transaction()));
  peer.answer_error(errc::ack, "");
  stop_operation(tid);
}

void MasterState::flush_log(const net::Peer& from) {
  for (Node* node : identified())
    if (net::Peer* peer = peer_of(*node); peer && peer != &from) peer->notify(protocol::FlushLog{});
  hooks_.flush_log();
}

}  // namespace neo::master
