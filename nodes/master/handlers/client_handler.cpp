#include "nodes/master/handlers/client_handler.hpp"

namespace neo::master {

void ClientServiceHandler::on(net::Peer& peer, const protocol::AskBeginTransaction& p) {
  state_.begin_transaction(peer, p);
}

void ClientServiceHandler::on(net::Peer& peer, const protocol::AskNewOIDs& p) {
  if (p.num_oids < 0 || p.num_oids > 1000000) {
    peer.answer_error(errc::protocol_error, "invalid number of oids");
    return peer.abort(errc::protocol_error);
  }
  peer.answer(
      protocol::AnswerNewOIDs{state_.tm().new_oids(static_cast<std::uint32_t>(p.num_oids))});
}

void ClientServiceHandler::on(net::Peer& peer, const protocol::FailedVote& p) {
  state_.failed_vote(peer, p);
}

void ClientServiceHandler::on(net::Peer& peer, const protocol::AskFinishTransaction& p) {
  state_.finish_transaction(peer, p);
}

void ClientServiceHandler::on(net::Peer& peer, const protocol::AskFinalTID& p) {
  state_.final_tid(peer, p.ttid);
}

void ClientServiceHandler::on(net::Peer& peer, const protocol::AbortTransaction& p) {
  state_.abort_transaction(peer, p);
}

void ClientServiceHandler::on(net::Peer& peer, const protocol::AskPackOrders& p) {
  peer.answer(protocol::AnswerPackOrders{state_.pm().dump(p.pack_id, false)});
}

void ClientServiceHandler::on(net::Peer& peer, const protocol::WaitForPack& p) {
  state_.wait_for_pack(peer, p.tid);
}

void ClientReadOnlyServiceHandler::read_only(net::Peer& peer, std::string_view message) {
  peer.answer_error(errc::read_only_access, std::string(message));
}

void ClientBackupServiceHandler::on(net::Peer& peer, const protocol::AskLastTransaction&) {
  peer.answer(protocol::AnswerLastTransaction{state_.backup_tid_min()});
}

void ClientBackupServiceHandler::on(net::Peer& peer, const protocol::AskLastIDs&) {
  read_only(peer, read_only_message_);
}

}  // namespace neo::master
