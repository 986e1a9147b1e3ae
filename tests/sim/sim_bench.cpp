// Benchmark mode of the simulation (not a test): runs seeds FIRST..LAST of
// the randomized cluster scenario and prints, per 100 seeds and at the end,
// the seeds per second of real time, the transfers committed and the
// simulated time per real second; every failing seed is printed with its
// description (replay it with NEO_SIM_SEED=<seed> build/tests/sim_cluster_test).
//   build/tests/sim_bench [LAST [FIRST]]   (default 1..1000)
// Exit status: 0 if every seed passed, 1 otherwise.
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "tests/sim/scenario.hpp"

int main(int argc, char** argv) {
  const std::uint64_t last = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1000;
  const std::uint64_t first = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 1;
  if (!std::getenv("NEO_SIM_LOG")) spdlog::set_level(spdlog::level::off);
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  std::uint64_t runs = 0, failing = 0, committed = 0;
  double simulated = 0;
  auto report = [&](const char* what) {
    const double real = std::chrono::duration<double>(Clock::now() - start).count();
    std::printf(
        "%s: %llu seeds in %.1f s: %.1f seeds/s, %llu failing, %llu transfers, %.1f "
        "simulated s per real s\n",
        what, static_cast<unsigned long long>(runs), real, runs / real,
        static_cast<unsigned long long>(failing), static_cast<unsigned long long>(committed),
        simulated / real);
    std::fflush(stdout);
  };
  for (std::uint64_t seed = first; seed <= last; ++seed) {
    const neo::sim::ScenarioResult result = neo::sim::run_scenario(seed);
    ++runs;
    committed += result.stats.committed;
    simulated += std::chrono::duration<double>(result.end).count();
    if (!result.failures.empty()) {
      ++failing;
      std::cout << neo::sim::describe(result) << '\n';
    }
    if (runs % 100 == 0) report("progress");
  }
  report("total");
  return failing ? 1 : 0;
}
