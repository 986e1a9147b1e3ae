// `neoctl check` against our master and storages as real processes: intact
// replicas compare equal; an object row deleted by hand from one storage's
// database (cluster stopped) is reported by the master ("Partition P
// corrupted in: ...") naming that partition and node. `neoctl check --wait`
// compares the replicas itself and prints the same.
#include <sqlite3.h>

#include <catch2/catch.hpp>
#include <regex>
#include <sstream>

#include "neo/client.hpp"
#include "tests/cluster/local_cluster.hpp"
#include "tests/support/client_steps.hpp"

using neo::test::LocalCluster;
using neo::test::RunResult;
using namespace std::chrono_literals;

namespace {

// The node's log: INFO records wait in memory until flushed (neoctl flush).
std::string log_of(const LocalCluster& cluster, const std::string& node) {
  cluster.neoctl({"flush_log"});
  return neo::test::run_program(
             {LocalCluster::program("neolog"), (cluster.dir() / (node + ".log")).string()})
      .out;
}

// The node id ("S1") of the storage listening at `address` (`print node`
// columns: id | type | address | state ...).
std::string storage_id(const LocalCluster& cluster, const std::string& address) {
  std::istringstream in(cluster.neoctl({"print", "node"}).out);
  const std::regex line("^(\\S+) +\\| STORAGE +\\| " +
                        std::regex_replace(address, std::regex("\\."), "\\.") + " ");
  for (std::string text; std::getline(in, text);) {
    std::smatch match;
    if (std::regex_search(text, match, line)) return match[1];
  }
  return {};
}

// Deletes one object record of `partition` from a stopped storage's database.
void delete_object_row(const std::filesystem::path& database, int partition) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(database.string().c_str(), &db) == SQLITE_OK);
  const std::string sql =
      "DELETE FROM obj WHERE (partition, oid, tid) IN (SELECT partition, oid, tid FROM obj"
      " WHERE partition=" +
      std::to_string(partition) + " LIMIT 1)";
  char* error = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
  INFO((error ? error : ""));
  CHECK(rc == SQLITE_OK);
  CHECK(sqlite3_changes(db) == 1);
  sqlite3_free(error);
  sqlite3_close(db);
}

// True once both storages logged the end of the check of `count` partitions
// (whichever storage the master chose).
bool checked(const LocalCluster& cluster, std::size_t count) {
  return neo::test::wait_for(
      [&] {
        std::size_t done = 0;
        for (const char* node : {"storage0", "storage1"})
          done += neo::test::count_lines_with(log_of(cluster, node), "checked from");
        return done >= count;
      },
      30s, 200ms);
}

}  // namespace

TEST_CASE("neoctl check: intact replicas agree, a deleted object row is reported", "[check]") {
  REQUIRE(LocalCluster::daemons_built());
  LocalCluster cluster({.partitions = 4, .replicas = 1, .storages = 2});
  cluster.start();
  INFO(cluster.diagnostics());
  REQUIRE(cluster.wait_cluster_state("RUNNING"));
  {
    auto client = neo::client::Client::connect(
        {.masters = {cluster.master_address()}, .cluster = cluster.options().name, .timeout = 20s});
    REQUIRE(client);
    const auto oids = neo::test::new_oids(**client, 8);
    const neo::Tid first = neo::test::commit(**client, oids, neo::kZeroTid, "one");
    neo::test::commit(**client, oids, first, "two");
  }
  const std::string good = storage_id(cluster, cluster.storage_address(0));
  const std::string bad = storage_id(cluster, cluster.storage_address(1));
  REQUIRE_FALSE(good.empty());
  REQUIRE_FALSE(bad.empty());

  RunResult check = cluster.neoctl({"check", ":"});
  CHECK(check.status == 0);
  CHECK(check.out.empty());  // as NEO/py's neoctl
  CHECK(checked(cluster, 4));
  CHECK(neo::test::count_lines_with(log_of(cluster, "master"), "corrupted") == 0);
  // check --wait compares from neoctl and says so.
  const std::string& name = cluster.options().name;
  RunResult wait = cluster.neoctl({"check", "--wait", "--cluster", name, ":"});
  CHECK(wait.err == "");
  CHECK(wait.out == "all 4 partitions checked: replicas identical\n");
  CHECK(wait.status == 0);
  // The storages refuse another cluster's name.
  wait = cluster.neoctl({"check", "--wait", "--cluster", "other", "1:"});
  CHECK(wait.out == "");
  CHECK(wait.err.find("partition 1: " + good +
                      " not checked: PROTOCOL_ERROR: invalid cluster name\n") != std::string::npos);
  CHECK(wait.err.find("1 of 1 partitions was not checked\n") != std::string::npos);
  CHECK(wait.status == 1);

  REQUIRE(cluster.neoctl({"set", "cluster", "STOPPING"}).status == 0);
  CHECK(cluster.master().wait(20s) == 0);
  CHECK(cluster.storage(0).wait(20s) == 0);
  CHECK(cluster.storage(1).wait(20s) == 0);
  cluster.admin().stop();
  delete_object_row(cluster.database(1), 2);
  cluster.start();
  REQUIRE(cluster.wait_cluster_state("RUNNING"));

  // check --wait names the damaged partition and node (exit status 3).
  const std::string range = " \\(objects in tids 0x[0-9a-f]{16}-0x[0-9a-f]{16}\\)\n";
  wait = cluster.neoctl({"check", "--wait", "-c", name, ":" + good});
  CHECK(wait.err == "");
  CHECK(std::regex_match(wait.out, std::regex("partition 2: " + bad + " differs from " + good +
                                              range + "1 of 4 partitions differs\n")));
  CHECK(wait.status == 3);
  // Without reference, one of the 2 is named against the other.
  wait = cluster.neoctl({"check", "--wait", "-c", name, "2:", "3:"});
  CHECK(std::regex_match(wait.out, std::regex("partition 2: S\\d+ differs from S\\d+" + range +
                                              "1 of 2 partitions differs\n")));
  CHECK(wait.status == 3);
  wait = cluster.neoctl({"check", "--wait", "-c", name, "0:", "1:", "3:"});
  CHECK(wait.out == "all 3 partitions checked: replicas identical\n");
  CHECK(wait.status == 0);
  // The master was not involved.
  CHECK(neo::test::count_lines_with(log_of(cluster, "master"), "corrupted in") == 0);

  // With the intact storage as reference: only the damaged one is named.
  check = cluster.neoctl({"check", "2:" + good});
  CHECK(check.status == 0);
  const std::string expected = "Partition 2 corrupted in: " + bad;
  CHECK(neo::test::wait_for(
      [&] { return neo::test::count_lines_with(log_of(cluster, "master"), expected) == 1; }, 30s,
      200ms));
  // Without reference, both replicas are named (NEO/py cannot tell which).
  check = cluster.neoctl({"check", "2:"});
  CHECK(check.status == 0);
  CHECK(neo::test::wait_for(
      [&] {
        return neo::test::count_lines_with(log_of(cluster, "master"),
                                           "Partition 2 corrupted in: ") == 2;
      },
      30s, 200ms));
  // The other partitions are intact: nothing more reported.
  check = cluster.neoctl({"check", "0:", "1:", "3:"});
  CHECK(checked(cluster, 4 + 3));
  CHECK(neo::test::count_lines_with(log_of(cluster, "master"), "corrupted in") == 2);
}
