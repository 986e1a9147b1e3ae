// MasterState: the transaction requests of clients in RUNNING (NEO/py
// neo/master/handlers/client.py). The logic is TransactionManager's; these
// methods turn its decisions into packets. Requests that may be delayed
// keep their msg_id (they may be answered later).
#include <spdlog/spdlog.h>

#include "nodes/master/master_state.hpp"

namespace neo::master {

using node::Node;

namespace {
void protocol_failure(net::Peer& peer, std::uint32_t msg_id, const std::string& message) {
  SPDLOG_ERROR("{}: protocol error: {}", peer.describe(), message);
  peer.answer_error(msg_id, errc::protocol_error, message);
  peer.abort(errc::protocol_error);
}
}  // namespace

void MasterState::begin_transaction(net::Peer& peer, const protocol::AskBeginTransaction& p) {
  delay_or_run(peer, [this, client = *peer.nid(), msg_id = peer.msg_id(), p](net::Peer& to) {
    return on_begin(to, client, msg_id, p);
  });
}

void MasterState::failed_vote(net::Peer& peer, const protocol::FailedVote& p) {
  delay_or_run(peer, [this, msg_id = peer.msg_id(), p](net::Peer& to) {
    return on_failed_vote(to, msg_id, p);
  });
}

bool MasterState::on_begin(net::Peer& peer, NodeId client, std::uint32_t msg_id,
                           const protocol::AskBeginTransaction& p) {
  // Wait for NotifyReady of starting storages (the client must know which
  // storages get the whole transaction), and no new transaction in STOPPING.
  if (!starting_.empty() || stop_requested_) return false;
  const bool concurrent = !p.tid || tm_.has_pending();
  Result<Tid> ttid = tm_.begin(client, storage_readiness_, p.tid);
  if (!ttid) {
    protocol_failure(peer, msg_id,
                     concurrent ? "There can't be concurrent transactions when a TID is specified"
                                  " for any of them."
                                : "new TID must be greater than the last committed one");
    return true;
  }
  SPDLOG_DEBUG("{}: begin {}", to_string(client), to_string(*ttid));
  peer.answer(msg_id, protocol::AnswerBeginTransaction{*ttid});
  return true;
}

bool MasterState::on_failed_vote(net::Peer& peer, std::uint32_t msg_id,
                                 const protocol::FailedVote& p) {
  const Transaction* txn = tm_.find(p.ttid);
  if (!txn) {
    protocol_failure(peer, msg_id, "unknown ttid " + to_string(p.ttid));
    return true;
  }
  std::set<NodeId> failed;
  const std::set<NodeId> ready = storage_ready_set(txn->readiness);
  for (NodeId nid : p.failed_list)
    if (ready.count(nid)) failed.insert(nid);
  Result<bool> ok =
      tm_.vote(p.ttid, failed, [this](auto& excluded) { return pt_operational_without(excluded); });
  if (!ok && ok.error() == errc::not_ready) return false;  // other voted transactions first
  if (!ok) {
    protocol_failure(peer, msg_id, "unknown ttid " + to_string(p.ttid));
    return true;
  }
  SPDLOG_INFO("{}: failed vote on {} storage(s): {}", to_string(p.ttid), failed.size(),
              *ok ? "may still commit" : "incomplete transaction");
  peer.answer_error(msg_id, *ok ? errc::ack : errc::incomplete_transaction, "");
  return true;
}

void MasterState::finish_transaction(net::Peer& peer, const protocol::AskFinishTransaction& p) {
  const NodeId client = *peer.nid();
  const std::uint32_t msg_id = peer.msg_id();
  if (p.pack && !(kZeroTid < p.pack->pack_tid && p.pack->pack_tid <= tm_.last_transaction()))
    return protocol_failure(peer, msg_id, "invalid pack time");
  const Transaction* txn = tm_.find(p.ttid);
  if (!txn) return protocol_failure(peer, msg_id, "unknown ttid " + to_string(p.ttid));
  Result<TransactionManager::Prepared> prepared =
      tm_.prepare(p.ttid, p.oid_list, p.deleted, p.checked, msg_id, layout_for(*txn));
  if (!prepared) return protocol_failure(peer, msg_id, "invalid AskFinishTransaction");
  if (!prepared->tid) {
    SPDLOG_WARN("{}: {} cannot be committed (failed storages)", to_string(client),
                to_string(p.ttid));
    peer.answer_error(msg_id, errc::incomplete_transaction, "");
    if (tm_.abort(p.ttid)) notify_aborted(p.ttid, storage_ready_set());
    return after_transaction_change();
  }
  const bool pack = p.pack && pm_.create(*prepared->tid, p.pack->oids, p.pack->pack_tid);
  if (p.pack)
    SPDLOG_INFO("{}: pack order {} up to {} ({})", to_string(client), to_string(*prepared->tid),
                to_string(p.pack->pack_tid), pack ? "approved" : "awaiting approval");
  // Failed storages are disconnected first: their cells get outdated
  // before anything is locked.
  for (NodeId nid : prepared->close) disconnect_failed(nid, p.ttid);
  SPDLOG_DEBUG("{}: finish {} as {}", to_string(client), to_string(p.ttid),
               to_string(*prepared->tid));
  const protocol::AskLockInformation lock{p.ttid, *prepared->tid, pack};
  for (NodeId nid : prepared->lock)
    if (const Node* node = nm_.by_nid(nid))
      ask(*node, lock, [this, nid](const protocol::AnswerInformationLocked& answer) {
        on_locked(nid, answer.ttid);
      });
}

TransactionManager::Layout MasterState::layout_for(const Transaction& txn) const {
  TransactionManager::Layout layout{
      pt_.num_partitions(), {}, storage_ready_set(txn.readiness), [this](auto& excluded) {
        return pt_operational_without(excluded);
      }};
  layout.cells = [this](std::uint32_t partition) {
    std::vector<NodeId> out;
    for (const pt::Cell& cell : pt_.cells(partition))
      if (const Node* node = nm_.by_nid(cell.nid); node && peer_of(*node)) out.push_back(cell.nid);
    return out;
  };
  return layout;
}

// Closes a storage whose stores failed and handles its loss at once (the
// connection's own closure comes later and is ignored).
void MasterState::disconnect_failed(NodeId nid, Tid ttid) {
  Node* node = nm_.by_nid(nid);
  net::Peer* peer = node ? peer_of(*node) : nullptr;
  if (!peer) return;
  SPDLOG_WARN("{}: disconnected (failed to store {})", to_string(nid), to_string(ttid));
  std::shared_ptr<net::Peer> keep = peer->shared_from_this();
  peer->close(errc::incomplete_transaction);
  on_closed(*keep);
}

void MasterState::final_tid(net::Peer& peer, Tid ttid) {
  const NodeId client = *peer.nid();
  const std::uint32_t msg_id = peer.msg_id();
  if (tm_.last_tid() < ttid)  // invalid ttid, or aborted transaction
    return peer.answer(msg_id, protocol::AnswerFinalTID{std::nullopt});
  if (Transaction* txn = tm_.find(ttid)) {  // answered once unlocked
    txn->notify.insert(client);
    final_tid_waiters_[{ttid, client}] = msg_id;
    return;
  }
  peer.answer(msg_id, protocol::AnswerFinalTID{kMaxTid});  // committed: ask storages
}

void MasterState::abort_transaction(net::Peer& peer, const protocol::AbortTransaction& p) {
  const NodeId client = *peer.nid();
  const Transaction* txn = tm_.find(p.ttid);
  const bool prepared = txn && txn->tid;
  Result<std::set<NodeId>> notify = tm_.abort(p.ttid);
  if (!notify)
    return protocol_failure(
        peer, peer.msg_id(),
        (prepared ? "commit already requested for ttid " : "unknown ttid ") + to_string(p.ttid));
  SPDLOG_DEBUG("{}: abort {}", to_string(client), to_string(p.ttid));
  notify->insert(p.nid_list.begin(), p.nid_list.end());
  notify_aborted(p.ttid, *notify);
  after_transaction_change();
}

}  // namespace neo::master
