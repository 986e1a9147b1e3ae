// MasterState: the end of transactions (NEO/py neo/master/app.py
// onTransactionCommitted, notifyTransactionAborted, storage readiness) and
// the requests that wait (NEO/py's DelayEvent / EventQueue).
#include <spdlog/spdlog.h>

#include "nodes/master/master_state.hpp"

namespace neo::master {

using node::Node;

void MasterState::on_locked(NodeId storage, Tid ttid) {
  if (cluster_state_ != ClusterState::Running && cluster_state_ != ClusterState::Stopping) return;
  if (std::error_code ec =
          tm_.lock(ttid, storage, [this](Transaction& txn) { on_committed(txn); })) {
    SPDLOG_ERROR("{}: AnswerInformationLocked for unknown ttid {}", to_string(storage),
                 to_string(ttid));
    if (Node* node = nm_.by_nid(storage))
      if (net::Peer* peer = peer_of(*node)) peer->close(errc::protocol_error);
    return;
  }
  after_transaction_change();
}

// Every involved storage locked `txn`: storages get the unlock, the client
// its TID, other clients the invalidations, waiters the end.
void MasterState::on_committed(Transaction& txn) {
  const Tid tid = *txn.tid;
  SPDLOG_DEBUG("{} committed as {}", to_string(txn.ttid), to_string(tid));
  // Storages first: the client's next request (e.g. an undo reading what
  // this transaction wrote) must not overtake the unlock.
  const protocol::NotifyUnlockInformation unlock{txn.ttid};
  for (NodeId nid : txn.involved)
    if (Node* node = nm_.by_nid(nid)) send_to(*node, unlock);
  const protocol::InvalidateObjects invalidate{tid, txn.oid_list};
  for (Node* node : identified(NodeType::Client)) {
    net::Peer* peer = peer_of(*node);
    if (node->nid() == txn.client)
      peer->answer(txn.msg_id, protocol::AnswerTransactionFinished{txn.ttid, tid});
    else if (backup_clients_.count(node->key()))
      peer->notify(protocol::InvalidatePartitions{tid, txn.partition_list});
    else
      peer->notify(invalidate);
  }
  if (pm_.approved(tid).value_or(false)) {  // automatic approval of its pack order
    const protocol::NotifyPackSigned signed_pack{{tid}, {}};
    for (NodeId nid : storage_ready_set())
      if (Node* node = nm_.by_nid(nid)) send_to(*node, signed_pack);
    for (Node* node : identified(NodeType::Client))  // backup clusters follow it
      if (backup_clients_.count(node->key()))
        if (net::Peer* peer = peer_of(*node)) peer->notify(signed_pack);
  }
  const protocol::NotifyTransactionFinished finished{txn.ttid, tid};
  for (NodeId nid : txn.notify) {
    Node* node = nm_.by_nid(nid);
    net::Peer* peer = node ? peer_of(*node) : nullptr;
    if (!peer) continue;
    if (node->type() != NodeType::Client) {
      peer->notify(finished);
    } else if (auto it = final_tid_waiters_.find({txn.ttid, nid}); it != final_tid_waiters_.end()) {
      peer->answer(it->second, protocol::AnswerFinalTID{tid});
      final_tid_waiters_.erase(it);
    }
  }
}

void MasterState::notify_aborted(Tid ttid, const std::set<NodeId>& nids) {
  const std::set<NodeId> ready = storage_ready_set();
  const protocol::AbortTransaction abort{ttid, {}};
  for (NodeId nid : nids)
    if (ready.count(nid))
      if (Node* node = nm_.by_nid(nid)) send_to(*node, abort);
}

void MasterState::client_lost(Node& node) {
  read_only_.erase(node.key());
  backup_clients_.erase(node.key());
  if (!node.nid() || phase_ != Phase::Running) return;
  const NodeId nid = *node.nid();
  std::erase_if(final_tid_waiters_, [&](auto& item) { return item.first.second == nid; });
  for (const auto& [ttid, notify] : tm_.client_lost(nid)) {
    SPDLOG_INFO("{}: client lost, transaction {} aborted", to_string(nid), to_string(ttid));
    notify_aborted(ttid, notify);
  }
  after_transaction_change();
}

std::set<NodeId> MasterState::storage_ready_set(std::uint64_t readiness) const {
  std::set<NodeId> out;
  for (const auto& [nid, ready] : ready_)
    if (ready <= readiness) out.insert(nid);
  return out;
}

void MasterState::set_storage_ready(NodeId nid) {
  if (!starting_.erase(nid)) {
    SPDLOG_WARN("{}: unexpected NotifyReady ignored", to_string(nid));
    return;
  }
  SPDLOG_INFO("{}: ready", to_string(nid));
  ready_[nid] = ++storage_readiness_;
  if (backup_) connect_upstream_if_ready();
  protocol::NotifyPackSigned packs = pm_.approved_rejected();
  if (!packs.approved.empty() || !packs.rejected.empty())
    if (Node* node = nm_.by_nid(nid)) send_to(*node, packs);
  run_delayed();
}

bool MasterState::pt_operational_without(const std::set<NodeId>& excluded) const {
  const std::vector<NodeId> nids(excluded.begin(), excluded.end());
  return pt_.operational(state_fn(), nids);
}

void MasterState::delay_or_run(net::Peer& peer, std::function<bool(net::Peer&)> retry) {
  if (!retry(peer)) delayed_.push_back({peer.weak_from_this(), std::move(retry)});
}

void MasterState::run_delayed() {
  if (running_delayed_ || delayed_.empty()) return;
  running_delayed_ = true;
  std::vector<Delayed> pending = std::exchange(delayed_, {});
  std::vector<Delayed> still;
  for (Delayed& d : pending) {
    std::shared_ptr<net::Peer> peer = d.peer.lock();
    if (!peer || peer->closed() || !node_of_peer_.count(peer.get())) continue;
    if (!d.retry(*peer)) still.push_back(std::move(d));
  }
  for (Delayed& d : delayed_) still.push_back(std::move(d));
  delayed_ = std::move(still);
  running_delayed_ = false;
}

void MasterState::after_transaction_change() {
  run_delayed();
  if (stop_requested_ && !tm_.has_pending()) shutdown();
}

void MasterState::wait_for_pack(net::Peer& peer, Tid tid) {
  if (!pm_.contains(tid)) return peer.answer(protocol::WaitedForPack{});
  pack_waiters_[tid].emplace_back(peer.weak_from_this(), peer.msg_id());
}

// The packs completed by every storage with readable cells.
void MasterState::update_completed_pack_id() {
  std::optional<Tid> pack_id;
  for (NodeId nid : pt_.node_set(true))
    if (auto it = completed_pack_.find(nid); it != completed_pack_.end())
      pack_id = pack_id ? std::min(*pack_id, it->second) : it->second;
  if (!pack_id) return;
  for (Tid tid : pm_.completed(*pack_id)) {
    SPDLOG_INFO("pack {} completed", to_string(tid));
    auto it = pack_waiters_.find(tid);
    if (it == pack_waiters_.end()) continue;
    for (auto& [weak, msg_id] : it->second)
      if (std::shared_ptr<net::Peer> peer = weak.lock(); peer && !peer->closed())
        peer->answer(msg_id, protocol::WaitedForPack{});
    pack_waiters_.erase(it);
  }
}

}  // namespace neo::master
