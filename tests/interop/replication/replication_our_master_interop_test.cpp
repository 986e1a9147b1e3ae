// Replication between our storage and an upstream NEO/py storage under our
// own master and admin (our neoctl; data and reads by upstream's ZODB
// client through replication.py): an upstream storage joins our storage
// holding data, replicates it while the client commits, our `neoctl check`
// finds the replicas identical, and with ours stopped the upstream storage
// serves everything alone. Also upstream's neoctl truncating our cluster.
// Skipped (exit 77) without NEO_PEER_PYTHONPATH.
#include <stdlib.h>

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "tests/cluster/local_cluster.hpp"
#include "tests/interop/master_node/zodb_truncate.hpp"
#include "tests/interop/peer_env.hpp"
#include "tests/interop/replication/replication_support.hpp"

using namespace neo::interop;
using neo::test::LocalCluster;
using namespace std::chrono_literals;

TEST_CASE("under our master, an upstream storage replicates from ours, then serves alone",
          "[interop][replication]") {
  ::setenv("NEO_BIN_DIR", NEO_BIN_DIR_DEFAULT, 0);
  LocalCluster cluster(
      {.name = "neo-cpp-repl-ours", .partitions = kPartitions, .replicas = 1, .storages = 1});
  cluster.start();
  const Site site = site_of(cluster);
  Storage upstream(site, "upstream", true);
  INFO(upstream.tail() << cluster.diagnostics());
  REQUIRE(wait_running(site));
  REQUIRE(commit(site, "a", 150) == "committed 150\n");
  const std::string before = dump(site);
  REQUIRE_THAT(before, Catch::Contains("keys 150 bad 0 counter 150 u 1\n"));

  const std::size_t c = add_while_writing(site, upstream);
  CHECK(check_replicas(site, {upstream.log_file(), cluster.dir() / "storage0.log"}) == "");
  CHECK(lockless_stores(upstream.log()) > 0);

  cluster.storage(0).stop();
  REQUIRE(wait_running(site));
  const std::string total = std::to_string(150 + c);
  const std::string content = dump(site);
  CHECK_THAT(content, Catch::Contains("keys " + total + " bad 0 counter " + total + " u 1\n"));
  CHECK_THAT(content, Catch::StartsWith("transactions " + std::to_string(155 + c) + " "));
  CHECK(upstream.process().running());
}

// Our master, storages (2, replicas 1) and admin; upstream's neoctl and
// client: NEO/py's refusal text, the truncation, the cluster back with the
// truncation TID as last TID, the client reading what is left, and
// upstream's `neoctl check` finding the replicas identical.
TEST_CASE("our cluster, upstream's neoctl and client: truncate", "[interop][truncate]") {
  ::setenv("NEO_BIN_DIR", NEO_BIN_DIR_DEFAULT, 0);
  LocalCluster cluster(
      {.name = "neo-cpp-truncate", .partitions = kPartitions, .replicas = 1, .storages = 2});
  cluster.start();
  const Site site = upstream_site_of(cluster);
  INFO(cluster.diagnostics());
  REQUIRE(wait_running(site));
  auto client = [&](const char* mode) {
    return neo::test::run_program({"/usr/bin/env", "PYTHONPATH=" + peer_pythonpath(), peer_python(),
                                   ZODB_TRUNCATE_SCRIPT, site.master, site.name, mode},
                                  120s);
  };
  neo::test::RunResult r = client("commit");
  INFO("client:\n" << r.out << r.err);
  REQUIRE(r.status == 0);
  const std::vector<std::string> tids = neo::interop::truncate_script_tids(r.out);
  REQUIRE(tids.size() == 5);

  r = site.neoctl({"truncate", "tid:0x" + tids[4]});
  CHECK_THAT(r.out + r.err, Catch::Contains("Truncating after last transaction does nothing"));
  r = site.neoctl({"truncate", "tid:0x" + tids[2]});
  CHECK(r.status == 0);
  CHECK(r.out + r.err == "");
  const std::string last = "last_tid = 0x" + tids[2].substr(tids[2].find_first_not_of('0')) + " ";
  REQUIRE(neo::test::wait_for(
      [&] {
        return site.neoctl({"print", "ids"}).out.find(last) != std::string::npos &&
               site.neoctl({"print", "cluster"}).out == "RUNNING\n";
      },
      60s, 100ms));
  r = client("check");
  INFO("client:\n" << r.out << r.err);
  CHECK(r.out == "last " + tids[2] + " n 2 keys k0,k1,k2\n");
  CHECK(check_replicas(site, {cluster.dir() / "storage0.log", cluster.dir() / "storage1.log"}) ==
        "");
}
