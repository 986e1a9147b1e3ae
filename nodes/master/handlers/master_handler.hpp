// nodes/master/handlers/master_handler.hpp
// StateHandler: what every master handler holds, the MasterState.
// MasterHandler: what any identified node may send to the primary master
// (NEO/py neo/master/handlers/__init__.py MasterHandler, with EventHandler's
// ping and flushLog): Ping, the cluster state, the last ids and
// transaction, the primary's id, FlushLog. The handler of each peer type
// and cluster state derives from it (`using MasterHandler::on;`).
// Handlers are dispatched by Master (master.hpp) with net::dispatch: a
// packet without an on() is unexpected in that state. They keep no state
// of their own (it is MasterState's). io thread only.
#pragma once

#include <string_view>

#include "core/net/peer.hpp"
#include "core/protocol/packets.hpp"
#include "nodes/master/master_state.hpp"

namespace neo::master {

class StateHandler {
 public:
  explicit StateHandler(MasterState& state) : state_(state) {}

 protected:
  MasterState& state_;
};

class MasterHandler : public StateHandler {
 public:
  static constexpr std::string_view kName = "MasterHandler";
  using StateHandler::StateHandler;

  void on(net::Peer& peer, const protocol::Ping& p);
  void on(net::Peer& peer, const protocol::Pong& p);
  void on(net::Peer& peer, const protocol::AskClusterState& p);
  void on(net::Peer& peer, const protocol::AskRecovery& p);
  void on(net::Peer& peer, const protocol::AskLastIDs& p);
  void on(net::Peer& peer, const protocol::AskLastTransaction& p);
  void on(net::Peer& peer, const protocol::AskPrimary& p);
  void on(net::Peer& peer, const protocol::FlushLog& p);
};

}  // namespace neo::master
