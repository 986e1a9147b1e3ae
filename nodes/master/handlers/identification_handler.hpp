// nodes/master/handlers/identification_handler.hpp
// The handlers of connections that have not identified yet (NEO/py
// neo/master/handlers/identification.py): IdentificationHandler while this
// master is the primary (MasterState::identify accepts or refuses the
// node; the next packets go to the handler of its type),
// SecondaryIdentificationHandler while it is a secondary (every node is
// told which master is the primary, then disconnected). io thread only.
#pragma once

#include <string_view>

#include "core/net/peer.hpp"
#include "core/protocol/packets.hpp"
#include "nodes/master/handlers/master_handler.hpp"

namespace neo::master {

class IdentificationHandler : public StateHandler {
 public:
  static constexpr std::string_view kName = "IdentificationHandler";
  using StateHandler::StateHandler;
  void on(net::Peer& peer, const protocol::RequestIdentification& p);
  void on(net::Peer& peer, const protocol::Ping& p);
};

class SecondaryIdentificationHandler : public StateHandler {
 public:
  static constexpr std::string_view kName = "SecondaryIdentificationHandler";
  using StateHandler::StateHandler;
  void on(net::Peer& peer, const protocol::RequestIdentification& p);
};

}  // namespace neo::master
