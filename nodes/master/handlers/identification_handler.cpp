#include "nodes/master/handlers/identification_handler.hpp"

namespace neo::master {

void IdentificationHandler::on(net::Peer& peer, const protocol::RequestIdentification& p) {
  state_.identify(peer, p);
}

void IdentificationHandler::on(net::Peer& peer, const protocol::Ping&) {
  peer.answer(protocol::Pong{});
}

void SecondaryIdentificationHandler::on(net::Peer& peer, const protocol::RequestIdentification& p) {
  state_.secondary_identify(peer, p);
}

}  // namespace neo::master
