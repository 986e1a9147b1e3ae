#include "nodes/master/handlers/master_handler.hpp"

namespace neo::master {

void MasterHandler::on(net::Peer& peer, const protocol::Ping&) { peer.answer(protocol::Pong{}); }

void MasterHandler::on(net::Peer&, const protocol::Pong&) {}

void MasterHandler::on(net::Peer& peer, const protocol::AskClusterState&) {
  peer.answer(protocol::AnswerClusterState{state_.cluster_state()});
}

void MasterHandler::on(net::Peer& peer, const protocol::AskRecovery&) {
  peer.answer(
      protocol::AnswerRecovery{state_.pt().ptid(), state_.backup_tid(), state_.truncate_tid()});
}

void MasterHandler::on(net::Peer& peer, const protocol::AskLastIDs&) {
  const TransactionManager& tm = state_.tm();
  peer.answer(protocol::AnswerLastIDs{tm.last_tid(), tm.last_oid(), tm.first_tid()});
}

void MasterHandler::on(net::Peer& peer, const protocol::AskLastTransaction&) {
  peer.answer(protocol::AnswerLastTransaction{state_.last_transaction()});
}

void MasterHandler::on(net::Peer& peer, const protocol::AskPrimary&) {
  peer.answer(protocol::AnswerPrimary{state_.nid()});
}

void MasterHandler::on(net::Peer& peer, const protocol::FlushLog&) { state_.flush_log(peer); }

}  // namespace neo::master
