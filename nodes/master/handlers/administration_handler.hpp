// nodes/master/handlers/administration_handler.hpp
// AdministrationHandler: the requests an identified admin node relays from
// neoctl (NEO/py neo/master/handlers/administration.py): cluster and node
// states, pending nodes, partition table changes, repair, truncation, node
// and partition lists, checking replicas (MasterState::check_replicas). io
// thread only.
#pragma once

#include <string_view>

#include "core/net/peer.hpp"
#include "core/protocol/packets.hpp"
#include "nodes/master/handlers/master_handler.hpp"

namespace neo::master {

class AdministrationHandler : public MasterHandler {
 public:
  static constexpr std::string_view kName = "AdministrationHandler";
  // A malformed request is answered Error(PROTOCOL_ERROR), the admin kept:
  // it relays what neoctl sent (the admin checks it too).
  static constexpr bool kKeepMalformed = true;
  using MasterHandler::MasterHandler;
  using MasterHandler::on;
  void on(net::Peer& peer, const protocol::SetClusterState& p);
  void on(net::Peer& peer, const protocol::SetNodeState& p);
  void on(net::Peer& peer, const protocol::AddPendingNodes& p);
  void on(net::Peer& peer, const protocol::TweakPartitionTable& p);
  void on(net::Peer& peer, const protocol::SetNumReplicas& p);
  void on(net::Peer& peer, const protocol::Repair& p);
  void on(net::Peer& peer, const protocol::Truncate& p);
  void on(net::Peer& peer, const protocol::CheckReplicas& p);
  void on(net::Peer& peer, const protocol::AskNodeList& p);
  void on(net::Peer& peer, const protocol::AskPartitionList& p);
};

}  // namespace neo::master
