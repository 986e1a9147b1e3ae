// nodes/master/handlers/storage_handler.hpp
// The handlers of identified storages, one per cluster state (NEO/py
// neo/master/recovery.py, verification.py, handlers/storage.py):
//  - RecoveryHandler (RECOVERING): only what any node may send; the
//    recovery's own requests are answered through their callbacks;
//  - VerificationHandler (VERIFYING; STOPPING): NotifyPackCompleted too;
//  - StorageServiceHandler (RUNNING): readiness, unfinished transactions,
//    replication, pack orders.
// io thread only.
#pragma once

#include <string_view>

#include "core/net/peer.hpp"
#include "core/protocol/packets.hpp"
#include "nodes/master/handlers/master_handler.hpp"

namespace neo::master {

class RecoveryHandler : public MasterHandler {
 public:
  static constexpr std::string_view kName = "RecoveryHandler";
  using MasterHandler::MasterHandler;
  using MasterHandler::on;
};

class VerificationHandler : public MasterHandler {
 public:
  static constexpr std::string_view kName = "VerificationHandler";
  using MasterHandler::MasterHandler;
  using MasterHandler::on;
  void on(net::Peer& peer, const protocol::NotifyPackCompleted& p);
};

class StorageServiceHandler : public MasterHandler {
 public:
  static constexpr std::string_view kName = "StorageServiceHandler";
  using MasterHandler::MasterHandler;
  using MasterHandler::on;
  void on(net::Peer& peer, const protocol::NotifyPackCompleted& p);
  void on(net::Peer& peer, const protocol::AskPackOrders& p);
  void on(net::Peer& peer, const protocol::NotifyReady& p);
  void on(net::Peer& peer, const protocol::AskUnfinishedTransactions& p);
  void on(net::Peer& peer, const protocol::NotifyReplicationDone& p);
  void on(net::Peer& peer, const protocol::NotifyPartitionCorrupted& p);
};

}  // namespace neo::master
