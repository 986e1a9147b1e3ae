// nodes/master/master_config.hpp
// neomaster's options (spec/config-and-cli.md 3, NEO/py neo/master/app.py):
// the common and server options plus -A -C -M -B -i -r -p, registered on a
// CLI11 app (command line and neo.conf [master] section), and the checks
// done before the node starts. Used by main.cpp and tests; single-threaded.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/config/options.hpp"
#include "core/net/address.hpp"
#include "core/util/ids.hpp"

namespace neo::master {

// What the master needs once options are parsed and checked.
struct MasterConfig {
  std::string cluster;
  net::Address bind;                  // resolved
  std::vector<net::Address> masters;  // resolved, may include `bind`
  // -D: the file of known masters, read at start (added to `masters`) and
  // rewritten as masters come and go. Empty: none.
  std::string dynamic_master_list;
  std::optional<NodeId> nid;  // -i (testing)
  std::optional<std::int64_t> autostart;
  std::uint32_t partitions = 100;
  std::uint32_t replicas = 0;
  // Backup mode (-C -M -B): the cluster to follow and its masters
  // (resolved); empty name: no upstream (STARTING_BACKUP refused).
  std::string upstream_cluster;
  std::vector<net::Address> upstream_masters;
  bool backup = false;  // -B: an empty cluster goes to BACKINGUP, not RUNNING
};

// The raw options as CLI11 fills them.
struct MasterOptions {
  config::ServerOptions server;
  std::optional<std::int64_t> autostart;
  std::string upstream_cluster;
  std::string upstream_masters;
  bool backup = false;
  std::optional<std::int64_t> nid;
  std::int64_t replicas = 0;
  std::int64_t partitions = 100;
};

// Registers every neomaster option on `app` (after add_common_options).
void add_master_options(CLI::App& app, MasterOptions& options);

// Checks the options and resolves the addresses. Throws std::runtime_error
// with the operator's message: bad replicas/partitions, an upstream
// cluster named as ours or without masters, -B without upstream.
MasterConfig make_config(const MasterOptions& options);

}  // namespace neo::master
