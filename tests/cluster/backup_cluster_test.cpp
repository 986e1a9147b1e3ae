// Cluster tests of backup mode (flows.md 12) with our daemons as real
// processes (local_cluster.hpp) and the C++ client library: a backup
// cluster follows a primary cluster under commits (STARTING_BACKUP ->
// BACKINGUP), serves read-only clients up to its backup TID, and after
// STOPPING_BACKUP runs with exactly what the primary had at that TID; it
// packs when the primary does. Also a backup started with -B that survives
// the loss of one of its storages and of an upstream storage, and restarts
// of its master and of the upstream's.
#include <catch2/catch.hpp>
#include <csignal>
#include <cstdio>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "neo/client.hpp"
#include "tests/cluster/cluster_client.hpp"
#include "tests/cluster/local_cluster.hpp"
#include "tests/support/client_steps.hpp"

using neo::errc;
using neo::Oid;
using neo::Tid;
using neo::client::Client;
using neo::test::commit;
using neo::test::count_lines_with;
using neo::test::LocalCluster;
using neo::test::new_oids;
using namespace std::chrono_literals;

namespace {

#define REQUIRE_STATE(cluster, state)                  \
  do {                                                 \
    INFO((cluster).diagnostics());                     \
    REQUIRE((cluster).wait_cluster_state(state, 60s)); \
  } while (false)

std::string hex(Tid tid) {
  char text[19];
  std::snprintf(text, sizeof text, "0x%llx", static_cast<unsigned long long>(tid.value));
  return text;
}

std::unique_ptr<Client> connect(const LocalCluster& cluster, bool read_only = false) {
  return neo::test::connect_client(cluster, {.timeout = 20s, .read_only = read_only});
}

// The primary's content: each oid's current revision (serial, data).
using Content = std::map<std::uint64_t, std::pair<Tid, std::string>>;

Content read_all(Client& client, const std::vector<Oid>& oids) {
  Content content;
  for (Oid oid : oids) {
    auto record = client.load(oid);
    INFO("oid " << oid.value << ": " << (record ? "" : record.error().message()));
    REQUIRE(record);
    content[oid.value] = {record->serial, record->data};
  }
  return content;
}

// `rounds` commits, each of a few of `oids` (every partition is touched,
// not by every commit).
Tid commit_rounds(Client& client, const std::vector<Oid>& oids,
                  std::map<std::uint64_t, Tid>& serials, int rounds, const std::string& tag) {
  Tid last{};
  for (int i = 0; i < rounds; ++i) {
    std::vector<Oid> some{oids[i % oids.size()], oids[(i * 3 + 1) % oids.size()]};
    if (some[0] == some[1]) some.pop_back();
    std::vector<Tid> based;
    for (Oid oid : some) based.push_back(serials[oid.value]);
    last = commit(client, some, based, tag + std::to_string(i));
    for (Oid oid : some) serials[oid.value] = last;
  }
  return last;
}

// Waits until the backup cluster's `neoctl print ids` shows `tid` as
// backup TID.
bool wait_backup_tid(const LocalCluster& backup, Tid tid) {
  return neo::test::wait_for(
      [&] {
        return count_lines_with(backup.neoctl({"print", "ids"}).out,
                                "backup_tid = " + hex(tid) + " ") == 1;
      },
      60s, 100ms);
}

// The value of "`key` = VALUE (...)" in `neoctl print ids`; empty if absent.
std::string ids_value(const LocalCluster& cluster, const std::string& key) {
  std::istringstream lines(cluster.neoctl({"print", "ids"}).out);
  for (std::string line; std::getline(lines, line);)
    if (line.rfind(key + " = ", 0) == 0) {
      const std::string rest = line.substr(key.size() + 3);
      return rest.substr(0, rest.find(' '));
    }
  return {};
}

// Waits until the backup's backup TID is the primary's last TID.
bool wait_caught_up(const LocalCluster& backup, const LocalCluster& primary) {
  return neo::test::wait_for(
      [&] {
        const std::string last = ids_value(primary, "last_tid");
        return !last.empty() && ids_value(backup, "backup_tid") == last;
      },
      60s, 100ms);
}

// True if `neoctl print pt` shows only UP_TO_DATE cells ("S1 R UUU").
bool all_cells_up(const std::string& print_pt) {
  std::size_t nodes = 0;
  std::istringstream lines(print_pt);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("S", 0) != 0) continue;
    const std::string cells = line.substr(line.rfind(' ') + 1);
    if (cells.find_first_not_of("U.") != std::string::npos) return false;
    ++nodes;
  }
  return nodes > 0;
}

#define REQUIRE_CAUGHT_UP(backup, primary)                   \
  do {                                                       \
    INFO((backup).diagnostics() << (primary).diagnostics()); \
    REQUIRE(wait_caught_up(backup, primary));                \
  } while (false)

}  // namespace

TEST_CASE("a backup cluster follows a primary one and takes over at its backup TID",
          "[cluster][backup]") {
  if (!LocalCluster::daemons_built()) return;
  LocalCluster primary({.name = "neo-primary", .partitions = 3, .storages = 1});
  primary.start();
  REQUIRE_STATE(primary, "RUNNING");
  auto writer = connect(primary);
  const std::vector<Oid> oids = new_oids(*writer, 6);
  std::map<std::uint64_t, Tid> serials;
  for (Oid oid : oids) serials[oid.value] = neo::kZeroTid;
  commit_rounds(*writer, oids, serials, 6, "before");
  const Tid old0 = serials[oids[0].value];  // replaced by the next rounds

  LocalCluster backup({.name = "neo-backup",
                       .partitions = 3,
                       .replicas = 1,
                       .storages = 2,
                       .master_args = {"--upstream-cluster", "neo-primary", "--upstream-masters",
                                       primary.master_address()}});
  backup.start();
  REQUIRE_STATE(backup, "RUNNING");
  CHECK(backup.neoctl({"set", "cluster", "STOPPING_BACKUP"}).status != 0);
  auto started = backup.neoctl({"set", "cluster", "STARTING_BACKUP"});
  INFO(started.out << started.err);
  REQUIRE(started.status == 0);
  REQUIRE_STATE(backup, "BACKINGUP");

  // Under commits.
  Tid last = commit_rounds(*writer, oids, serials, 30, "during");
  {
    INFO(backup.diagnostics());
    REQUIRE(wait_backup_tid(backup, last));
  }
  const Content expected = read_all(*writer, oids);

  // Read-only clients of the backup read up to the backup TID; writers are refused.
  {
    auto reader = connect(backup, true);
    CHECK(reader->last_transaction().value() == last);
    CHECK(read_all(*reader, oids) == expected);
    auto refused = Client::connect(
        {.masters = {backup.master_address()}, .cluster = "neo-backup", .timeout = 5s});
    CHECK_FALSE(refused);
  }
  // The primary packs; the backup follows its pack order.
  const auto old0_packed = [&] {
    auto reader = connect(backup, true);  // a new one: no cache
    auto record = reader->load_serial(oids[0], old0);
    return !record && record.error() == errc::oid_not_found;
  };
  CHECK_FALSE(old0_packed());
  REQUIRE_FALSE(writer->pack(last, true));
  {
    INFO(backup.diagnostics());
    CHECK(neo::test::wait_for(old0_packed, 60s, 200ms));
  }
  // More commits, not all replicated when the backup stops following.
  commit_rounds(*writer, oids, serials, 5, "after");
  {
    INFO(backup.diagnostics());
    REQUIRE(backup.neoctl({"set", "cluster", "STOPPING_BACKUP"}).status == 0);
  }
  REQUIRE_STATE(backup, "RUNNING");

  // The backup holds what the primary had at its backup TID, and only that.
  auto client = connect(backup);
  const Tid backup_tid = client->last_transaction().value();
  CHECK(last <= backup_tid);
  Content at_backup_tid;
  for (Oid oid : oids) {
    auto record = writer->load_before(oid, Tid{backup_tid.value + 1});
    REQUIRE(record);
    at_backup_tid[oid.value] = {record->serial, record->data};
  }
  CHECK(read_all(*client, oids) == at_backup_tid);
  auto log = client->undo_log(0, 100);
  auto primary_log = writer->undo_log(0, 100);
  REQUIRE(log);
  REQUIRE(primary_log);
  std::vector<Tid> tids, primary_tids;
  for (const auto& info : *log) tids.push_back(info.tid);
  for (const auto& info : *primary_log)
    if (info.tid <= backup_tid) primary_tids.push_back(info.tid);
  CHECK(tids == primary_tids);
  // It is a normal cluster now: it commits.
  const Tid own = commit(*client, {oids[0]}, at_backup_tid[oids[0].value].first, "own");
  CHECK(backup_tid < own);
}

TEST_CASE("a backup cluster survives lost storages and restarts without starting over",
          "[cluster][backup]") {
  if (!LocalCluster::daemons_built()) return;
  LocalCluster primary({.name = "neo-primary2", .partitions = 3, .replicas = 1, .storages = 2});
  primary.start();
  REQUIRE_STATE(primary, "RUNNING");
  auto writer = connect(primary);
  const std::vector<Oid> oids = new_oids(*writer, 6);
  std::map<std::uint64_t, Tid> serials;
  for (Oid oid : oids) serials[oid.value] = neo::kZeroTid;
  commit_rounds(*writer, oids, serials, 5, "first");

  // -B: an empty cluster goes to BACKINGUP without passing through RUNNING.
  LocalCluster backup(
      {.name = "neo-backup2",
       .partitions = 3,
       .replicas = 1,
       .storages = 2,
       .master_args = {"-B", "-C", "neo-primary2", "-M", primary.master_address()}});
  backup.start();
  REQUIRE_STATE(backup, "BACKINGUP");
  REQUIRE_CAUGHT_UP(backup, primary);

  // A backup storage lost: the other cells go on; back, it catches up.
  backup.storage(1).signal(SIGKILL);
  REQUIRE(backup.storage(1).wait(10s));
  commit_rounds(*writer, oids, serials, 8, "lost");
  REQUIRE_CAUGHT_UP(backup, primary);
  backup.start_storage(1);
  {
    INFO(backup.diagnostics());
    REQUIRE(neo::test::wait_for(
        [&] {
          return all_cells_up(backup.neoctl({"print", "pt"}).out);
        },
        60s, 100ms));
  }
  commit_rounds(*writer, oids, serials, 3, "back");
  REQUIRE_CAUGHT_UP(backup, primary);

  // An upstream storage lost: the other upstream cells are the sources.
  primary.storage(0).signal(SIGKILL);
  REQUIRE(primary.storage(0).wait(10s));
  commit_rounds(*writer, oids, serials, 8, "upstream-lost");
  REQUIRE_CAUGHT_UP(backup, primary);
  primary.start_storage(0);

  // The backup's master restarted: it goes on from its storages' backup TID.
  const std::string before_restart = ids_value(backup, "backup_tid");
  backup.master().signal(SIGKILL);
  REQUIRE(backup.master().wait(10s));
  backup.start_master();
  REQUIRE_STATE(backup, "BACKINGUP");
  CHECK(ids_value(backup, "backup_tid") >= before_restart);  // same width: hex order
  commit_rounds(*writer, oids, serials, 3, "restarted");
  REQUIRE_CAUGHT_UP(backup, primary);

  // The upstream's master restarted: the backup connects again.
  writer.reset();
  primary.master().signal(SIGKILL);
  REQUIRE(primary.master().wait(10s));
  primary.start_master();
  REQUIRE_STATE(primary, "RUNNING");
  writer = connect(primary);
  commit_rounds(*writer, oids, serials, 3, "upstream-restarted");
  REQUIRE_CAUGHT_UP(backup, primary);
  const Content expected = read_all(*writer, oids);

  REQUIRE(backup.neoctl({"set", "cluster", "STOPPING_BACKUP"}).status == 0);
  REQUIRE_STATE(backup, "RUNNING");
  auto client = connect(backup);
  CHECK(read_all(*client, oids) == expected);
  CHECK(client->last_transaction().value() == writer->last_transaction().value());
}
