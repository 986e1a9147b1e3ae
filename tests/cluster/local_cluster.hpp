// tests/cluster/local_cluster.hpp
// A cluster of our own daemons (build/bin, found through NEO_BIN_DIR) run as
// child processes on 127.0.0.1 for cluster tests: one master, SQLite
// storages, one admin, each with a log file, all in one temporary directory
// that survives restarts of the nodes (and is removed by the destructor
// unless NEO_CLUSTER_KEEP is set). neoctl is run as a process too.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "tests/support/child_process.hpp"

namespace neo::test {

class LocalCluster {
 public:
  struct Options {
    std::string name = "neo-cpp-test";
    int partitions = 4;
    int replicas = 0;
    int storages = 1;
    int autostart = 0;  // -A; 0: as many as `storages`
    bool admin = true;
    std::vector<std::string> master_args{};  // more options of the master
  };

  explicit LocalCluster(Options options);
  ~LocalCluster();
  LocalCluster(const LocalCluster&) = delete;
  LocalCluster& operator=(const LocalCluster&) = delete;

  // Starts the master, the storages and the admin.
  void start();
  void start_master();
  void start_storage(std::size_t index);
  void start_admin();

  ChildProcess& master() { return *master_; }
  ChildProcess& storage(std::size_t index) { return *storages_.at(index); }
  ChildProcess& admin() { return *admin_; }
  std::size_t storage_count() const { return storages_.size(); }

  // Storage 0 runs the Importer backend on this importer.conf from its next
  // start (empty: SQLite on database(0) again).
  void use_importer(std::string conf) { importer_conf_ = std::move(conf); }
  // Storage `index` runs `-a adapter -d database` from its next start (e.g.
  // MySQL on a test server's database).
  void use_database(std::size_t index, std::string adapter, std::string database) {
    databases_[index] = {std::move(adapter), std::move(database)};
  }

  std::string master_address() const;
  std::string admin_address() const;
  std::string storage_address(std::size_t index) const;
  std::filesystem::path database(std::size_t index) const;
  const std::filesystem::path& dir() const { return dir_; }
  const Options& options() const { return options_; }

  // Runs `neoctl -a <admin> args...`.
  RunResult neoctl(const std::vector<std::string>& args) const;
  // Waits until `neoctl print cluster` prints `state`.
  bool wait_cluster_state(const std::string& state,
                          std::chrono::milliseconds timeout = std::chrono::seconds(20)) const;
  // Waits until `neoctl print node` has `lines` lines containing `text`.
  bool wait_nodes(const std::string& text, std::size_t lines,
                  std::chrono::milliseconds timeout = std::chrono::seconds(20)) const;

  // Process outputs and the master's log (via neolog), for failure messages.
  std::string diagnostics() const;

  // NEO_BIN_DIR/<program>.
  static std::string program(const std::string& name);
  // True when the daemons were built (cluster tests skip otherwise).
  static bool daemons_built();

 private:
  std::vector<std::string> common_args(const std::string& node) const;
  std::string database_argument(std::size_t index) const;

  Options options_;
  std::filesystem::path dir_;
  std::uint16_t master_port_, admin_port_;
  std::vector<std::uint16_t> storage_ports_;
  std::unique_ptr<ChildProcess> master_, admin_;
  std::vector<std::unique_ptr<ChildProcess>> storages_;
  std::string importer_conf_;
  std::map<std::size_t, std::pair<std::string, std::string>> databases_;  // use_database
};

// Lines of `text` containing `needle`.
std::size_t count_lines_with(const std::string& text, const std::string& needle);

}  // namespace neo::test
