// Replication between our neostorage and upstream NEO/py storages, both
// ways, in upstream clusters (master + admin; neoctl and the ZODB client are
// upstream's, data from replication.py): a new storage of one kind joins one
// of the other kind holding data, replicates every partition until the
// table is UP_TO_DATE, `neoctl check` finds the replicas identical, then the
// source is stopped and every transaction and object is read from the new
// node alone. Also a storage of ours killed while upstream's client commits
// catches up, and commits going on during the replication on either side
// (lockless writes). Skipped (exit 77) without NEO_PEER_PYTHONPATH.
#include <catch2/catch.hpp>
#include <csignal>
#include <string>

#include "tests/cluster/local_cluster.hpp"
#include "tests/interop/replication/replication_support.hpp"
#include "tests/interop/upstream_cluster.hpp"

using namespace neo::interop;
using neo::test::count_lines_with;
using namespace std::chrono_literals;

namespace {

UpstreamCluster::Options cluster_options(const std::string& name) {
  UpstreamCluster::Options options;
  options.name = name;
  options.partitions = kPartitions;
  options.replicas = 1;
  options.storages = 0;  // started by the tests, as Storage
  options.admin = true;
  options.autostart = 1;
  return options;
}

}  // namespace

// The data committed by the first batch ("a", kCommits): every later dump
// must show these keys intact.
constexpr int kCommits = 150;

namespace {

// A cluster with one storage (`upstream_first`: upstream's) and committed
// data; the other implementation's storage is added and replicates
// everything; `neoctl check` agrees; the first storage goes and the new one
// serves everything alone.
void replicate_to_new(const std::string& name, bool upstream_first) {
  UpstreamCluster cluster(cluster_options(name));
  const Site site = site_of(cluster);
  Storage first(site, upstream_first ? "upstream" : "ours", upstream_first);
  Storage added(site, upstream_first ? "ours" : "upstream", !upstream_first);
  first.start();
  INFO(first.tail() << added.tail() << cluster.diagnostics());
  REQUIRE(wait_running(site));
  REQUIRE(commit(site, "a", kCommits) == "committed 150\n");
  const std::string before = dump(site);
  REQUIRE_THAT(before, Catch::Contains("keys 150 bad 0 counter 150 u 1\n"));

  added.start();
  REQUIRE(add_pending_storage(site));
  std::string pt;
  CHECK(wait_up_to_date(site, 2, pt));
  INFO(pt);
  CHECK(check_replicas(site, {first.log_file(), added.log_file()}) == "");

  first.process().stop();
  REQUIRE(wait_running(site));
  CHECK(dump(site) == before);
  CHECK(added.process().running());
}

}  // namespace

TEST_CASE("our storage replicates from an upstream storage, then serves alone",
          "[interop][replication]") {
  replicate_to_new("neo-cpp-repl-in", true);
}

TEST_CASE("an upstream storage replicates from ours, then serves alone", "[interop][replication]") {
  replicate_to_new("neo-cpp-repl-out", false);
}

namespace {

// Both storages in the table from the start (the victim first: S1, and the
// other S2, which the master asks to check the replicas); the victim is
// SIGKILLed, transactions committed, the victim restarted while commits go
// on; it replicates them (lockless writes too), `neoctl check` agrees, and
// it serves everything alone.
void catch_up(const std::string& name, bool upstream_victim) {
  UpstreamCluster::Options options = cluster_options(name);
  options.autostart = 2;
  UpstreamCluster cluster(options);
  const Site site = site_of(cluster);
  Storage ours(site, "ours", false), upstream(site, "upstream", true);
  Storage& victim = upstream_victim ? upstream : ours;
  Storage& other = upstream_victim ? ours : upstream;
  victim.start();
  INFO(ours.tail() << upstream.tail() << cluster.diagnostics());
  REQUIRE(neo::test::wait_for(
      [&] {
        return count_lines_with(site.neoctl({"print", "node"}).out, "STORAGE") == 1;
      },
      30s, 200ms));
  other.start();
  REQUIRE(wait_running(site));
  REQUIRE(commit(site, "a", kCommits) == "committed 150\n");

  victim.process().signal(SIGKILL);
  REQUIRE(victim.process().wait(10s));
  std::string pt;
  REQUIRE(neo::test::wait_for(
      [&] {
        return count_lines_with(pt = site.neoctl({"print", "pt"}).out, "S1 D OOOO") == 1;
      },
      30s, 200ms));
  REQUIRE(commit(site, "b", 400) == "committed 400\n");

  // Commits go on while the victim comes back and replicates (lockless writes).
  Writer writer(site, "c");
  REQUIRE(neo::test::wait_for([&] { return writer.commits() >= 5; }, 60s, 100ms));
  const std::size_t before_restart = writer.commits();
  victim.start();
  CHECK(wait_up_to_date(site, 2, pt));
  INFO(pt);
  const std::size_t replicated = writer.commits();
  REQUIRE(neo::test::wait_for([&] { return writer.commits() >= replicated + 5; }, 60s, 100ms));
  const std::string written = writer.stop();
  INFO(written << "commits: " << before_restart << " before the restart, " << replicated
               << " once up to date");
  CHECK(replicated > before_restart);  // some commits happened while it replicated
  const std::size_t c = std::stoul(written.substr(written.find(' ') + 1));
  CHECK(check_replicas(site, {upstream.log_file(), ours.log_file()}) == "");
  CHECK(lockless_stores(victim.log()) > 0);  // flushed by check_replicas

  other.process().stop();
  REQUIRE(wait_running(site));
  const std::string total = std::to_string(kCommits + 400 + c);
  const std::string content = dump(site);
  CHECK_THAT(content, Catch::Contains("keys " + total + " bad 0 counter " + total + " u 1\n"));
  // 155 transactions from commit("a"): the root, the tree, 150, and 3 of the undo.
  CHECK_THAT(content, Catch::StartsWith("transactions " + std::to_string(155 + 400 + c) + " "));
  CHECK(victim.process().running());
}

}  // namespace

TEST_CASE("our storage killed during commits catches up from an upstream one, commits going on",
          "[interop][replication]") {
  catch_up("neo-cpp-repl-back", false);
}

TEST_CASE("an upstream storage killed during commits catches up from ours, commits going on",
          "[interop][replication]") {
  catch_up("neo-cpp-repl-back-up", true);
}

TEST_CASE("an upstream storage replicates from ours while upstream's client commits",
          "[interop][replication]") {
  UpstreamCluster cluster(cluster_options("neo-cpp-repl-busy"));
  const Site site = site_of(cluster);
  Storage ours(site, "ours", false), upstream(site, "upstream", true);
  ours.start();
  INFO(ours.tail() << upstream.tail() << cluster.diagnostics());
  REQUIRE(wait_running(site));
  REQUIRE(commit(site, "a", kCommits) == "committed 150\n");
  REQUIRE(commit(site, "b", 400) == "committed 400\n");

  const std::size_t c = add_while_writing(site, upstream);
  CHECK(check_replicas(site, {upstream.log_file(), ours.log_file()}) == "");
  CHECK(lockless_stores(upstream.log()) > 0);

  ours.process().stop();
  REQUIRE(wait_running(site));
  const std::string total = std::to_string(kCommits + 400 + c);
  const std::string content = dump(site);
  CHECK_THAT(content, Catch::Contains("keys " + total + " bad 0 counter " + total + " u 1\n"));
  CHECK_THAT(content, Catch::StartsWith("transactions " + std::to_string(155 + 400 + c) + " "));
  CHECK(upstream.process().running());
}
