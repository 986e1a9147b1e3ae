// cluster_bench: how fast a new cluster starts and how much memory its idle
// nodes use (issue figures). Starts 1 master + 2 storages + 1 admin from
// NEO_BIN_DIR (our daemons, or wrappers running upstream's), measures the
// time from the first spawn to `neoctl print cluster` saying RUNNING (polled
// every 5 ms, so the figure is an upper bound), then the RSS of each node
// after it has been idle for a moment, and prints the figures. RSS counts
// the shared libraries' pages in full; PSS shares them out among the
// processes mapping them; anonymous memory is the node's own.
//   NEO_BIN_DIR=build/bin build/tests/cluster_bench [runs]
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <thread>

#include "tests/cluster/local_cluster.hpp"

using neo::test::LocalCluster;

namespace {

// Memory of a process (KiB, from smaps_rollup): resident, proportional
// (shared library pages divided among the processes using them), anonymous.
struct Memory {
  long rss = 0, pss = 0, anon = 0;
};

Memory memory_of(pid_t pid) {
  Memory memory;
  std::ifstream rollup("/proc/" + std::to_string(pid) + "/smaps_rollup");
  for (std::string line; std::getline(rollup, line);) {
    const auto value = [&] { return std::stol(line.substr(line.find(':') + 1)); };
    if (line.starts_with("Rss:")) memory.rss = value();
    if (line.starts_with("Pss:")) memory.pss = value();
    if (line.starts_with("Anonymous:")) memory.anon = value();
  }
  return memory;
}

}  // namespace

int main(int argc, char** argv) {
  const int runs = argc > 1 ? std::stoi(argv[1]) : 5;
  std::printf("cluster_bench: %d runs, 1 master + 2 storages (SQLite) + 1 admin, %s\n", runs,
              LocalCluster::program("").c_str());
  double best = 1e9, total = 0;
  Memory peak[4];
  for (int run = 0; run < runs; ++run) {
    LocalCluster cluster({.partitions = 12, .storages = 2});
    const auto start = std::chrono::steady_clock::now();
    cluster.start();
    if (!cluster.wait_cluster_state("RUNNING", std::chrono::seconds(30))) {
      std::fprintf(stderr, "cluster did not reach RUNNING\n%s\n", cluster.diagnostics().c_str());
      return 1;
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    best = std::min(best, seconds);
    total += seconds;
    std::this_thread::sleep_for(std::chrono::seconds(1));  // let the nodes go idle
    const pid_t pids[4] = {cluster.master().pid(), cluster.storage(0).pid(),
                           cluster.storage(1).pid(), cluster.admin().pid()};
    for (int i = 0; i < 4; ++i) {
      const Memory now = memory_of(pids[i]);
      peak[i] = {std::max(peak[i].rss, now.rss), std::max(peak[i].pss, now.pss),
                 std::max(peak[i].anon, now.anon)};
    }
    std::printf("  run %d: RUNNING after %.3f s\n", run + 1, seconds);
  }
  std::printf("start to RUNNING: best %.3f s, mean %.3f s\n", best, total / runs);
  std::printf("idle memory, max over runs (RSS / PSS / anonymous, MB):\n");
  const char* names[4] = {"master", "storage 1", "storage 2", "admin"};
  for (int i = 0; i < 4; ++i)
    std::printf("  %-9s  %5.1f / %5.1f / %5.1f\n", names[i], peak[i].rss / 1024.0,
                peak[i].pss / 1024.0, peak[i].anon / 1024.0);
  return 0;
}
