// tests/sim/cluster.hpp
// Cluster: a whole NEO cluster in one process, on a simulated network and
// clock (loop.hpp, network.hpp): the real MasterApp and StorageApp
// (SQLite databases in a temporary directory) and clients of our library
// (ClientNode), started through the same daemon::Env as the real daemons,
// but on the sim::Loop. Nodes can be crashed (their memory dropped, their
// database's uncommitted work lost) and restarted on the same database;
// links cut, reset or slowed through network(). Single-threaded;
// determined by the seed.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/daemon/daemon.hpp"
#include "nodes/client/client_node.hpp"
#include "tests/sim/loop.hpp"
#include "tests/sim/network.hpp"
#include "tests/sim/sim_scheduler.hpp"

namespace neo::master {
class Master;
class MasterApp;
}  // namespace neo::master
namespace neo::storage {
class StorageApp;
}

namespace neo::sim {

struct ClusterConfig {
  int masters = 1;
  int storages = 2;
  int replicas = 1;
  int partitions = 3;
  // Storages not started with the cluster: they join later (PENDING) and
  // are added and given cells by add_and_tweak(); indexes after `storages`.
  int spares = 0;
  Network::Options network{};
};

class Cluster {
 public:
  Cluster(std::uint64_t seed, ClusterConfig config);
  ~Cluster();
  Cluster(const Cluster&) = delete;
  Cluster& operator=(const Cluster&) = delete;

  Loop& loop() { return loop_; }
  Network& network() { return network_; }
  const ClusterConfig& config() const { return config_; }

  // Node names: "M0".., "S0"..; clients "C0"...
  static std::string master_name(int i) { return "M" + std::to_string(i); }
  static std::string storage_name(int i) { return "S" + std::to_string(i); }

  void start_master(int i);
  void start_storage(int i);
  void start_all();
  // The node's process dies: its connections reset, its memory is gone.
  void crash_master(int i);
  void crash_storage(int i);
  bool master_up(int i) const;
  bool storage_up(int i) const;
  // The storage was started at least once.
  bool storage_joined(int i) const { return storages_.at(i).env != nullptr; }

  // The masters acting as primary with the cluster RUNNING.
  std::vector<const master::Master*> running_primaries() const;
  // True if some master is the primary of a RUNNING cluster.
  bool running() const { return !running_primaries().empty(); }

  int storage_count() const { return config_.storages + config_.spares; }
  // The admin's `neoctl add` of every PENDING storage, then `neoctl tweak`,
  // on the RUNNING primary; false if there is none or it refused.
  bool add_and_tweak();
  // True if every cell of the RUNNING primary's table is UP_TO_DATE.
  bool replicated() const;
  // Failures if the readable cells of a partition differ (the digests of
  // NEO's check replicas over every transaction and object).
  std::vector<std::string> compare_replicas();

  // The masters' state dumps (SIGRTMIN+2's), for a failure report.
  std::vector<std::string> dump() const;

  // A client of our library on this cluster (not started).
  std::unique_ptr<client::ClientNode> make_client(const std::string& name);

 private:
  struct Node {
    std::string name{};
    std::unique_ptr<daemon::Env> env{};
    std::shared_ptr<master::MasterApp> master{};
    std::shared_ptr<storage::StorageApp> storage{};
    std::optional<int> exit_status{};
  };
  Node& node(const std::string& name);
  std::unique_ptr<daemon::Env> make_env(Node& node, const std::string& program);
  net::Address master_address(int i) const;

  ClusterConfig config_;
  Loop loop_;
  Network network_;
  SimScheduler scheduler_;
  std::filesystem::path dir_;
  std::vector<Node> masters_;
  std::vector<Node> storages_;
  bool created_ = false;  // start_all() ran: masters restart without -A
};

}  // namespace neo::sim
