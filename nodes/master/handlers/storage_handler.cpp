#include "nodes/master/handlers/storage_handler.hpp"

namespace neo::master {

void VerificationHandler::on(net::Peer& peer, const protocol::NotifyPackCompleted& p) {
  state_.pack_completed(*peer.nid(), p.pack_id);
}

void StorageServiceHandler::on(net::Peer& peer, const protocol::NotifyPackCompleted& p) {
  state_.pack_completed(*peer.nid(), p.pack_id);
}

// Only the first approved order: the storage packs one at a time.
void StorageServiceHandler::on(net::Peer& peer, const protocol::AskPackOrders& p) {
  peer.answer(protocol::AnswerPackOrders{state_.pm().dump(p.pack_id, true)});
}

void StorageServiceHandler::on(net::Peer& peer, const protocol::NotifyReady&) {
  state_.set_storage_ready(*peer.nid());
}

void StorageServiceHandler::on(net::Peer& peer, const protocol::AskUnfinishedTransactions& p) {
  peer.answer(state_.unfinished_transactions(*peer.nid(), p.offset_list));
}

void StorageServiceHandler::on(net::Peer& peer, const protocol::NotifyReplicationDone& p) {
  const std::string refused = state_.replication_done(*peer.nid(), p);
  if (refused.empty()) return;
  peer.answer_error(errc::protocol_error, refused);
  peer.abort(errc::protocol_error);
}

void StorageServiceHandler::on(net::Peer&, const protocol::NotifyPartitionCorrupted& p) {
  state_.partition_corrupted(p);
}

}  // namespace neo::master
