// cli/neostress/options.hpp
// neostress's command line (man/neostress.1): upstream tools/stress's
// global options (-6 -a -d -m -s -p -r) and commands (run, check), with
// batch-mode options of ours (--seed, --duration, --faults, --kinds,
// --json...). `client` is internal: the writer processes run it.
// Parsing only; no I/O.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cli/neostress/faults.hpp"

namespace neo::stress {

struct StressOptions {
  // Global.
  bool ipv6 = false;
  std::string adapter = "SQLite";
  std::string data_dir;  // default: a new directory under $TMPDIR (logs go there too)
  int masters = 1, storages = 8, partitions = 24, replicas = 1;
  std::string bin_dir;  // neomaster... (default: beside neostress)
  std::string cluster_name = "neostress";
  // Attach to a running cluster instead (check; run without process faults).
  std::vector<std::string> attach_masters;
  std::string attach_admin;

  std::string command;  // run, check, client

  // run
  int clients = 10, threads = 1;
  double fault_probability = 1;           // per fault period
  double rate = 1;                        // fault periods per second
  std::optional<double> duration;         // seconds
  std::optional<std::uint64_t> faults;    // total
  std::optional<std::uint64_t> per_kind;  // at least this many of each kind, then stop
  std::vector<std::string> kinds;         // default: all that apply
  std::uint64_t seed = 0;                 // 0: from the clock
  double max_recovery = 60;               // seconds
  double freeze_max = 3;                  // seconds
  bool batch = false;                     // no screen even on a terminal
  bool keep = false;                      // keep the data dir after success
  bool unsafe = false;
  bool isolate = false;             // private namespaces: disk-full and delay faults
  std::uint64_t disk_mib = 512;     // tmpfs of each storage with --isolate
  std::uint64_t delay_kbit = 2000;  // the delayed node's rate (delay fault)
  std::string json;                 // summary as JSON to this file ("-": stdout)

  // check
  std::optional<std::string> tid;  // check at this TID (hex or decimal)
  std::vector<std::string> ack_files;
  bool check_replicas = true;

  // client (internal)
  std::uint32_t first_writer = 0;
  std::string acks;
  std::string log;  // NEO log (SQLite) of the client library
};

// Registers everything on `app`.
void add_options(CLI::App& app, StressOptions& options);
// Checks the combination after parsing; an error message or "".
std::string validate(StressOptions& options);
// The fault kinds of --kinds (validated), or all that apply.
std::vector<FaultKind> fault_kinds(const StressOptions& options);

}  // namespace neo::stress
