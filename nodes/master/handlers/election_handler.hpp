// nodes/master/handlers/election_handler.hpp
// The handlers of connections between masters (NEO/py
// neo/master/handlers/master.py):
//  - SecondaryHandler: an identified master connected to us, the primary
//    (it yields to us): only what any node may send;
//  - ElectionHandler: our connection to another master while we run for
//    primary; its AcceptIdentification (an answer) makes us secondary, its
//    NotPrimaryMaster names the masters it knows;
//  - PrimaryHandler: as a secondary, our connection to the primary: the
//    masters' states, the cluster stopping (we exit), another primary.
// io thread only.
#pragma once

#include <string_view>

#include "core/net/peer.hpp"
#include "core/protocol/packets.hpp"
#include "nodes/master/handlers/master_handler.hpp"

namespace neo::master {

class SecondaryHandler : public MasterHandler {
 public:
  static constexpr std::string_view kName = "SecondaryHandler";
  using MasterHandler::MasterHandler;
  using MasterHandler::on;
};

class ElectionHandler : public StateHandler {
 public:
  static constexpr std::string_view kName = "ElectionHandler";
  using StateHandler::StateHandler;
  void on(net::Peer& peer, const protocol::NotPrimaryMaster& p);
};

class PrimaryHandler : public StateHandler {
 public:
  static constexpr std::string_view kName = "PrimaryHandler";
  using StateHandler::StateHandler;
  void on(net::Peer& peer, const protocol::Ping& p);
  void on(net::Peer& peer, const protocol::Pong& p);
  void on(net::Peer& peer, const protocol::FlushLog& p);
  void on(net::Peer& peer, const protocol::NotifyClusterInformation& p);
  void on(net::Peer& peer, const protocol::NotifyNodeInformation& p);
  void on(net::Peer& peer, const protocol::NotPrimaryMaster& p);
};

}  // namespace neo::master
