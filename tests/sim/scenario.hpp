// tests/sim/scenario.hpp
// One randomized run of the simulated cluster, determined by its seed: a
// cluster shape drawn from the seed (1-2 masters, 1-3 storages, replicas,
// partitions), the Bank workload (bank.hpp) while faults are injected
// (storage and master crashes and restarts, link cuts and resets, slow
// nodes), then every fault healed, the cluster left to settle, and the
// bank's checks. Throughout, no two masters may be primaries of a RUNNING
// cluster at once. run_scenario(seed) twice gives the same result.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tests/sim/bank.hpp"
#include "tests/sim/loop.hpp"

namespace neo::sim {

struct ScenarioOptions {
  Time workload = std::chrono::seconds(4);  // simulated time under faults
  bool faults = true;
};

struct ScenarioResult {
  std::uint64_t seed = 0;
  std::string shape{};                  // "2 masters, 3 storages, 1 replica, 4 partitions"
  std::vector<std::string> failures{};  // empty: the run is correct
  std::vector<std::string> faults{};    // what was injected, with times
  Bank::Stats stats{};
  Time end{};               // simulated time at the end
  std::uint64_t tasks = 0;  // loop tasks run
};

ScenarioResult run_scenario(std::uint64_t seed, const ScenarioOptions& options = {});

// "seed 42 (2 masters, ...): 3 failures: ..." with the faults, for a report.
std::string describe(const ScenarioResult& result);

}  // namespace neo::sim
