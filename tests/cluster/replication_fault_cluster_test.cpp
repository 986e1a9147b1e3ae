// Replication faults with real processes on 127.0.0.1: a new storage killed
// (SIGKILL) in the middle of a large replication resumes where it stopped
// instead of starting again; `neoctl drop` refuses running nodes and the
// last readable copy, accepts a stopped replicated node, and a dropped node
// told so erases its database and exits.
#include <catch2/catch.hpp>
#include <csignal>
#include <regex>
#include <sstream>

#include "tests/cluster/replication_steps.hpp"

using namespace neo::test;

namespace {

// Progress of a replicator, from its last "partition N replicated ...
// (k/n done; T transactions, O objects, ...)" log line.
struct Progress {
  long done = 0, total = 0, transactions = 0, objects = 0;
};

Progress last_progress(const std::string& log) {
  static const std::regex progress(R"(\((\d+)/(\d+) done; (\d+) transactions, (\d+) objects)");
  Progress last;
  std::istringstream in(log);
  for (std::string line; std::getline(in, line);) {
    std::smatch m;
    if (line.find(" done; ") != line.npos && std::regex_search(line, m, progress))
      last = {std::stol(m[1]), std::stol(m[2]), std::stol(m[3]), std::stol(m[4])};
  }
  return last;
}

std::int64_t object_rows(const LocalCluster& cluster, std::size_t storage) {
  return query_int(cluster.database(storage), "SELECT COUNT(*) FROM obj");
}

// Transaction records (one per transaction, in the partition of its TID).
std::int64_t transaction_rows(const LocalCluster& cluster, std::size_t storage) {
  return query_int(cluster.database(storage), "SELECT COUNT(*) FROM trans");
}

// Object records of storage `a` found identical (partition, oid, serial,
// data hash and compression) in storage `b`.
std::int64_t same_objects(const LocalCluster& cluster, std::size_t a, std::size_t b) {
  return query_int(cluster.database(a),
                   "SELECT COUNT(*) FROM obj o JOIN data d ON d.id = o.data_id"
                   " JOIN b.obj bo USING (partition, oid, tid) JOIN b.data bd"
                   " ON bd.id = bo.data_id AND bd.hash = d.hash AND bd.compression = d.compression",
                   cluster.database(b));
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

TEST_CASE("a storage killed during a large replication resumes where it stopped",
          "[cluster][replication]") {
  REQUIRE(LocalCluster::daemons_built());
  LocalCluster cluster({.partitions = 4, .replicas = 1, .storages = 2, .autostart = 1});
  cluster.start_master();
  cluster.start_storage(0);
  cluster.start_admin();
  INFO(cluster.diagnostics());
  REQUIRE(cluster.wait_cluster_state("RUNNING"));
  // 100,000 objects (data that neither compresses nor deduplicates): about
  // 4 s to commit and 1 s to replicate on a 2-core machine, in about 100
  // chunks of 1000 objects, each committed by the replicator.
  constexpr int kTransactions = 100, kObjects = 1000;
  constexpr std::int64_t kTotal = kTransactions * kObjects;
  Written written;
  {
    auto client = connect(cluster);
    written = commit_some(*client, kTransactions, "big", kObjects, 64);
  }
  // The last transaction is made durable just after its answer.
  REQUIRE(wait_until([&] { return object_rows(cluster, 0) == kTotal; }));

  add_storage(cluster, 1);
  const auto added = std::chrono::steady_clock::now();
  // SIGKILL once a third of the objects arrived (committed rows; polled
  // more often than the replicator commits chunks).
  REQUIRE(wait_until([&] { return object_rows(cluster, 1) >= kTotal / 3; }, 60s, 5ms));
  cluster.storage(1).signal(SIGKILL);
  REQUIRE(cluster.storage(1).wait(10s) == 128 + SIGKILL);
  const double killed_after = seconds_since(added);
  const std::int64_t kept = object_rows(cluster, 1);  // no process has the file open
  const std::int64_t kept_transactions = transaction_rows(cluster, 1);
  INFO("objects kept by the killed storage: " << kept << " of " << kTotal << " after "
                                              << killed_after << " s");
  CHECK(kept < kTotal * 2 / 3);  // the kill landed in the middle

  // The restarted node logs to a new file: its counters only.
  std::filesystem::rename(cluster.dir() / "storage1.log", cluster.dir() / "storage1.killed.log");
  cluster.start_storage(1);
  REQUIRE(wait_up_to_date(cluster, 2, 2));
  const double replicated_after = seconds_since(added);
  // What the restarted replicator received (the AddObject count in its
  // last progress line) against what was missing (rows counted in the file
  // while no process had it open): the excess was fetched twice. The
  // replicator commits each chunk and tells the source what it already
  // has, so what it had committed should not come again. The same for
  // transaction records.
  Progress progress;
  REQUIRE(wait_until([&] {
    progress = last_progress(log_of(cluster, "storage1"));
    return progress.total > 0 && progress.done == progress.total;
  }));
  const std::int64_t missing = kTotal - kept, again = progress.objects - missing;
  INFO("objects fetched after the restart: " << progress.objects << ", missing " << missing
                                             << "; up to date after " << replicated_after << " s");
  CHECK(again >= 0);
  CHECK(again < kTotal / 10);
  const std::int64_t transactions = transaction_rows(cluster, 0);
  const std::int64_t again_transactions =
      progress.transactions - (transactions - kept_transactions);
  INFO("transaction records: " << transactions << ", kept " << kept_transactions
                               << ", fetched after the restart " << progress.transactions);
  CHECK(again_transactions >= 0);
  CHECK(again_transactions < transactions / 10);

  // Both copies hold the same records; the new one alone serves them.
  CHECK(object_rows(cluster, 1) == kTotal);
  CHECK(same_objects(cluster, 1, 0) == kTotal);
  cluster.storage(0).stop();
  auto reader = connect(cluster);
  Written sample;
  for (std::size_t i = 0; i < written.size(); i += 97) sample.push_back(written[i]);
  check_all(*reader, sample);
}

TEST_CASE(
    "neoctl drop: a stopped replicated node is removed, a running one and the last "
    "readable copy are not",
    "[cluster][replication]") {
  REQUIRE(LocalCluster::daemons_built());
  LocalCluster cluster({.partitions = 4, .replicas = 1, .storages = 3});
  cluster.start();
  INFO(cluster.diagnostics());
  REQUIRE(cluster.wait_cluster_state("RUNNING"));
  const Written written = commit_some(*connect(cluster), 10, "drop");
  std::vector<std::string> ids;
  for (std::size_t i = 0; i < 3; ++i)
    ids.push_back(storage_id(cluster, cluster.storage_address(i)));
  REQUIRE(wait_up_to_date(cluster, 3, 2));

  SECTION("the last readable copy") {
    // Storage 1 stopped: its cells are outdated. Storage 0 stopped next
    // holds the only readable copies of the partitions they share: the
    // cluster cannot operate. Storage 2, still connected, gives the master
    // the latest table (in RECOVERING it only knows what storages bring).
    CHECK(cluster.storage(1).stop() == 0);
    REQUIRE(wait_until([&] { return cells_of(cluster, ids[1]).find('U') == std::string::npos; }));
    CHECK(cluster.storage(0).stop() == 0);
    REQUIRE(cluster.wait_cluster_state("RECOVERING"));
    REQUIRE(wait_until([&] { return node_state(cluster, ids[2]) == "PENDING"; }));
    REQUIRE(wait_until([&] { return !cells_of(cluster, ids[0]).empty(); }));
    // The first partition whose only UP_TO_DATE cell is on storage 0.
    const std::string cells0 = cells_of(cluster, ids[0]), cells2 = cells_of(cluster, ids[2]);
    const std::size_t only = [&] {
      for (std::size_t p = 0; p < cells0.size(); ++p)
        if (cells0[p] == 'U' && cells2[p] != 'U') return p;
      return cells0.npos;
    }();
    INFO(cluster.neoctl({"print", "pt"}).out);
    REQUIRE(only != cells0.npos);
    RunResult drop = cluster.neoctl({"drop", ids[0]});
    CHECK(drop.status == 1);
    CHECK(drop.err == "Refuse to drop nodes that contain the only readable copies of partition " +
                          std::to_string(only) + "\n");
    CHECK(node_state(cluster, ids[0]) == "DOWN");
    cluster.start_storage(0);
    cluster.start_storage(1);
    REQUIRE(cluster.wait_cluster_state("RUNNING", 30s));
    REQUIRE(wait_up_to_date(cluster, 3, 2));
  }

  SECTION("a running node, then the same node stopped") {
    // NEO/py's texts: neoctl prints the master's message, on stderr if denied.
    RunResult drop = cluster.neoctl({"drop", ids[2]});
    CHECK(drop.status == 1);
    CHECK(drop.err == "a running node must be stopped before removal\n");

    // Stopped, its cells are OUT_OF_DATE and each partition has another copy.
    CHECK(cluster.storage(2).stop() == 0);
    REQUIRE(wait_until([&] { return cells_of(cluster, ids[2]).find('U') == std::string::npos; }));
    drop = cluster.neoctl({"drop", ids[2]});
    CHECK(drop.status == 0);
    CHECK(drop.out == "node permanently removed\n");
    CHECK(node_state(cluster, ids[2]).empty());
    CHECK(cells_of(cluster, ids[2]).empty());
    CHECK(cluster.neoctl({"print", "cluster"}).out == "RUNNING\n");
    REQUIRE(cluster.neoctl({"tweak"}).status == 0);
    REQUIRE(wait_up_to_date(cluster, 2, 2));

    // Started again, the master does not know it: it is a new PENDING node
    // (as with NEO/py), without cells, so it drops the data of its old
    // partitions. Dropped again while connected, it is told that it is
    // UNKNOWN: it erases its database and exits.
    cluster.start_storage(2);
    REQUIRE(wait_until([&] { return node_state(cluster, ids[2]) == "PENDING"; }));
    CHECK(wait_until([&] { return object_rows(cluster, 2) == 0; }));
    drop = cluster.neoctl({"drop", ids[2]});
    CHECK(drop.status == 0);
    CHECK(drop.out == "state changed\n");
    CHECK(cluster.storage(2).wait(20s) == 0);
    CHECK(query_int(cluster.database(2), "SELECT COUNT(*) FROM sqlite_master") == 0);
    CHECK(node_state(cluster, ids[2]).empty());
  }
  check_all(*connect(cluster), written);
}
