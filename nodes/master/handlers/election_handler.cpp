#include "nodes/master/handlers/election_handler.hpp"

namespace neo::master {

void ElectionHandler::on(net::Peer& peer, const protocol::NotPrimaryMaster& p) {
  state_.election_refused(peer, p);
}

void PrimaryHandler::on(net::Peer& peer, const protocol::Ping&) { peer.answer(protocol::Pong{}); }

void PrimaryHandler::on(net::Peer&, const protocol::Pong&) {}

// The primary relays an admin's FlushLog: a secondary has nothing to flush.
void PrimaryHandler::on(net::Peer&, const protocol::FlushLog&) {}

void PrimaryHandler::on(net::Peer&, const protocol::NotifyClusterInformation& p) {
  state_.primary_cluster_state(p.state);
}

void PrimaryHandler::on(net::Peer&, const protocol::NotifyNodeInformation& p) {
  state_.primary_nodes(p);
}

void PrimaryHandler::on(net::Peer&, const protocol::NotPrimaryMaster& p) { state_.not_primary(p); }

}  // namespace neo::master
