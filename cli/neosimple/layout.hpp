// cli/neosimple/layout.hpp
// The cluster neosimple runs: its name and sizes, every node's address,
// database, log and output files, and the command line of each daemon,
// written with NEO/py's options (-c -b -m -p -r -A -a SQLite -d -l) that our
// daemons accept as well. The settings that must not change between runs
// (name, partitions, replicas, ports) are saved in <data dir>/neosimple.conf
// and reused. Pure apart from load()/save() and the port probing of
// assign_free_ports().
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "cli/neosimple/options.hpp"

namespace neo::simple {

struct NodePlan {
  std::string label;    // "master", "master2", "storage1", "admin"
  std::string program;  // "neomaster", "neostorage", "neoadmin"
  std::uint16_t port = 0;
  std::filesystem::path database;  // storages
  std::filesystem::path log;       // -l
  std::filesystem::path output;    // stdout + stderr of the process
};

// Saved settings: "key = value" lines.
using Settings = std::map<std::string, std::string>;
Settings parse_settings(const std::string& text);
std::string format_settings(const Settings& settings);

class Layout {
 public:
  // Plans the cluster from the options and the saved settings (which win
  // for name, partitions and replicas of an existing cluster; `notes`
  // receives a line for each option that was overridden that way).
  Layout(const SimpleOptions& options, const Settings& saved, std::mt19937_64& rng,
         std::vector<std::string>* notes = nullptr);

  const std::string& name() const { return name_; }
  int partitions() const { return partitions_; }
  int replicas() const { return replicas_; }
  const std::string& bind_ip() const { return bind_ip_; }
  const std::vector<NodePlan>& masters() const { return masters_; }
  const std::vector<NodePlan>& storages() const { return storages_; }
  const NodePlan& admin() const { return admin_; }
  std::vector<const NodePlan*> all() const;  // masters, storages, admin

  // Ports: --port-base, else the saved ones, else 0 (to be assigned).
  bool ports_assigned() const;
  // Gives every node with port 0 a port that is free now (`free_port`),
  // never one another node has (a port just freed may come back at once).
  template <class FreePort>
  void assign_ports(FreePort&& free_port) {
    std::set<std::uint16_t> taken;
    for (NodePlan* node : mutable_all()) taken.insert(node->port);
    for (NodePlan* node : mutable_all()) {
      if (node->port) continue;
      for (int tries = 0; tries < 100 && (!node->port || taken.count(node->port)); ++tries)
        node->port = free_port();
      taken.insert(node->port);
    }
  }

  // "127.0.0.1:22001", "[::1]:22001".
  std::string address(const NodePlan& node) const;
  // Space-separated master addresses (-m).
  std::string master_list() const;
  // argv of the daemon (program path first).
  std::vector<std::string> command(const NodePlan& node, const std::filesystem::path& bin_dir,
                                   bool autostart) const;
  // The settings to save.
  Settings settings() const;

 private:
  std::vector<NodePlan*> mutable_all();

  std::string name_;
  int partitions_ = 1;
  int replicas_ = 0;
  std::string bind_ip_;
  std::vector<NodePlan> masters_;
  std::vector<NodePlan> storages_;
  NodePlan admin_;
};

}  // namespace neo::simple
