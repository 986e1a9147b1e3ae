#include "nodes/storage/master_handler.hpp"

#include <spdlog/spdlog.h>

#include "core/log/log.hpp"
#include "nodes/storage/dispatch.hpp"

namespace neo::storage {

void MasterHandler::on_packet(net::Peer& peer, const protocol::Frame& frame) {
  dispatch(*this, peer, frame);
}

void MasterHandler::on_closed(net::Peer&, std::error_code reason) {
  if (Replicator* replicator = events_.replicator()) replicator->stop();
  state_.primary_lost();
  if (on_lost_) on_lost_(reason);
}

bool MasterHandler::failed(const std::error_code& ec, const char* what) {
  if (!ec) return false;
  events_.fatal(std::string(what) + ": " + ec.message() + " " + state_.db().last_error());
  return true;
}

void MasterHandler::protocol_error(net::Peer& peer, const std::string& message) {
  SPDLOG_ERROR("protocol error from the master {}: {}", peer.describe(), message);
  peer.answer_error(errc::protocol_error, message);
  peer.abort(make_error_code(errc::protocol_error));
}

void MasterHandler::on(net::Peer& peer, const protocol::NotifyNodeInformation& p) {
  Result<StorageState::NodesApplied> applied = state_.apply_nodes(p);
  if (!applied) return protocol_error(peer, "inconsistent NotifyNodeInformation");
  if (applied->own != StorageState::Own::Unchanged)
    return events_.shutdown(applied->own == StorageState::Own::Unknown);
  abort_for_stopped_clients(p);
  events_.nodes_changed(applied->removed);
  if (Replicator* replicator = events_.replicator(); replicator && state_.operational())
    replicator->nodes_changed();
}

void MasterHandler::abort_for_stopped_clients(const protocol::NotifyNodeInformation& p) {
  for (const protocol::NodeInfo& info : p.node_list) {
    if (info.node_type != protocol::NodeType::Client || !info.nid ||
        info.state == protocol::NodeState::Running)
      continue;
    SPDLOG_INFO("{} is {}: aborting its transactions", to_string(info.nid),
                protocol::to_string(info.state));
    if (failed(state_.tm().abort_for(*info.nid, true), "aborting transactions")) return;
  }
}

void MasterHandler::on(net::Peer& peer, const protocol::AskRecovery&) {
  peer.answer(state_.recovery());
}

void MasterHandler::on(net::Peer& peer, const protocol::AskPartitionTable&) {
  peer.answer(state_.partition_table());
}

void MasterHandler::on(net::Peer& peer, const protocol::SendPartitionTable& p) {
  std::string message;
  auto dropped = state_.load_partition_table(p, message);
  if (!dropped && dropped.error() == errc::protocol_error) return protocol_error(peer, message);
  if (failed(dropped ? std::error_code{} : dropped.error(), "saving the partition table")) return;
  events_.drop_partitions(*dropped);
}

void MasterHandler::on(net::Peer& peer, const protocol::NotifyPartitionChanges& p) {
  std::string message;
  auto dropped = state_.change_partitions(p, message);
  if (!dropped && dropped.error() == errc::protocol_error) return protocol_error(peer, message);
  if (failed(dropped ? std::error_code{} : dropped.error(), "saving partition changes")) return;
  if (Replicator* replicator = events_.replicator(); replicator && state_.operational())
    replicator->partition_changes(p.cell_list);
  events_.drop_partitions(*dropped);
}

void MasterHandler::on(net::Peer&, const protocol::NotifyClusterInformation& p) {
  state_.set_cluster_state(p.state);
  if (p.state == protocol::ClusterState::StoppingBackup)
    if (Replicator* replicator = events_.replicator()) replicator->stop_backup();
}

void MasterHandler::on(net::Peer&, const protocol::Replicate& p) {
  if (!state_.operational()) return;
  if (Replicator* replicator = events_.replicator()) replicator->backup(p);
}

void MasterHandler::on(net::Peer& peer, const protocol::AskLockedTransactions&) {
  auto answer = state_.locked_transactions();
  if (failed(answer ? std::error_code{} : answer.error(), "listing locked transactions")) return;
  peer.answer(*answer);
}

void MasterHandler::on(net::Peer& peer, const protocol::AskFinalTID& p) {
  auto answer = state_.final_tid(p.ttid);
  if (failed(answer ? std::error_code{} : answer.error(), "reading a final TID")) return;
  peer.answer(*answer);
}

void MasterHandler::on(net::Peer&, const protocol::ValidateTransaction& p) {
  failed(state_.validate_transaction(p.ttid, p.tid), "validating a transaction");
}

void MasterHandler::on(net::Peer& peer, const protocol::AskLastIDs&) {
  auto ids = state_.last_ids();
  if (failed(ids ? std::error_code{} : ids.error(), "reading the last ids")) return;
  if (ids->pack_completed) peer.notify(protocol::NotifyPackCompleted{*ids->pack_completed});
  peer.answer(ids->answer);
}

void MasterHandler::on(net::Peer& peer, const protocol::AskPackOrders& p) {
  auto answer = state_.pack_orders(p.pack_id);
  if (failed(answer ? std::error_code{} : answer.error(), "reading pack orders")) return;
  peer.answer(*answer);
}

void MasterHandler::on(net::Peer& peer, const protocol::NotifyPackSigned& p) {
  auto signed_packs = state_.pack_signed(p);
  if (failed(signed_packs ? std::error_code{} : signed_packs.error(), "signing pack orders"))
    return;
  if (Replicator* replicator = events_.replicator())
    replicator->keep_pending_signatures(signed_packs->pending);
  if (signed_packs->completed) peer.notify(protocol::NotifyPackCompleted{*signed_packs->completed});
  maybe_pack(peer);
}

void MasterHandler::maybe_pack(net::Peer& peer) {
  if (packing_) return;  // the job asks again when done
  auto next = state_.next_pack();
  if (failed(next ? std::error_code{} : next.error(), "looking for pack orders")) return;
  if (!*next) {
    auto completed = state_.pack_completed();
    if (failed(completed ? std::error_code{} : completed.error(), "reading packed ids")) return;
    if (*completed) peer.notify(protocol::NotifyPackCompleted{**completed});
    return;
  }
  peer.ask(protocol::AskPackOrders{**next},
           [this, weak = peer.weak_from_this()](Result<protocol::AnswerPackOrders> answer,
                                                std::string_view) {
             auto master = weak.lock();
             if (!answer || !master || master->closed() || answer->pack_list.empty()) return;
             if (packing_) return;
             auto job = state_.start_pack(answer->pack_list.front());
             if (failed(job ? std::error_code{} : job.error(), "packing")) return;
             if (!*job) return;
             // Backup mode: a partition not replicated up to the order yet
             // is packed once it is (the replicator calls maybe_pack).
             if (Replicator* replicator = events_.replicator())
               std::erase_if((*job)->partitions, [&](std::uint32_t partition) {
                 return !replicator->packable(partition, (*job)->order.pack_id);
               });
             if ((*job)->partitions.empty()) return;
             packing_ = true;
             pack(weak, std::move(**job));
           });
}

void MasterHandler::pack(std::weak_ptr<net::Peer> weak, StorageState::PackJob job) {
  // The connection owns this handler; closed, the job is left for the next
  // master connection (the partitions not recorded packed are redone).
  auto master = weak.lock();
  if (!master || master->closed() || !state_.operational()) {
    packing_ = false;
    return;
  }
  auto done = state_.pack_step(job);
  if (failed(done ? std::error_code{} : done.error(), "packing")) return;
  if (!*done) {
    return events_.run_later([this, weak, job = std::move(job)]() mutable {
      if (!weak.expired()) pack(std::move(weak), std::move(job));  // else `this` is gone too
    });
  }
  packing_ = false;
  maybe_pack(*master);
}

void MasterHandler::on(net::Peer&, const protocol::Truncate& p) {
  failed(state_.truncate(p.tid), "recording the truncation");
}

void MasterHandler::on(net::Peer& peer, const protocol::StartOperation& p) {
  Replicator* replicator = events_.replicator();
  if (state_.operational()) {  // a running cluster starts backing up
    if (p.backup && replicator) replicator->start_operation(true);
    return;
  }
  if (failed(state_.start_operation(), "dropping unfinished data")) return;
  if (replicator) replicator->start_operation(p.backup);
  peer.notify(protocol::NotifyReady{});
  if (replicator) replicator->populate();
  events_.operation_started();
}

void MasterHandler::on(net::Peer&, const protocol::StopOperation&) {
  SPDLOG_ERROR("operation stopped");
  if (Replicator* replicator = events_.replicator()) replicator->stop();
  state_.stop_operation();
  events_.operation_stopped();
}

void MasterHandler::on(net::Peer&, const protocol::NotifyRepair& p) {
  auto count = state_.repair(p.dry_run);
  failed(count ? std::error_code{} : count.error(), "repairing the database");
}

void MasterHandler::on(net::Peer&, const protocol::FlushLog&) { log::flush(); }

void MasterHandler::on(net::Peer& peer, const protocol::Ping&) { peer.answer(protocol::Pong{}); }

void MasterHandler::on(net::Peer& peer, const protocol::AskLockInformation& p) {
  std::string message;
  const std::error_code ec = state_.tm().lock(p.ttid, p.tid, p.pack, message);
  if (ec == errc::protocol_error) return protocol_error(peer, message);
  if (failed(ec, "locking a transaction")) return;
  answer_when_durable(state_.tm(), peer, protocol::AnswerInformationLocked{p.ttid});
}

void MasterHandler::on(net::Peer& peer, const protocol::NotifyUnlockInformation& p) {
  std::string message;
  const std::error_code ec = state_.tm().unlock(p.ttid, message);
  if (ec == errc::protocol_error) return protocol_error(peer, message);
  if (failed(ec, "unlocking a transaction")) return;
  events_.commit_later();
}

void MasterHandler::on(net::Peer&, const protocol::AbortTransaction& p) {
  SPDLOG_DEBUG("transaction {} aborted by the master", to_string(p.ttid));
  if (failed(state_.tm().abort(p.ttid), "aborting a transaction")) return;
  if (Replicator* replicator = events_.replicator())
    replicator->transaction_finished(p.ttid, std::nullopt);
}

void MasterHandler::on(net::Peer&, const protocol::NotifyTransactionFinished& p) {
  SPDLOG_DEBUG("transaction {} finished", to_string(p.ttid));
  if (failed(state_.tm().abort(p.ttid), "aborting a transaction")) return;
  if (Replicator* replicator = events_.replicator())
    replicator->transaction_finished(p.ttid, p.max_tid);
}

void MasterHandler::on(net::Peer&, const protocol::CheckPartition& p) {
  events_.check_partition(p);
}

}  // namespace neo::storage
