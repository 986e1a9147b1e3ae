// nodes/master/handlers/upstream_handler.hpp
// UpstreamHandler: what the upstream cluster's primary master sends to a
// backup cluster's master, identified to it as a read-only "backup" client
// (NEO/py neo/master/handlers/backup.py BackupHandler): its nodes, its
// partition table and changes, and one InvalidatePartitions per commit.
// The logic is MasterState's (master_backup.cpp). io thread only.
#pragma once

#include <string_view>

#include "core/net/peer.hpp"
#include "core/protocol/packets.hpp"
#include "nodes/master/handlers/master_handler.hpp"

namespace neo::master {

class UpstreamHandler : public StateHandler {
 public:
  static constexpr std::string_view kName = "BackupHandler";
  using StateHandler::StateHandler;
  void on(net::Peer& peer, const protocol::Ping& p);
  void on(net::Peer& peer, const protocol::Pong& p);
  void on(net::Peer& peer, const protocol::NotifyNodeInformation& p);
  void on(net::Peer& peer, const protocol::SendPartitionTable& p);
  void on(net::Peer& peer, const protocol::NotifyPartitionChanges& p);
  void on(net::Peer& peer, const protocol::NotifyClusterInformation& p);
  void on(net::Peer& peer, const protocol::InvalidatePartitions& p);
  // Pack orders of the upstream are not followed yet: logged.
  void on(net::Peer& peer, const protocol::NotifyPackSigned& p);
  // The upstream leaves operation (then closes the connection).
  void on(net::Peer& peer, const protocol::StopOperation& p);
};

}  // namespace neo::master
