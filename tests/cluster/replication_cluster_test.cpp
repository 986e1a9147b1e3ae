// Replication with real processes on 127.0.0.1: a new storage added with
// neoctl receives the data; a storage down during commits catches up; in
// both cases the data is then read from the new copy alone.
#include <catch2/catch.hpp>

#include "tests/cluster/replication_steps.hpp"

using namespace neo::test;

TEST_CASE("a storage added with neoctl add and tweak receives every partition",
          "[cluster][replication]") {
  REQUIRE(LocalCluster::daemons_built());
  LocalCluster cluster({.partitions = 6, .replicas = 1, .storages = 2, .autostart = 1});
  cluster.start_master();
  cluster.start_storage(0);
  cluster.start_admin();
  INFO(cluster.diagnostics());
  REQUIRE(cluster.wait_cluster_state("RUNNING"));
  auto client = connect(cluster);
  const auto written = commit_some(*client, 30, "before");

  cluster.start_storage(1);
  REQUIRE(cluster.wait_nodes("PENDING", 1));
  const std::string added = storage_in(cluster, "PENDING");
  REQUIRE_FALSE(added.empty());
  CHECK(cluster.neoctl({"add", added}).status == 0);
  REQUIRE(wait_until([&] { return storage_in(cluster, "PENDING").empty(); }));
  CHECK(cluster.neoctl({"tweak"}).status == 0);
  // Commits go on during the replication.
  const auto during = commit_some(*client, 10, "during");
  INFO(cluster.diagnostics());
  REQUIRE(wait_up_to_date(cluster, 2));

  // The first storage gone, everything is read from the new one.
  client.reset();
  cluster.storage(0).stop();
  auto reader = connect(cluster);
  check_all(*reader, written);
  check_all(*reader, during);
}

TEST_CASE("a storage down during commits catches up when it comes back", "[cluster][replication]") {
  REQUIRE(LocalCluster::daemons_built());
  LocalCluster cluster({.partitions = 4, .replicas = 1, .storages = 2});
  cluster.start();
  INFO(cluster.diagnostics());
  REQUIRE(cluster.wait_cluster_state("RUNNING"));
  auto client = connect(cluster);
  const auto before = commit_some(*client, 5, "before");
  cluster.storage(1).stop();
  const auto while_down = commit_some(*client, 20, "down");
  cluster.start_storage(1);
  REQUIRE(wait_up_to_date(cluster, 2));
  client.reset();
  cluster.storage(0).stop();
  auto reader = connect(cluster);
  check_all(*reader, before);
  check_all(*reader, while_down);
}
