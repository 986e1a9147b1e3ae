// cluster_bench: how fast a new cluster starts and how much memory its idle
// nodes use (issue figures). Starts 1 master + 2 storages + 1 admin from
// NEO_BIN_DIR (our daemons, or wrappers running upstream's), measures the
// time from the first spawn to `neoctl print cluster` saying RUNNING (polled
// every 5 ms, so the figure is an upper bound), then the RSS of each node
// after it has been idle for a moment, and prints the figures.
//   NEO_BIN_DIR=build/bin build/tests/cluster_bench [runs]
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <thread>

#include "tests/cluster/local_cluster.hpp"

using neo::test::LocalCluster;

namespace {

// VmRSS of a process, in KiB.
long rss_kib(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(status, line);)
    if (line.starts_with("VmRSS:")) return std::stol(line.substr(6));
  return -1;
}

}  // namespace

int main(int argc, char** argv) {
  const int runs = argc > 1 ? std::stoi(argv[1]) : 5;
  std::printf("cluster_bench: %d runs, 1 master + 2 storages (SQLite) + 1 admin, %s\n", runs,
              LocalCluster::program("").c_str());
  double best = 1e9, total = 0;
  long rss[4] = {0, 0, 0, 0};
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
    const long now[4] = {rss_kib(cluster.master().pid()), rss_kib(cluster.storage(0).pid()),
                         rss_kib(cluster.storage(1).pid()), rss_kib(cluster.admin().pid())};
    for (int i = 0; i < 4; ++i) rss[i] = std::max(rss[i], now[i]);
    std::printf("  run %d: RUNNING after %.3f s\n", run + 1, seconds);
  }
  std::printf("start to RUNNING: best %.3f s, mean %.3f s\n", best, total / runs);
  std::printf("idle RSS (max over runs): master %.1f MB, storages %.1f / %.1f MB, admin %.1f MB\n",
              rss[0] / 1024.0, rss[1] / 1024.0, rss[2] / 1024.0, rss[3] / 1024.0);
  return 0;
}
