// replication_bench: the clusters. A template is a storage database made
// once per implementation (a 1-storage cluster started and stopped, then
// filled with fill_database()); a run copies it into a new cluster, starts
// that cluster and a new empty storage, `neoctl add`s it and measures
// (measure_run). Main thread only.
#pragma once

#include <filesystem>
#include <string>

#include "tests/interop/bench/replication_bench.hpp"

namespace neo::bench {

struct Template {
  std::filesystem::path file;  // the filled SQLite database
  Dataset dataset;
};

// In `work`; both throw std::runtime_error on failure.
Template make_ours_template(const std::filesystem::path& work, std::uint64_t bytes);
Template make_neopy_template(const std::filesystem::path& work, std::uint64_t bytes);

// One measurement on a cluster of our daemons / of NEO/py's.
RunFigures run_ours(const Template& db, double idle_seconds);
RunFigures run_neopy(const Template& db, double idle_seconds);

}  // namespace neo::bench
