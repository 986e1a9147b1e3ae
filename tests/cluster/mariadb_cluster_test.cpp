// Our storage on MariaDB in a cluster of our daemons (real processes on
// 127.0.0.1), on the test program's private MariaDB server: commits and
// reads (a value of 17 MiB included) across a restart, and replication
// from a MariaDB storage to an SQLite one and back.
#include <catch2/catch.hpp>

#include "tests/cluster/local_cluster.hpp"
#include "tests/cluster/replication_steps.hpp"
#include "tests/support/mariadb_server.hpp"

using namespace neo::test;
using neo::Oid;
using neo::Tid;

TEST_CASE("a storage on MariaDB serves commits and reads, big values too, across a restart",
          "[cluster][mariadb]") {
  REQUIRE(LocalCluster::daemons_built());
  MariaDbServer& server = MariaDbServer::require();
  LocalCluster cluster({.storages = 1});
  cluster.use_database(0, "MySQL", server.create_database("neo_cluster_1"));
  cluster.start();
  INFO(cluster.diagnostics());
  REQUIRE(cluster.wait_cluster_state("RUNNING"));
  auto writer = connect(cluster);
  const auto written = commit_some(*writer, 20, "small");
  std::mt19937_64 random(17);
  const std::string big = random_bytes(random, 17 << 20);
  const Oid big_oid = new_oids(*writer, 1)[0];
  const Tid big_tid = commit(*writer, {big_oid}, neo::kZeroTid, big);
  CHECK(server.rows("neo_cluster_1", "SELECT COUNT(*) FROM bigdata") ==
        std::vector<std::vector<std::string>>{{"3"}});

  auto reader = connect(cluster);
  check_all(*reader, written);
  auto record = reader->load(big_oid);
  REQUIRE(record);
  CHECK(record->serial == big_tid);
  CHECK(record->data == big + "/" + std::to_string(big_oid.value));

  // Restarted, the storage serves the same from the server.
  writer.reset();
  reader.reset();
  CHECK(cluster.storage(0).stop() == 0);
  cluster.start_storage(0);
  REQUIRE(cluster.wait_cluster_state("RUNNING", std::chrono::seconds(30)));
  auto after = connect(cluster);
  check_all(*after, written);
  CHECK(after->load(big_oid)->data.size() == big.size() + 1 + std::to_string(big_oid.value).size());
  const auto more = commit_some(*after, 5, "after restart");
  check_all(*after, more);
}

TEST_CASE("a MariaDB storage replicates to an SQLite one and back", "[cluster][mariadb]") {
  REQUIRE(LocalCluster::daemons_built());
  MariaDbServer& server = MariaDbServer::require();
  LocalCluster cluster({.partitions = 6, .replicas = 1, .storages = 2, .autostart = 1});
  cluster.use_database(0, "MariaDB", server.create_database("neo_cluster_2"));
  cluster.start_master();
  cluster.start_storage(0);
  cluster.start_admin();
  INFO(cluster.diagnostics());
  REQUIRE(cluster.wait_cluster_state("RUNNING"));
  auto client = connect(cluster);
  const auto first = commit_some(*client, 20, "on mariadb");

  // MariaDB -> SQLite.
  add_storage(cluster, 1);
  const auto during = commit_some(*client, 5, "during");
  REQUIRE(wait_up_to_date(cluster, 2));
  client.reset();
  CHECK(cluster.storage(0).stop() == 0);
  auto sqlite_only = connect(cluster);
  check_all(*sqlite_only, first);
  check_all(*sqlite_only, during);
  const auto while_down = commit_some(*sqlite_only, 10, "mariadb down");
  sqlite_only.reset();

  // SQLite -> MariaDB: the MariaDB storage catches up, then serves alone.
  cluster.start_storage(0);
  REQUIRE(wait_up_to_date(cluster, 2));
  CHECK(cluster.storage(1).stop() == 0);
  auto mariadb_only = connect(cluster);
  check_all(*mariadb_only, first);
  check_all(*mariadb_only, during);
  check_all(*mariadb_only, while_down);
}
