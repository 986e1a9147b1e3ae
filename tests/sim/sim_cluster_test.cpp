// The whole cluster in one process: randomized runs of the bank workload
// under faults (scenario.hpp), each determined by its seed. A failing run
// prints its seed and what happened; NEO_SIM_SEED=<seed> replays that run
// alone, NEO_SIM_SEEDS=<n> runs seeds 1..n (default 120), NEO_SIM_LOG=1
// shows the nodes' log.
#include <catch2/catch.hpp>
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <iostream>

#include "tests/sim/scenario.hpp"

using neo::sim::describe;
using neo::sim::run_scenario;
using neo::sim::ScenarioResult;

namespace {

std::uint64_t env_number(const char* name, std::uint64_t fallback) {
  const char* text = std::getenv(name);
  return text && *text ? std::strtoull(text, nullptr, 10) : fallback;
}

void quiet_logs() {
  if (!std::getenv("NEO_SIM_LOG")) spdlog::set_level(spdlog::level::off);
}

}  // namespace

TEST_CASE("a simulated run replays exactly from its seed", "[sim]") {
  quiet_logs();
  const ScenarioResult first = run_scenario(7);
  const ScenarioResult again = run_scenario(7);
  CHECK(describe(first) == describe(again));
  CHECK(first.tasks == again.tasks);
  CHECK(first.stats.committed > 0);
}

TEST_CASE("the cluster keeps the bank's invariants under random faults", "[sim]") {
  quiet_logs();
  std::uint64_t first = 1, last = env_number("NEO_SIM_SEEDS", 120);
  if (const std::uint64_t seed = env_number("NEO_SIM_SEED", 0)) first = last = seed;
  std::uint64_t committed = 0, faulty = 0;
  for (std::uint64_t seed = first; seed <= last; ++seed) {
    const ScenarioResult result = run_scenario(seed);
    committed += result.stats.committed;
    if (first == last) std::cout << describe(result) << '\n';
    if (!result.failures.empty()) {
      ++faulty;
      FAIL_CHECK(describe(result) << "\nreplay: NEO_SIM_SEED=" << seed << " "
                                  << "build/tests/sim_cluster_test");
    }
  }
  std::cout << "sim: seeds " << first << ".." << last << ", " << committed
            << " transfers committed, " << faulty << " failing\n";
  CHECK(committed > 0);
}
