// neocpp.Storage (python/: the ZODB storage on our C++ client library)
// against our cluster: a ZODB application opened through zope.conf's
// component (zodb_app.py: BTrees, conflicts resolved between two processes,
// undo), and the storage's own checks (storage_test.py: errors, read-only,
// invalidations, threads). Skipped (exit 77) without NEO_PEER_PYTHONPATH,
// which brings ZODB.
#include <stdlib.h>

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "tests/cluster/local_cluster.hpp"
#include "tests/interop/peer_env.hpp"

using neo::test::LocalCluster;
using namespace std::chrono_literals;

namespace {

neo::test::RunResult run_python(const std::string& script, std::vector<std::string> args) {
  std::vector<std::string> argv = {
      "/usr/bin/env",
      "PYTHONPATH=" + std::string(NEOCPP_PYTHONPATH) + ":" + neo::interop::peer_pythonpath(),
      neo::interop::peer_python(), script};
  argv.insert(argv.end(), args.begin(), args.end());
  return neo::test::run_program(argv, 240s);
}

}  // namespace

TEST_CASE("a ZODB application runs on neocpp through zope.conf", "[interop][pyclient]") {
  ::setenv("NEO_BIN_DIR", NEO_BIN_DIR_DEFAULT, 0);
  LocalCluster cluster({.name = "neo-cpp-pyclient", .partitions = 2});
  cluster.start();
  INFO(cluster.diagnostics());
  REQUIRE(cluster.wait_cluster_state("RUNNING"));
  const auto result = run_python(ZODB_APP_SCRIPT, {cluster.master_address(), "neo-cpp-pyclient"});
  INFO(result.err);
  CHECK(result.status == 0);
  CHECK(result.out ==
        "storage neocpp.storage\nkeys 100\ncount 100\nresolved yes\nlast set marker\n"
        "marker undone\nafter undo keys 100\n");
}

TEST_CASE("neocpp.Storage: errors, read-only, invalidations and threads", "[interop][pyclient]") {
  ::setenv("NEO_BIN_DIR", NEO_BIN_DIR_DEFAULT, 0);
  LocalCluster cluster({.name = "neo-cpp-pyclient"});
  cluster.start();
  INFO(cluster.diagnostics());
  REQUIRE(cluster.wait_cluster_state("RUNNING"));
  const auto result =
      run_python(STORAGE_TEST_SCRIPT, {cluster.master_address(), "neo-cpp-pyclient"});
  INFO(result.out);
  INFO(result.err);
  CHECK(result.status == 0);
}
