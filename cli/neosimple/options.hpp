// cli/neosimple/options.hpp
// neosimple's command line: the options of NEO/py's neosimple that make
// sense for a cluster of our daemons (--seed --adapter --address_type
// --autostart --bind_ip --cleanup_on_delete --clear_databases --logger
// --master_count --name --partitions --replicas --temp_dir, db...) plus
// -n/--storages, --data-dir, --port-base, --bin-dir, --manual-start.
// Parsing only; no I/O.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace neo::simple {

struct SimpleOptions {
  std::vector<std::string> dbs;             // positional: SQLite names (in the data dir) or paths
  std::optional<int> storages;              // -n/--storages (default 2 without db)
  std::string data_dir = "neosimple-data";  // --data-dir / --temp_dir
  std::optional<std::string> name;          // --name (default: saved, else random neo_<n>)
  std::optional<int> partitions;            // --partitions (default 1 as upstream; saved)
  std::optional<int> replicas;              // --replicas (default 0; saved)
  int master_count = 1;                     // --master_count
  std::string bind_ip;                      // --bind_ip (default per --address_type)
  std::string address_type = "ipv4";        // --address_type ipv4|ipv6
  std::string adapter = "SQLite";           // --adapter (SQLite only)
  std::optional<std::string> seed;          // --seed
  std::optional<int> port_base;             // --port-base (default: saved ports, else free ones)
  std::string bin_dir;                      // --bin-dir / $NEO_SIMPLE_BIN_DIR (default: beside us)
  bool autostart = false;                   // --autostart (accepted: it is the default here)
  bool manual_start = false;                // --manual-start: new cluster waits for `neoctl start`
  bool clear_databases = false;             // --clear_databases
  bool cleanup_on_delete = false;           // --cleanup_on_delete: remove the data dir on exit
  bool logger = false;                      // --logger (accepted; daemons always log)
};

// Registers the options on `app`.
void add_simple_options(CLI::App& app, SimpleOptions& options);
// Checks the combination after parsing; returns an error message or "".
std::string validate(SimpleOptions& options);
// The number of storage nodes the options ask for.
int storage_count(const SimpleOptions& options);

}  // namespace neo::simple
