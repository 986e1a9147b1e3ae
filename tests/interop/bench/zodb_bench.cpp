// zodb_bench: upstream's Python ZODB client (neo.client.Storage) against a
// cluster of our daemons and against an upstream NEO/py cluster, side by
// side in one run (issue 4's figures): 1 master + 1 SQLite storage (durable:
// both use SQLite's default synchronous=FULL; their journals differ, see
// man neostorage), 1 partition, the same workload (zodb_bench.py) on each:
// commits/s and latency of 10-object transactions, cold load latency,
// 4 client processes with 20% writes, and the servers' CPU time.
// Runs alternate (ours, NEO/py, ours...), a new cluster each time; with
// several, each figure is printed as median [min-max].
//   NEO_PEER_PYTHONPATH=... build/tests/zodb_bench [commits] [mixed_ops] [runs]
// With NEO_BENCH_MARIADB=1 both storages run on MariaDB (-a MySQL, InnoDB,
// durable: innodb_flush_log_at_trx_commit=1), one database each on one
// private server, whose CPU is counted with each run's servers.
// Our daemons come from NEO_BIN_DIR (default: this build's bin/). Needs the peer.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "tests/cluster/local_cluster.hpp"
#include "tests/interop/peer_env.hpp"
#include "tests/interop/upstream_cluster.hpp"
#include "tests/support/bench_stats.hpp"
#include "tests/support/mariadb_server.hpp"

using Figures = std::map<std::string, double>;

namespace {

// Runs the workload against the cluster of `master`/`name` whose server
// processes are `pids`; returns its figures, or none (after printing why).
Figures run_workload(const std::string& master, const std::string& name,
                     const std::vector<pid_t>& pids, const std::string& commits,
                     const std::string& mixed) {
  std::string pid_list;
  for (pid_t pid : pids) pid_list += (pid_list.empty() ? "" : ",") + std::to_string(pid);
  const std::vector<std::string> argv = {"/usr/bin/env",
                                         "PYTHONPATH=" + neo::interop::peer_pythonpath(),
                                         neo::interop::peer_python(),
                                         NEO_ZODB_BENCH_SCRIPT,
                                         master,
                                         name,
                                         pid_list,
                                         commits,
                                         mixed};
  const neo::test::RunResult result = neo::test::run_program(argv, std::chrono::minutes(20));
  Figures figures;
  std::istringstream lines(result.out);
  for (std::string key; lines >> key;) lines >> figures[key];
  if (result.status != 0) {
    std::fprintf(stderr, "workload failed (status %d):\n%s\n", result.status, result.err.c_str());
    figures.clear();
  }
  return figures;
}

// One row: median [min-max] of each side over the runs, and of the
// per-run gain (> 1 when ours is better).
void print_row(const char* label, const std::string& key, const std::vector<Figures>& ours,
               const std::vector<Figures>& upstream, bool higher_is_better) {
  const auto get = [&](const Figures& f) {
    const auto it = f.find(key);
    return it == f.end() ? 0.0 : it->second;
  };
  std::vector<double> a, b, gain;
  for (std::size_t i = 0; i < ours.size(); ++i) {
    const double x = get(ours[i]), y = get(upstream[i]);
    a.push_back(x);
    b.push_back(y);
    if (x > 0 && y > 0) gain.push_back(higher_is_better ? x / y : y / x);
  }
  std::printf("  %-36s %-24s %-24s %s\n", label,
              neo::test::show(neo::test::stat_of(a), "%.1f").c_str(),
              neo::test::show(neo::test::stat_of(b), "%.1f").c_str(),
              neo::test::show(neo::test::stat_of(gain), "%.2f").c_str());
}

// The figures of one run on a new cluster of ours, or none.
Figures run_ours(neo::test::MariaDbServer* server, int run, const std::string& commits,
                 const std::string& mixed) {
  neo::test::LocalCluster cluster({.name = "neo-cpp-bench", .partitions = 1, .admin = false});
  if (server)
    cluster.use_database(0, "MySQL",
                         server->create_database("neo_bench_cpp" + std::to_string(run)));
  cluster.start();
  std::vector<pid_t> pids{cluster.master().pid(), cluster.storage(0).pid()};
  if (server) pids.push_back(server->pid());
  Figures figures = run_workload(cluster.master_address(), "neo-cpp-bench", pids, commits, mixed);
  if (figures.empty()) std::fprintf(stderr, "%s\n", cluster.diagnostics().c_str());
  return figures;
}

// The figures of one run on a new NEO/py cluster, or none.
Figures run_upstream(neo::test::MariaDbServer* server, int run, const std::string& commits,
                     const std::string& mixed) {
  neo::interop::UpstreamCluster::Options options{.name = "neopy-bench", .partitions = 1};
  if (server) {
    options.database = server->create_database("neo_bench_py" + std::to_string(run));
    options.adapter = "MySQL";
  }
  neo::interop::UpstreamCluster cluster(options);
  std::vector<pid_t> pids = cluster.server_pids();
  if (server) pids.push_back(server->pid());
  Figures figures =
      run_workload(neo::net::to_string(cluster.master()), "neopy-bench", pids, commits, mixed);
  if (figures.empty()) std::fprintf(stderr, "%s\n", cluster.diagnostics().c_str());
  return figures;
}

}  // namespace

int main(int argc, char** argv) {
  if (std::getenv("NEO_PEER_PYTHONPATH") == nullptr) {
    std::fprintf(stderr, "zodb_bench: set NEO_PEER_PYTHONPATH (upstream NEO/py, see README.md)\n");
    return 2;
  }
  setenv("NEO_BIN_DIR", neo::interop::env_or("NEO_BIN_DIR", NEO_DEFAULT_BIN_DIR).c_str(), 1);
  const std::string commits = argc > 1 ? argv[1] : "1000";
  const std::string mixed = argc > 2 ? argv[2] : "2000";
  const int runs = argc > 3 ? std::max(1, std::atoi(argv[3])) : 1;
  std::printf(
      "zodb_bench: upstream's Python client, %s commits of 10 objects (100-1000 B), "
      "2000 cold loads, %s mixed ops (4 processes, 20%% writes)\n",
      commits.c_str(), mixed.c_str());

  const char* mariadb = std::getenv("NEO_BENCH_MARIADB");
  neo::test::MariaDbServer* server = nullptr;
  if (mariadb && std::string(mariadb) == "1") {
    neo::test::MariaDbServer::set_durable(true);
    server = neo::test::MariaDbServer::shared();
    if (!server) {
      std::fprintf(stderr, "NEO_BENCH_MARIADB=1: mariadbd not found\n");
      return 1;
    }
    std::printf("storages on MariaDB (InnoDB, durable), server pid %d\n", server->pid());
  }
  std::vector<Figures> ours, upstream;
  for (int run = 1; run <= runs; ++run) {  // alternating, a new cluster each time
    ours.push_back(run_ours(server, run, commits, mixed));
    upstream.push_back(run_upstream(server, run, commits, mixed));
    if (ours.back().empty() || upstream.back().empty()) return 1;
    std::printf(
        "  run %d: commits/s %.1f vs %.1f, cold load p50 %.0f vs %.0f us, mixed ops/s "
        "%.0f vs %.0f\n",
        run, ours.back()["commit_s"], upstream.back()["commit_s"], ours.back()["load_p50_us"],
        upstream.back()["load_p50_us"], ours.back()["mixed_ops_s"], upstream.back()["mixed_ops_s"]);
    std::fflush(stdout);
  }

  const double n = std::stod(commits);
  for (std::vector<Figures>* side : {&ours, &upstream})
    for (Figures& f : *side) f["cpu_per_1000"] = f["commit_cpu_ms"] / n;  // ms/commit = s/1000
  std::printf("median [min-max] of %d runs; gain: per-run ratio, > 1 when ours is better\n", runs);
  std::printf("  %-36s %-24s %-24s %s\n", "", "neo-cpp", "NEO/py", "gain");
  print_row("commits/s (1 client)", "commit_s", ours, upstream, true);
  print_row("commit latency p50 (ms)", "commit_p50_ms", ours, upstream, false);
  print_row("commit latency p90 (ms)", "commit_p90_ms", ours, upstream, false);
  print_row("server CPU per 1000 commits (s)", "cpu_per_1000", ours, upstream, false);
  print_row("cold load p50 (us)", "load_p50_us", ours, upstream, false);
  print_row("cold load p90 (us)", "load_p90_us", ours, upstream, false);
  print_row("server CPU, 2000 loads (ms)", "load_cpu_ms", ours, upstream, false);
  print_row("mixed ops/s (4 clients, 20% writes)", "mixed_ops_s", ours, upstream, true);
  print_row("server CPU, mixed (ms)", "mixed_cpu_ms", ours, upstream, false);
  return 0;
}
