// Our storage on MariaDB in a cluster of our daemons (real processes on
// 127.0.0.1), on the test program's private MariaDB server: commits and
// reads (a value of 17 MiB included) across a restart, and replication
// from a MariaDB storage to an SQLite one and back; the Importer with a
// MariaDB destination.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "core/util/record_data.hpp"
#include "tests/cluster/local_cluster.hpp"
#include "tests/cluster/replication_steps.hpp"
#include "tests/support/mariadb_server.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/unit/importer/fs_corpus.hpp"

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

TEST_CASE("the Importer imports a FileStorage into MariaDB, which then serves it alone",
          "[cluster][mariadb][importer]") {
  using namespace neo::importer::test;
  REQUIRE(LocalCluster::daemons_built());
  MariaDbServer& server = MariaDbServer::require();
  const std::string database = server.create_database("neo_cluster_import");
  LocalCluster cluster({.partitions = 12});
  const nlohmann::json manifest = corpus_manifest("features");
  const auto source = cluster.dir() / "Data.fs";
  std::filesystem::copy_file(corpus_file("features"), source);
  const std::string conf = (cluster.dir() / "importer.conf").string();
  std::ofstream(conf) << "[neo]\nadapter = MySQL\ndatabase = " << database
                      << "\n[root]\nstorage =\n  <filestorage>\n    path " << source.string()
                      << "\n  </filestorage>\n";
  cluster.use_importer(conf);
  cluster.start();
  INFO(cluster.diagnostics());
  REQUIRE(cluster.wait_cluster_state("RUNNING"));
  REQUIRE(wait_for(
      [&] {
        return read_file(cluster.dir() / "storage0.out").find("All data are imported") !=
               std::string::npos;
      },
      std::chrono::seconds(60)));
  std::size_t records = 0;
  for (const nlohmann::json& txn : manifest["transactions"]) records += txn["records"].size();
  CHECK(server.rows("neo_cluster_import", "SELECT COUNT(*) FROM obj") ==
        std::vector<std::vector<std::string>>{{std::to_string(records)}});
  auto client = connect(cluster);
  const Oid oid = client->new_oid().value();
  const Tid tid = commit(*client, {oid}, neo::kZeroTid, "after the import");
  client.reset();

  // On MariaDB alone: every revision of the FileStorage, and the new one.
  CHECK(cluster.storage(0).stop() == 0);
  cluster.use_importer("");
  cluster.use_database(0, "MySQL", database);
  cluster.start_storage(0);
  REQUIRE(cluster.wait_cluster_state("RUNNING"));
  auto native = connect(cluster);
  for (const nlohmann::json& txn : manifest["transactions"]) {
    const Tid serial{from_hex64(txn["tid"])};
    for (const nlohmann::json& record : txn["records"]) {
      INFO("oid " << record["oid"] << " at " << txn["tid"]);
      auto got = native->load_serial(Oid{from_hex64(record["oid"])}, serial);
      if (record["data_sha1"].is_null()) {
        CHECK(got.error() == neo::errc::no_data);
        continue;
      }
      REQUIRE(got);
      CHECK(neo::hex(neo::sha1(got->data)) == record["data_sha1"]);
    }
  }
  CHECK(native->load(oid)->serial == tid);
}
