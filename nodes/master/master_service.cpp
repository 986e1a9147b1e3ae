// MasterState: VERIFYING, RUNNING and the way out of them (NEO/py
// neo/master/verification.py, handlers/storage.py, app.py).
#include <spdlog/spdlog.h>

#include <algorithm>

#include "nodes/master/master_state.hpp"

namespace neo::master {

using node::Node;
using node::NodeState;

template <class P>
void MasterState::ask_storages(const std::set<NodeId>& nids, const P& packet,
                               std::function<void(NodeId, const typename P::Answer&)> on_answer,
                               std::function<void()> then) {
  waiting_.clear();
  waiting_then_ = std::move(then);
  std::vector<Node*> nodes;
  for (NodeId nid : nids)
    if (Node* node = nm_.by_nid(nid); node && peer_of(*node)) {
      waiting_.insert(nid);
      nodes.push_back(node);
    }
  if (waiting_.empty()) {
    std::function<void()> next = std::exchange(waiting_then_, {});
    next();
    return;
  }
  for (Node* node : nodes) {
    const NodeId nid = *node->nid();
    ask(*node, packet, [this, nid, on_answer](const typename P::Answer& answer) {
      on_answer(nid, answer);
      waited(nid);
    });
  }
}

void MasterState::waited(NodeId nid) {
  if (!waiting_.erase(nid) || !waiting_.empty() || !waiting_then_) return;
  std::function<void()> next = std::exchange(waiting_then_, {});
  next();
}

void MasterState::begin_verification() {
  phase_ = Phase::Verification;
  ++generation_;
  change_cluster_state(ClusterState::Verifying, [this](Node& node) {
    send_to(node, protocol::SendPartitionTable{pt_.ptid(), pt_.num_replicas(), pt_.row_list()});
  });
  tm_.reset();
  pm_.reset();
  pack_waiters_.clear();
  final_tid_waiters_.clear();
  delayed_.clear();
  locked_.clear();
  voted_.clear();
  SPDLOG_INFO("start to verify data");
  if (backup_tid_) return verify_last_ids();  // a backup has no transaction of its own
  verify_locked();
}

// Transactions that may have been partially finished, asked to the nodes
// with readable cells; then those voted but not known as locked.
void MasterState::verify_locked() {
  ask_storages(
      pt_.node_set(true), protocol::AskLockedTransactions{},
      [this](NodeId nid, const protocol::AnswerLockedTransactions& answer) {
        for (const auto& [ttid, tid] : answer.tid_dict) {
          if (tid) locked_[ttid] = tid;
          voted_[ttid].insert(nid);
        }
      },
      [this] {
        std::vector<std::pair<Tid, std::vector<NodeId>>> todo;
        for (const auto& [ttid, voted] : voted_) {
          if (locked_.count(ttid)) continue;
          std::vector<NodeId> candidates;
          for (const pt::Cell& cell : pt_.cells(pt_.partition_of(ttid), true))
            if (!voted.count(cell.nid)) candidates.push_back(cell.nid);
          todo.emplace_back(ttid, std::move(candidates));
        }
        ask_final_tids(std::move(todo));
      });
}

void MasterState::ask_final_tids(std::vector<std::pair<Tid, std::vector<NodeId>>> todo) {
  while (!todo.empty() && todo.front().second.empty()) todo.erase(todo.begin());
  if (todo.empty()) {
    for (const auto& [ttid, tid] : locked_) {
      const protocol::ValidateTransaction packet{ttid, *tid};
      for (NodeId nid : voted_[ttid])
        if (Node* node = nm_.by_nid(nid)) send_to(*node, packet);
    }
    verify_last_ids();
    return;
  }
  const Tid ttid = todo.front().first;
  const NodeId nid = todo.front().second.front();
  todo.front().second.erase(todo.front().second.begin());
  auto rest = std::make_shared<std::vector<std::pair<Tid, std::vector<NodeId>>>>(std::move(todo));
  ask_storages(
      {nid}, protocol::AskFinalTID{ttid},
      [this, ttid, rest](NodeId, const protocol::AnswerFinalTID& answer) {
        if (answer.tid) {
          locked_[ttid] = answer.tid;
          rest->front().second.clear();  // found: no other node to ask
        }
      },
      [this, rest] { ask_final_tids(std::move(*rest)); });
}

void MasterState::verify_last_ids() {
  auto last_tid = std::make_shared<Tid>(kZeroTid);
  std::set<NodeId> storages;
  for (Node* node : identified(NodeType::Storage)) storages.insert(*node->nid());
  ask_storages(
      storages, protocol::AskLastIDs{},
      [this, last_tid](NodeId, const protocol::AnswerLastIDs& answer) {
        if (answer.last_tid && *answer.last_tid > *last_tid) *last_tid = *answer.last_tid;
        if (answer.last_oid) tm_.set_last_oid(*answer.last_oid);
        tm_.set_first_tid(answer.first_tid);
      },
      [this, last_tid] {
        tm_.set_last_transaction(*last_tid);
        if (truncate_tid_)
          SPDLOG_INFO("the storages truncated after {}",
                      to_string(*std::exchange(truncate_tid_, {})));
        SPDLOG_INFO("last tid {}, last oid {}", to_string(*last_tid), to_string(tm_.last_oid()));
        verify_pack_orders();
      });
}

void MasterState::verify_pack_orders() {
  const std::set<NodeId> readable = pt_.node_set(true);
  std::optional<Tid> completed;
  for (NodeId nid : readable)
    if (auto it = completed_pack_.find(nid); it != completed_pack_.end())
      completed = completed ? std::min(*completed, it->second) : it->second;
  const Tid pack_id = completed ? Tid{completed->value + 1} : kZeroTid;
  ask_storages(
      readable, protocol::AskPackOrders{pack_id},
      [this](NodeId, const protocol::AnswerPackOrders& answer) {
        for (const protocol::PackOrder& order : answer.pack_list) pm_.add(order);
      },
      [this] { begin_service(); });
}

void MasterState::begin_service() {
  phase_ = Phase::Running;
  ++generation_;
  if (config_.backup && !backup_tid_ && tm_.last_transaction() == kZeroTid) {
    SPDLOG_INFO("empty cluster started with --backup: backing up from the start");
    backup_tid_ = kZeroTid;
    backup_->set_backup_tids({});
  }
  if (backup_tid_) {
    if (!backup_) {
      SPDLOG_CRITICAL("No upstream cluster to backup defined in configuration");
      return hooks_.exit(1);
    }
    SPDLOG_INFO("provide backup");
    return follow_upstream([this](Node& node) {
      if (node.is_running()) start_storage(node);
    });
  }
  SPDLOG_INFO("provide service");
  change_cluster_state(ClusterState::Running, [this](Node& node) {
    if (node.is_running()) start_storage(node);
  });
}

void MasterState::start_storage(Node& node) {
  SPDLOG_INFO("{}: start operation", to_string(node.nid()));
  send_to(node, protocol::StartOperation{backup_tid_.has_value()});
  starting_.insert(*node.nid());
  ready_.erase(*node.nid());
}

// NotifyPackCompleted (VERIFYING, RUNNING).
void MasterState::pack_completed(NodeId storage, Tid pack_id) {
  completed_pack_[storage] = pack_id;
  if (phase_ == Phase::Running) update_completed_pack_id();
}

protocol::AnswerUnfinishedTransactions MasterState::unfinished_transactions(
    NodeId storage, const std::vector<std::int64_t>& offsets) {
  if (backup_tid_) {  // nothing is committed here: up to what every cell has
    pt_.mark_updatable(storage, offsets);
    return {backup_->backup_tid_min(), {}};
  }
  protocol::AnswerUnfinishedTransactions answer{tm_.last_transaction(),
                                                tm_.register_for_notification(storage)};
  pt_.mark_updatable(storage, offsets);
  return answer;
}

std::string MasterState::replication_done(NodeId storage,
                                          const protocol::NotifyReplicationDone& p) {
  if (p.offset < 0 || p.offset >= pt_.num_partitions()) return "invalid partition";
  if (backup_tid_) {
    const auto offset = static_cast<std::uint32_t>(p.offset);
    const pt::Cell* cell = pt_.find_cell(offset, storage);
    if (!cell) return "Non-assigned partition";
    if (!cell->readable() && !cell->updatable) {
      SPDLOG_INFO("ignored late notification that {} has replicated partition {} up to {}",
                  to_string(storage), p.offset, to_string(p.tid));
      return {};
    }
    backup_->replication_done(storage, offset, p.tid, cluster_state_ == ClusterState::BackingUp);
    check_backup_stopped();
    return {};
  }
  pt::Changes changes = pt_.set_up_to_date(storage, static_cast<std::uint32_t>(p.offset));
  if (!changes.ok()) return *changes.refused;
  if (changes.cells.empty()) {
    SPDLOG_INFO(
        "ignored late notification that {} has replicated partition {} "
        "up to {}",
        to_string(storage), p.offset, to_string(p.tid));
    return {};
  }
  SPDLOG_INFO("{} is up for partition {} (tid={})", to_string(storage), p.offset, to_string(p.tid));
  broadcast_pt(changes.cells);
  return {};
}

// A storage connection was lost during VERIFYING or RUNNING.
void MasterState::storage_lost(Node& node) {
  const NodeId nid = *node.nid();
  SPDLOG_INFO("{}: storage node lost", to_string(nid));
  if (node.is_pending()) {
    protocol::NodeInfo info = node.info();
    info.state = NodeState::Unknown;
    SPDLOG_INFO("{}: PENDING -> UNKNOWN (dropped from the node manager)", to_string(nid));
    nm_.set_state(node, NodeState::Unknown);
    broadcast_infos({info});
  } else if (node.is_down()) {
    return;  // already DOWN by SetNodeState
  } else {
    SPDLOG_INFO("{}: {} -> DOWN", to_string(nid), protocol::to_string(node.state()));
    nm_.set_state(node, NodeState::Down);
    broadcast_nodes({&node});
  }
  if (truncate_tid_) {
    SPDLOG_WARN("{}: lost before truncating: back to recovery", to_string(nid));
    return stop_operation();
  }
  broadcast_pt(pt_.outdate(state_fn(), nid).cells);
  if (!pt_.operational(state_fn())) {
    if (stop_requested_) {
      SPDLOG_CRITICAL("No longer operational");
      return shutdown(true);
    }
    return stop_operation();
  }
  if (phase_ == Phase::Running) {
    tm_.storage_lost(nid, [this](Transaction& txn) { on_committed(txn); });
    after_transaction_change();
    update_completed_pack_id();
  }
  if (cluster_state_ == ClusterState::BackingUp) backup_->node_lost(nid);
  check_backup_stopped();
  waited(nid);
}

// The partition table is no longer operational, or a truncation was
// requested: back to RECOVERING. No restart without every node while
// truncating (nor without `neoctl start`).
void MasterState::stop_operation(std::optional<Tid> truncate, bool startup_allowed) {
  SPDLOG_CRITICAL("No longer operational");
  if (backup_) leave_upstream("operation stopped", false);
  stopping_backup_at_.reset();
  startup_allowed_ = startup_allowed || !(truncate_tid_ || truncate);
  restart_ptid_ = pt_.ptid();
  stale_table_logged_ = false;
  starting_.clear();
  ready_.clear();
  delayed_.clear();
  final_tid_waiters_.clear();
  waiting_.clear();
  waiting_then_ = {};
  std::vector<Node*> pending;
  for (Node* node : identified()) {
    if (node->type() != NodeType::Storage && node->type() != NodeType::Client) continue;
    net::Peer* peer = peer_of(*node);
    peer->notify(protocol::StopOperation{});
    if (node->type() == NodeType::Client) {
      peer->abort({});
      continue;
    }
    if (truncate) {
      SPDLOG_INFO("{}: truncate after {}", to_string(node->nid()), to_string(*truncate));
      peer->notify(protocol::Truncate{*truncate});
    }
    if (node->is_running()) {
      nm_.set_state(*node, NodeState::Pending);
      pending.push_back(node);
    }
  }
  broadcast_nodes(pending);
  begin_recovery();
}

// STOPPING (flows.md 14): new transactions wait, those in progress end
// first (unless `force`), then every node is asked to shut down.
void MasterState::shutdown(bool force) {
  if (stopping_) return;
  if (!force && phase_ == Phase::Running && tm_.has_pending()) {
    if (!stop_requested_)
      SPDLOG_INFO("STOPPING: waiting for {} transaction(s) in progress", tm_.transactions().size());
    stop_requested_ = true;
    change_cluster_state(ClusterState::Stopping);
    return;
  }
  stop_requested_ = false;
  stopping_ = true;
  if (backup_) leave_upstream("shutting down", false);
  phase_ = Phase::Stopping;
  ++generation_;
  change_cluster_state(ClusterState::Stopping);
  SPDLOG_INFO("asking remaining nodes to shutdown");
  hooks_.close_listener();
  for (Node* node : identified()) {
    net::Peer* peer = peer_of(*node);
    if (node->type() == NodeType::Storage) {
      protocol::NodeInfo info{node->type(), node->address(), node->nid(), NodeState::Down, {}};
      peer->notify(protocol::NotifyNodeInformation{nm_.next_timestamp(), {info}});
    }
    peer->abort({});
  }
  hooks_.exit(0);
}

}  // namespace neo::master
