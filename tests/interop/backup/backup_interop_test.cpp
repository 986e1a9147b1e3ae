// Backup clusters across implementations (flows.md 12): our cluster (master,
// storages, admin) backing up an upstream NEO/py cluster, and an upstream
// NEO/py cluster backing up ours. Upstream's ZODB client commits on the
// primary (replication.py) while the backup follows it; once the backup
// caught up (its backup TID is the primary's last TID), STOPPING_BACKUP makes
// it a normal cluster, and upstream's client reads the same transactions,
// records and keys from both; a pack of the primary while backing up is
// followed by the backup. Skipped (exit 77) without NEO_PEER_PYTHONPATH.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <sstream>
#include <string>

#include "tests/cluster/local_cluster.hpp"
#include "tests/interop/replication/replication_support.hpp"
#include "tests/interop/upstream_cluster.hpp"

using namespace neo::interop;
using neo::test::LocalCluster;
using namespace std::chrono_literals;

namespace {

// The value of "`key` = VALUE (...)" in `neoctl print ids`; empty if absent.
std::string ids_value(const Site& site, const std::string& key) {
  std::istringstream lines(site.neoctl({"print", "ids"}).out);
  for (std::string line; std::getline(lines, line);)
    if (line.rfind(key + " = ", 0) == 0) {
      const std::string rest = line.substr(key.size() + 3);
      return rest.substr(0, rest.find(' '));
    }
  return {};
}

bool wait_state(const Site& site, const std::string& state) {
  return neo::test::wait_for(
      [&] {
        return site.neoctl({"print", "cluster"}).out == state + "\n";
      },
      60s, 200ms);
}

// Waits until the backup's backup TID is the primary's last TID.
bool wait_caught_up(const Site& backup, const Site& primary) {
  std::string last;
  return neo::test::wait_for(
      [&] {
        last = ids_value(primary, "last_tid");
        return !last.empty() && ids_value(backup, "backup_tid") == last;
      },
      120s, 200ms);
}

// Follows `primary` from STARTING_BACKUP while `primary` gets commits, then
// leaves backup mode; both then hold the same data.
void follow_and_take_over(const Site& primary, const Site& backup, const std::string& diagnostics) {
  INFO(diagnostics);
  REQUIRE(wait_running(backup));
  const neo::test::RunResult started = backup.neoctl({"set", "cluster", "STARTING_BACKUP"});
  INFO(started.out << started.err);
  REQUIRE(started.status == 0);
  REQUIRE(wait_state(backup, "BACKINGUP"));
  REQUIRE(commit(primary, "b", 40) == "committed 40\n");
  // The primary packs; the backup follows its pack order.
  const std::string before_pack = dump(primary);
  REQUIRE(pack(primary) == "packed\n");
  REQUIRE(wait_caught_up(backup, primary));
  const std::string backup_tid = ids_value(backup, "backup_tid");
  REQUIRE(backup.neoctl({"set", "cluster", "STOPPING_BACKUP"}).status == 0);
  REQUIRE(wait_running(backup));
  CHECK(ids_value(backup, "last_tid") == backup_tid);
  const std::string expected = dump(primary);
  CHECK_THAT(expected, Catch::Contains("keys 80 bad 0 counter 80 u 1\n"));
  CHECK(expected != before_pack);  // old revisions are gone
  std::string got;
  CHECK(neo::test::wait_for([&] { return (got = dump(backup)) == expected; }, 90s, 1s));
  CHECK(got == expected);
}

}  // namespace

TEST_CASE("our backup cluster follows an upstream NEO/py cluster and takes over",
          "[interop][backup]") {
  ::setenv("NEO_BIN_DIR", NEO_BIN_DIR_DEFAULT, 0);
  UpstreamCluster::Options options;
  options.name = "neo-cpp-bk-primary";
  options.partitions = kPartitions;
  options.storages = 1;
  options.admin = true;
  UpstreamCluster primary(options);
  const Site up = site_of(primary);
  INFO(primary.diagnostics());
  REQUIRE(wait_running(up));
  REQUIRE(commit(up, "a", 40) == "committed 40\n");

  LocalCluster ours({.name = "neo-cpp-bk-ours",
                     .partitions = kPartitions,
                     .replicas = 1,
                     .storages = 2,
                     .master_args = {"--upstream-cluster", options.name, "--upstream-masters",
                                     neo::net::to_string(primary.master())}});
  ours.start();
  follow_and_take_over(up, site_of(ours), ours.diagnostics() + primary.diagnostics());
}

TEST_CASE("an upstream NEO/py backup cluster follows ours and takes over", "[interop][backup]") {
  ::setenv("NEO_BIN_DIR", NEO_BIN_DIR_DEFAULT, 0);
  LocalCluster ours({.name = "neo-cpp-bk-ours-primary", .partitions = kPartitions, .storages = 1});
  ours.start();
  const Site site = site_of(ours);
  INFO(ours.diagnostics());
  REQUIRE(wait_running(site));
  REQUIRE(commit(site, "a", 40) == "committed 40\n");

  UpstreamCluster::Options options;
  options.name = "neo-cpp-bk-upstream";
  options.partitions = kPartitions;
  options.replicas = 1;
  options.storages = 2;
  options.autostart = 2;
  options.admin = true;
  options.master_args = {"--upstream-cluster", ours.options().name, "--upstream-masters",
                         ours.master_address()};
  UpstreamCluster backup(options);
  follow_and_take_over(site, site_of(backup), ours.diagnostics() + backup.diagnostics());
}
