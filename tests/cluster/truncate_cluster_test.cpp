// Cluster tests of `neoctl truncate` (flows.md 13) with our daemons as real
// processes (local_cluster.hpp) and the C++ client library: transactions
// after the TID are gone once the cluster runs again, also after a restart
// and on a storage that was down when the truncation was requested (its
// database is checked directly, after it replicated what it lacked).
#include <sqlite3.h>

#include <catch2/catch.hpp>
#include <csignal>
#include <cstdio>
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
using neo::test::commit;
using neo::test::count_lines_with;
using neo::test::LocalCluster;
using neo::test::new_oids;
using neo::test::RunResult;
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

// Four transactions: t1 (oids 0, 1), t2 (oid 2), t3 (oid 0 again), t4 (oid 3).
struct History {
  std::vector<Oid> oids;
  Tid t1, t2, t3, t4;
};

History commit_history(const LocalCluster& cluster) {
  auto client = neo::test::connect_client(cluster);
  History h;
  h.oids = new_oids(*client, 4);
  h.t1 = commit(*client, {h.oids[0], h.oids[1]}, neo::kZeroTid, "v1");
  h.t2 = commit(*client, {h.oids[2]}, neo::kZeroTid, "v2");
  h.t3 = commit(*client, {h.oids[0]}, h.t1, "v3");
  h.t4 = commit(*client, {h.oids[3]}, neo::kZeroTid, "v4");
  return h;
}

// The database as truncated after t2, seen by a new client and by neoctl.
void check_truncated(const LocalCluster& cluster, const History& h) {
  INFO(cluster.diagnostics());
  auto client = neo::test::connect_client(cluster);
  CHECK(client->last_transaction().value() == h.t2);
  CHECK(count_lines_with(cluster.neoctl({"print", "ids"}).out, "last_tid = " + hex(h.t2) + " ") ==
        1);
  auto v1 = client->load(h.oids[0]);
  REQUIRE(v1);
  CHECK(v1->serial == h.t1);
  CHECK(v1->data == "v1/" + std::to_string(h.oids[0].value));
  CHECK_FALSE(v1->next_serial);
  CHECK(client->load(h.oids[1])->serial == h.t1);
  CHECK(client->load(h.oids[2])->serial == h.t2);
  CHECK(client->load(h.oids[3]).error() == errc::oid_does_not_exist);
  auto log = client->undo_log(0, 10);
  REQUIRE(log);
  REQUIRE(log->size() == 2);
  CHECK((*log)[0].tid == h.t2);
  CHECK((*log)[1].tid == h.t1);
}

std::int64_t i64(Tid tid) { return static_cast<std::int64_t>(tid.value); }

// The integer of a one-value query on a storage's SQLite database, read-only
// (-1 on error).
// True if `neoctl print pt` shows only UP_TO_DATE cells ("S1 R UUUU").
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

std::int64_t query_int(const std::filesystem::path& db, const std::string& sql) {
  sqlite3* conn = nullptr;
  std::int64_t value = -1;
  if (sqlite3_open_v2(db.c_str(), &conn, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(conn, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK &&
        sqlite3_step(stmt) == SQLITE_ROW)
      value = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
  }
  sqlite3_close(conn);
  return value;
}

// Waits until the cluster runs again after truncating at `tid`: RUNNING
// with `tid` as last TID (the admin may still show RUNNING just after the
// truncation is acknowledged).
bool wait_truncated(const LocalCluster& cluster, Tid tid) {
  return neo::test::wait_for(
      [&] {
        return count_lines_with(cluster.neoctl({"print", "ids"}).out,
                                "last_tid = " + hex(tid) + " ") == 1 &&
               cluster.neoctl({"print", "cluster"}).out == "RUNNING\n";
      },
      60s, 50ms);
}

// Waits until the master's log has `text` (flushed with neoctl flush_log).
bool wait_master_log(const LocalCluster& cluster, const std::string& text) {
  return neo::test::wait_for(
      [&] {
        cluster.neoctl({"flush_log"});
        const RunResult log = neo::test::run_program(
            {LocalCluster::program("neolog"), (cluster.dir() / "master.log").string()});
        return log.out.find(text) != std::string::npos;
      },
      30s, 200ms);
}

}  // namespace

TEST_CASE("truncate: what was committed after the TID is gone, also after a restart",
          "[truncate]") {
  REQUIRE(LocalCluster::daemons_built());
  LocalCluster cluster({.name = "neo-cpp-truncate", .replicas = 1, .storages = 2});
  cluster.start();
  REQUIRE_STATE(cluster, "RUNNING");
  const History h = commit_history(cluster);

  // Refused: the text of NEO/py's master, on neoctl's error output.
  const RunResult after_last = cluster.neoctl({"truncate", "tid:" + hex(h.t4)});
  CHECK(after_last.status != 0);
  CHECK(after_last.err.find("Truncating after last transaction does nothing") != std::string::npos);
  const RunResult before_first = cluster.neoctl({"truncate", "tid:" + hex(Tid{h.t1.value - 1})});
  CHECK(before_first.status != 0);
  CHECK(before_first.err.find("Truncating before first transaction") != std::string::npos);

  const RunResult truncated = cluster.neoctl({"truncate", "tid:" + hex(h.t2)});
  INFO(truncated.err);
  REQUIRE(truncated.status == 0);
  CHECK(truncated.out.empty());
  {
    INFO(cluster.diagnostics());
    REQUIRE(wait_truncated(cluster, h.t2));
  }
  check_truncated(cluster, h);

  // Every node restarted: the same database.
  REQUIRE(cluster.neoctl({"set", "cluster", "STOPPING"}).status == 0);
  CHECK(cluster.master().wait(20s) == 0);
  CHECK(cluster.storage(0).wait(20s) == 0);
  CHECK(cluster.storage(1).wait(20s) == 0);
  CHECK(cluster.admin().wait(20s).has_value());
  cluster.start();
  REQUIRE_STATE(cluster, "RUNNING");
  check_truncated(cluster, h);

  // Commits go on after the truncation TID.
  auto client = neo::test::connect_client(cluster);
  const Tid next = commit(*client, {h.oids[0]}, h.t1, "after");
  CHECK(next > h.t2);
  CHECK(client->load(h.oids[0])->serial == next);
}

TEST_CASE("truncate: a storage down at the time is waited for, then truncated too", "[truncate]") {
  REQUIRE(LocalCluster::daemons_built());
  LocalCluster cluster({.name = "neo-cpp-truncate-down", .replicas = 1, .storages = 2});
  cluster.start();
  REQUIRE_STATE(cluster, "RUNNING");
  const History h = commit_history(cluster);

  // Storage 1 has everything, then is down: its cells are OUT_OF_DATE, the
  // replica serves alone.
  cluster.storage(1).signal(SIGKILL);
  REQUIRE(cluster.storage(1).wait(10s).has_value());
  {
    INFO(cluster.diagnostics());
    REQUIRE(neo::test::wait_for(
        [&] {
          return count_lines_with(cluster.neoctl({"print", "node"}).out,
                                  cluster.storage_address(1) + " | DOWN") == 1;
        },
        20s, 50ms));
  }
  const RunResult truncated = cluster.neoctl({"truncate", "tid:" + hex(h.t2)});
  INFO(truncated.err);
  REQUIRE(truncated.status == 0);

  // The table is loaded and the truncation known: recovery waits for
  // storage 1, which may have data after the TID.
  {
    INFO(cluster.diagnostics());
    REQUIRE(wait_master_log(cluster, "pending: waiting for every node of the table"));
  }
  CHECK(cluster.neoctl({"print", "cluster"}).out == "RECOVERING\n");

  // Back, it is sent the truncation it missed; both storages truncate.
  cluster.start_storage(1);
  {
    INFO(cluster.diagnostics());
    REQUIRE(wait_truncated(cluster, h.t2));
    CHECK(wait_master_log(cluster, "not recorded: sending Truncate again"));
  }
  check_truncated(cluster, h);

  // Storage 1 then replicates what it lacked: every cell UP_TO_DATE.
  {
    INFO(cluster.diagnostics());
    REQUIRE(neo::test::wait_for(
        [&] {
          return all_cells_up(cluster.neoctl({"print", "pt"}).out);
        },
        30s, 100ms));
  }
  // Both databases: nothing after t2.
  REQUIRE(cluster.neoctl({"set", "cluster", "STOPPING"}).status == 0);
  for (std::size_t i = 0; i < 2; ++i) CHECK(cluster.storage(i).wait(20s) == 0);
  CHECK(cluster.master().wait(20s) == 0);
  for (std::size_t i = 0; i < 2; ++i) {
    INFO("storage " << i);
    CHECK(query_int(cluster.database(i), "SELECT MAX(tid) FROM trans") == i64(h.t2));
    CHECK(query_int(cluster.database(i), "SELECT MAX(tid) FROM obj") == i64(h.t2));
  }
  // Every cell UP_TO_DATE (pt.tid -1) in both copies of the table.
  for (std::size_t i = 0; i < 2; ++i) {
    CHECK(query_int(cluster.database(i), "SELECT MIN(tid) FROM pt") == -1);
    CHECK(query_int(cluster.database(i), "SELECT MAX(tid) FROM pt") == -1);
  }
}
