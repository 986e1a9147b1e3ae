// nodes/storage/master_handler.hpp
// Handles what the primary master sends to a storage, through recovery,
// verification and operation (NEO/py's storage InitializationHandler and
// MasterOperationHandler): each packet is applied to StorageState and
// answered; what concerns the application (exit, connections, background
// work) goes to StorageEvents. Commits: AskLockInformation,
// NotifyUnlockInformation and AbortTransaction go to the TransactionManager.
// Replication: the Replicator hears of operation start and stop, partition
// changes and finished transactions; CheckPartition goes to the
// application's Checker. Backup mode: StartOperation(backup), Replicate and
// STOPPING_BACKUP go to the Replicator.
// Owned by the master connection; io thread only.
#pragma once

#include <memory>

#include "core/net/peer.hpp"
#include "core/protocol/packets.hpp"
#include "nodes/storage/replicator.hpp"
#include "nodes/storage/storage_events.hpp"
#include "nodes/storage/storage_state.hpp"

namespace neo::storage {

class MasterHandler : public net::Handler {
 public:
  static constexpr std::string_view kName = "MasterOperationHandler";
  // `on_lost` is called when the connection closes (back to bootstrap).
  MasterHandler(StorageState& state, StorageEvents& events,
                std::function<void(std::error_code)> on_lost)
      : state_(state), events_(events), on_lost_(std::move(on_lost)) {}

  void on_packet(net::Peer& peer, const protocol::Frame& frame) override;
  void on_closed(net::Peer& peer, std::error_code reason) override;

  void on(net::Peer& peer, const protocol::NotifyNodeInformation& p);
  void on(net::Peer& peer, const protocol::AskRecovery& p);
  void on(net::Peer& peer, const protocol::AskPartitionTable& p);
  void on(net::Peer& peer, const protocol::SendPartitionTable& p);
  void on(net::Peer& peer, const protocol::NotifyPartitionChanges& p);
  void on(net::Peer& peer, const protocol::NotifyClusterInformation& p);
  void on(net::Peer& peer, const protocol::AskLockedTransactions& p);
  void on(net::Peer& peer, const protocol::AskFinalTID& p);
  void on(net::Peer& peer, const protocol::ValidateTransaction& p);
  void on(net::Peer& peer, const protocol::AskLastIDs& p);
  void on(net::Peer& peer, const protocol::AskPackOrders& p);
  void on(net::Peer& peer, const protocol::NotifyPackSigned& p);
  void on(net::Peer& peer, const protocol::Truncate& p);
  void on(net::Peer& peer, const protocol::StartOperation& p);
  void on(net::Peer& peer, const protocol::StopOperation& p);
  void on(net::Peer& peer, const protocol::NotifyRepair& p);
  void on(net::Peer& peer, const protocol::FlushLog& p);
  void on(net::Peer& peer, const protocol::Ping& p);
  void on(net::Peer& peer, const protocol::AskLockInformation& p);
  void on(net::Peer& peer, const protocol::NotifyUnlockInformation& p);
  void on(net::Peer& peer, const protocol::AbortTransaction& p);
  void on(net::Peer& peer, const protocol::NotifyTransactionFinished& p);
  void on(net::Peer& peer, const protocol::CheckPartition& p);
  void on(net::Peer& peer, const protocol::Replicate& p);

  // Processes the signed pack orders one by one (asking the master for
  // each), then reports NotifyPackCompleted if the completed id changed.
  void maybe_pack(net::Peer& peer);

 private:
  // A backend failure: fatal for the node. Returns true if `ec` is one.
  bool failed(const std::error_code& ec, const char* what);
  void protocol_error(net::Peer& peer, const std::string& message);
  // One step of `job`, the next one queued behind the packets waiting.
  void pack(std::weak_ptr<net::Peer> master, StorageState::PackJob job);
  // Aborts every transaction of the clients the master says are not RUNNING.
  void abort_for_stopped_clients(const protocol::NotifyNodeInformation& p);

  StorageState& state_;
  StorageEvents& events_;
  std::function<void(std::error_code)> on_lost_;
  bool packing_ = false;  // a pack job is in progress
};

}  // namespace neo::storage
