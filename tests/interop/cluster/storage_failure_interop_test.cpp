// Our cluster (neomaster + 2 neostorage, replicas 1) with upstream's ZODB
// client: a storage SIGKILLed while four threads commit loses no committed
// transaction (storage_failure.py reads every one back), the cluster stays
// RUNNING with the survivor, the dead storage is reported DOWN and its cells
// OUT_OF_DATE. Skipped (exit 77) without NEO_PEER_PYTHONPATH.
#include <stdlib.h>

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "tests/cluster/local_cluster.hpp"
#include "tests/interop/peer_env.hpp"

using neo::test::count_lines_with;
using neo::test::LocalCluster;
using namespace std::chrono_literals;

TEST_CASE("a storage killed during commits loses no committed transaction",
          "[interop][cluster][commit]") {
  ::setenv("NEO_BIN_DIR", NEO_BIN_DIR_DEFAULT, 0);
  LocalCluster cluster({.name = "neo-cpp-failure", .partitions = 3, .replicas = 1, .storages = 2});
  cluster.start();
  INFO(cluster.diagnostics());
  REQUIRE(cluster.wait_cluster_state("RUNNING"));
  const std::vector<std::string> argv = {"/usr/bin/env",
                                         "PYTHONPATH=" + neo::interop::peer_pythonpath(),
                                         neo::interop::peer_python(),
                                         STORAGE_FAILURE_SCRIPT,
                                         cluster.master_address(),
                                         "neo-cpp-failure",
                                         std::to_string(cluster.storage(1).pid()),
                                         "120"};
  const neo::test::RunResult result = neo::test::run_program(argv, 180s);
  INFO(result.err);
  CHECK(result.status == 0);
  CHECK(result.out == "killed\ncommitted 120\nread 120\ncounter 120\n");
  CHECK(cluster.neoctl({"print", "cluster"}).out == "RUNNING\n");
  CHECK(count_lines_with(cluster.neoctl({"print", "node"}).out, "DOWN") == 1);
  const std::string pt = cluster.neoctl({"print", "pt"}).out;
  INFO(pt);
  CHECK(count_lines_with(pt, " D OOO") == 1);  // the dead storage (ids follow start order)
  CHECK(count_lines_with(pt, " R UUU") == 1);
}
