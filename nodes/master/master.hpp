// nodes/master/master.hpp
// Master: the master node without sockets: a MasterState (master_state.hpp)
// and one handler per peer type and state (handlers/*.hpp, NEO/py's
// neo/master/handlers). on_packet chooses the handler of the peer's
// connection from the node's type, the role and the cluster state
// (MasterState::route: what NEO/py does by installing another handler on
// the connection) and dispatches the packet to it with net::dispatch
// (malformed or unexpected packets: Error + abort). MasterApp
// (master_app.cpp) binds it to a listener; tests drive it with fake peers.
// Use from one thread (the io_context's).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/net/peer.hpp"
#include "nodes/master/handlers/administration_handler.hpp"
#include "nodes/master/handlers/client_handler.hpp"
#include "nodes/master/handlers/election_handler.hpp"
#include "nodes/master/handlers/identification_handler.hpp"
#include "nodes/master/handlers/storage_handler.hpp"
#include "nodes/master/handlers/upstream_handler.hpp"
#include "nodes/master/master_state.hpp"

namespace neo::master {

class Master {
 public:
  // See MasterState's constructor.
  Master(MasterConfig config, Hooks hooks, node::NodeManager::Clock clock = {},
         TransactionManager::Clock tid_clock = {});
  Master(const Master&) = delete;
  Master& operator=(const Master&) = delete;

  // Starts playing the primary role: RECOVERING.
  void start() { state_->start(); }

  // --- Connection events (from MasterApp's connections, or tests) --------
  void on_packet(net::Peer& peer, const protocol::Frame& frame);
  void on_closed(net::Peer& peer) { state_->on_closed(peer); }

  // --- State, for tests and dumps ------------------------------------------
  const MasterState& state() const { return *state_; }
  // The simulation plays the admin's requests on it.
  MasterState& state() { return *state_; }
  std::optional<ClusterState> cluster_state() const { return state_->cluster_state(); }
  NodeId nid() const { return state_->nid(); }
  const node::NodeManager& nodes() const { return state_->nodes(); }
  const pt::MasterPartitionTable& pt() const { return state_->pt(); }
  Tid last_transaction() const { return state_->last_transaction(); }
  const TransactionManager& tm() const { return state_->tm(); }
  bool stopping() const { return state_->stopping(); }
  bool stop_requested() const { return state_->stop_requested(); }
  bool secondary() const { return state_->secondary(); }
  std::vector<std::string> dump() const { return state_->dump(); }

 private:
  std::shared_ptr<MasterState> state_;
  IdentificationHandler identification_{*state_};
  SecondaryIdentificationHandler secondary_identification_{*state_};
  ElectionHandler election_{*state_};
  PrimaryHandler primary_{*state_};
  SecondaryHandler secondary_{*state_};
  RecoveryHandler recovery_{*state_};
  VerificationHandler verification_{*state_};
  StorageServiceHandler storage_service_{*state_};
  ClientServiceHandler client_{*state_};
  ClientReadOnlyServiceHandler client_read_only_{*state_};
  ClientBackupServiceHandler client_backup_{*state_};
  UpstreamHandler upstream_{*state_};
  AdministrationHandler administration_{*state_};
};

}  // namespace neo::master
