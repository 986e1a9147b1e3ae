// nodes/storage/storage_app.hpp
// The storage node application (NEO/py's neo/storage/app.py): opens the
// database, listens, finds and identifies to the primary master (again
// after each loss), lets MasterHandler drive recovery, verification and
// operation, identifies nodes connecting to it, drops the data of
// discarded partitions in background and exits when the master says so.
// Created by StorageApp::start from main (through neo::daemon::run); owned
// by the daemon until exit. io thread only.
#pragma once

#include <deque>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/cluster/bootstrap.hpp"
#include "core/daemon/daemon.hpp"
#include "core/log/throttle.hpp"
#include "core/net/tasks.hpp"
#include "nodes/storage/checker.hpp"
#include "nodes/storage/database/importer_database.hpp"
#include "nodes/storage/peer_handlers.hpp"
#include "nodes/storage/replicator.hpp"
#include "nodes/storage/storage_events.hpp"
#include "nodes/storage/storage_options.hpp"
#include "nodes/storage/storage_state.hpp"

namespace neo::storage {

class MasterHandler;

class StorageApp final : public StorageEvents, public PeerHost {
 public:
  // Throws std::runtime_error on startup errors (database, cluster name,
  // listening address). With --reset, erases the database and asks the
  // daemon to exit 0.
  static std::shared_ptr<StorageApp> start(daemon::Env& env, const StorageOptions& options);
  StorageApp(daemon::Env& env, const StorageOptions& options, std::unique_ptr<Database> db);
  ~StorageApp() override;
  // As if the process were killed: the database drops what it has not
  // committed. Only the destructor may follow (the simulation's crashes).
  void crash() { db_->crash(); }

  // StorageEvents
  void shutdown(bool erase) override;
  void fatal(const std::string& what) override;
  void nodes_changed(const std::vector<protocol::NodeInfo>& removed) override;
  void drop_partitions(const std::vector<std::uint32_t>& partitions) override;
  void operation_stopped() override;
  void operation_started() override;
  void commit_later() override;
  void run_later(std::function<void()> fn) override;
  void run_after(double seconds, std::function<void()> fn) override;
  void check_partition(const protocol::CheckPartition& p) override { checker_->check(p); }
  // PeerHost
  void identify(net::Peer& peer, const protocol::RequestIdentification& request) override;
  void peer_closed(net::Peer& peer) override;
  StorageState& state() override { return state_; }
  StorageEvents& events() override { return *this; }
  Replicator* replicator() override { return replicator_.get(); }

 private:
  struct Delayed {
    std::weak_ptr<net::Peer> peer;
    std::uint32_t msg_id = 0;
    protocol::RequestIdentification request;
  };
  void listen();
  void connect_to_primary();
  void master_lost(std::error_code reason);
  protocol::RequestIdentification identification_request() const;
  // Returns false if the identification is delayed.
  bool decide(net::Peer& peer, std::uint32_t msg_id, const protocol::RequestIdentification& r);
  // Adds a master to try when looking for the primary (if new).
  void add_master(const net::Address& address);
  void add_peer(net::Peer& peer);
  void close_peers();
  void close_master();
  void drop_step();
  // The Importer backend's background import (storage_import.cpp).
  void import_step();
  void log_import_progress(bool force);
  // TransactionManager: NotifyDeadlock to a client connected to us.
  void notify_deadlock(NodeId client, const protocol::NotifyDeadlock& packet);
  // The Checker's connections, identification and reports (checker.hpp).
  Checker::Host checker_host();
  // The open connection the storage at `address` opened to us, if any.
  std::shared_ptr<net::Peer> incoming_storage(const protocol::Address& address) const;

  daemon::Env& env_;
  StorageOptions options_;
  std::unique_ptr<Database> db_;
  StorageState state_;
  std::vector<std::int64_t> new_nid_;  // --new-nid: our partitions
  std::vector<std::string> devpath_;   // sent to the master
  std::vector<net::Address> masters_;  // -m, resolved at startup
  std::shared_ptr<net::Listener> listener_;
  net::Address server_;  // the real listening address
  std::shared_ptr<cluster::Bootstrap> bootstrap_;
  std::shared_ptr<net::Connection> master_;
  std::weak_ptr<MasterHandler> master_handler_;  // the handler of master_
  std::unique_ptr<Replicator> replicator_;
  std::shared_ptr<IdentificationHandler> identification_handler_;
  std::unique_ptr<Checker> checker_;
  // Incoming connections, in the order they came (deterministic closes).
  std::vector<std::weak_ptr<net::Peer>> peers_;
  std::vector<Delayed> delayed_;
  log::Throttle refused_log_, delayed_log_;  // identifications refused, delayed
  // Incoming connections lent to the Checker (borrow_storage_link).
  std::vector<std::pair<std::weak_ptr<net::Peer>, const net::Peer*>> lent_;
  std::deque<std::uint32_t> to_drop_;
  bool dropping_ = false;
  ImporterDatabase* importer_ = nullptr;  // db_, with the Importer backend
  bool import_running_ = false;
  net::Tasks::Clock::time_point import_started_{}, import_logged_{};
  std::uint64_t import_start_bytes_ = 0;  // already imported when this run started
  bool commit_pending_ = false;           // a deferred commit is scheduled
  bool stopping_ = false;
  net::Tasks tasks_{env_.scheduler};  // last: nothing scheduled runs after us
};

}  // namespace neo::storage
