// replication_bench: the pieces shared by its files (see replication_bench.cpp
// for what it measures). One thread (main) drives everything, except the
// commit loop of measure_run(), which runs in a thread of its own.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "tests/support/child_process.hpp"

namespace neo::bench {

// What fill_database() wrote.
struct Dataset {
  std::uint64_t objects = 0;
  std::uint64_t transactions = 0;
  std::uint64_t bytes = 0;  // object data
  double seconds = 0;       // time to write it
};

// Fills the storage database `uri` (a path or a file: URI with pragmas),
// which already has a partition table, with about `bytes` of object data:
// transactions of 10 new objects each of 100..1000 random (incompressible,
// stored uncompressed) bytes, one revision per object, oids from 1, TIDs
// consecutive from 30 days ago. Throws on failure.
Dataset fill_database(const std::string& uri, std::uint64_t bytes);

// Rows of table `obj` in the SQLite file `path` (read on a separate
// connection; the storage may be running). -1 on failure.
std::int64_t count_objects(const std::string& path);

// A cluster ready for a measurement: one storage with the dataset, one new
// storage added (running, no cell yet), an admin.
struct Target {
  std::string master;   // "127.0.0.1:port"
  std::string cluster;  // its name
  std::function<test::RunResult(const std::vector<std::string>&)> neoctl;
  pid_t source = -1, destination = -1;  // the storages' processes
  std::string destination_db;           // the new storage's SQLite file
  std::function<std::string()> diagnostics;
};

// One measurement.
struct RunFigures {
  bool ok = false;
  double seconds = 0;  // tweak -> every cell UP_TO_DATE
  double mb_s = 0, objects_s = 0;
  double idle_p50 = 0, idle_p99 = 0, during_p50 = 0, during_p99 = 0;  // ms
  std::size_t idle_commits = 0, during_commits = 0;
  double source_cpu = 0, destination_cpu = 0;  // s during the replication
};

// With the commit loop running: `idle_seconds` idle, then `neoctl tweak`
// and polls `neoctl print pt` every 100 ms until every cell is UP_TO_DATE.
RunFigures measure_run(const Target& target, const Dataset& dataset, double idle_seconds);

}  // namespace neo::bench
