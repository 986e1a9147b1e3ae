// nodes/client/client_handlers.hpp
// The handlers of what the primary master and the storages send a client
// unasked (NEO/py's neo/client/handlers): net::dispatch (core/net/dispatch.hpp)
// decodes each packet and calls the matching on(); a malformed packet, or
// one without an on() here, gets Error(PROTOCOL_ERROR) and the connection is
// aborted. Answers to the client's requests go to their ask() callbacks
// instead. The handlers only translate: the decisions are ClientState's.
// Made by ClientState for each packet; same thread as ClientState.
#pragma once

#include <string_view>

#include "core/net/peer.hpp"
#include "core/protocol/packets.hpp"
#include "nodes/client/client_state.hpp"

namespace neo::client {

// The connection to the primary master, once identified.
class PrimaryNotificationsHandler {
 public:
  static constexpr std::string_view kName = "PrimaryNotificationsHandler";
  explicit PrimaryNotificationsHandler(ClientState& state) : state_(state) {}
  void on(net::Peer& peer, const protocol::NotifyNodeInformation& p);
  void on(net::Peer& peer, const protocol::SendPartitionTable& p);
  void on(net::Peer& peer, const protocol::NotifyPartitionChanges& p);
  void on(net::Peer& peer, const protocol::InvalidateObjects& p);
  void on(net::Peer& peer, const protocol::NotifyClusterInformation& p);
  void on(net::Peer& peer, const protocol::Ping& p);

 private:
  ClientState& state_;
};

// A connection to a storage.
class StorageEventHandler {
 public:
  static constexpr std::string_view kName = "StorageEventHandler";
  StorageEventHandler(ClientState& state, NodeId nid) : state_(state), nid_(nid) {}
  void on(net::Peer& peer, const protocol::NotifyDeadlock& p);
  void on(net::Peer& peer, const protocol::Ping& p);

 private:
  ClientState& state_;
  NodeId nid_;
};

}  // namespace neo::client
