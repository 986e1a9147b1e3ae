// Replication with real processes on 127.0.0.1: a new storage added with
// neoctl receives the data, also while a client commits continuously; a
// storage down during commits, or killed while a client commits, catches
// up; `neoctl set replicas` + tweak adds cells that replicate. The data is
// then read from each copy alone.
#include <atomic>
#include <catch2/catch.hpp>
#include <csignal>
#include <functional>
#include <random>
#include <thread>

#include "tests/cluster/replication_steps.hpp"

using namespace neo::test;
using neo::Oid;
using neo::Tid;
using neo::client::Client;

namespace {

// Stops each storage in turn and runs `check` with a new client while it is
// down, then restarts it and waits for its cells to be UP_TO_DATE again.
// With two copies of each partition, every cell is the only readable one
// in the round where the other copy's node is down: each copy is read alone.
void check_each_copy(LocalCluster& cluster, std::size_t storages,
                     const std::function<void(Client&)>& check) {
  for (std::size_t i = 0; i < storages; ++i) {
    INFO("storage " << i << " down");
    const std::string id = storage_id(cluster, cluster.storage_address(i));
    CHECK(cluster.storage(i).stop() == 0);
    REQUIRE(wait_until([&] { return node_state(cluster, id) == "DOWN"; }));
    check(*connect(cluster));
    cluster.start_storage(i);
    REQUIRE(wait_up_to_date(cluster, storages, 2));
  }
}

// A client committing in its own thread until stopped: each transaction
// creates 5 objects and stores a new revision of one counter object (no
// Catch2 assertion in that thread: the first error stops it).
class Writer {
 public:
  struct Committed {
    Tid tid;
    std::vector<std::pair<Oid, std::string>> objects;
  };

  explicit Writer(std::unique_ptr<Client> client)
      : client_(std::move(client)), thread_([this] { run(); }) {}
  ~Writer() { stop(); }
  std::size_t committed() const { return committed_; }
  // Stops and joins; what was committed.
  const std::vector<Committed>& stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    return done_;
  }
  const std::string& error() const { return error_; }
  Oid counter() const { return counter_; }
  static std::string counter_data(std::size_t t) { return "counter " + std::to_string(t); }

 private:
  void run() {
    std::mt19937_64 random(7);
    Tid last = neo::kZeroTid;
    for (std::size_t t = 0; !stop_; ++t) {
      auto txn = client_->begin({.user = "writer"});
      if (!txn) return fail("begin", txn.error());
      Committed c;
      for (int i = 0; i < 5; ++i) {
        auto oid = client_->new_oid();
        if (!oid) return fail("new_oid", oid.error());
        c.objects.emplace_back(*oid, "w" + std::to_string(t) + random_bytes(random, 200));
        (*txn)->store(*oid, neo::kZeroTid, c.objects.back().second);
      }
      if (t == 0)
        counter_ = c.objects.front().first;
      else
        (*txn)->store(counter_, last, counter_data(t));
      auto tid = (*txn)->finish();
      if (!tid) return fail("finish", tid.error());
      c.tid = last = *tid;
      done_.push_back(std::move(c));
      ++committed_;
    }
  }
  void fail(const char* what, std::error_code ec) {
    error_ = std::string(what) + ": " + ec.message();
  }

  std::unique_ptr<Client> client_;
  std::atomic<bool> stop_{false};
  std::atomic<std::size_t> committed_{0};
  std::vector<Committed> done_;
  std::string error_;
  Oid counter_{};
  std::thread thread_;  // last: started once the rest is ready
};

// Every transaction of the writer: its objects and its counter revision.
void check_committed(Client& client, const Writer& writer,
                     const std::vector<Writer::Committed>& committed) {
  for (std::size_t t = 0; t < committed.size(); ++t) {
    for (const auto& [oid, data] : committed[t].objects) {
      auto record = client.load_serial(oid, committed[t].tid);
      INFO("transaction " << t << ", oid " << oid.value << ": "
                          << (record ? "" : record.error().message()));
      REQUIRE(record);
      CHECK(record->data == data);
    }
    if (t == 0) continue;
    auto record = client.load_serial(writer.counter(), committed[t].tid);
    INFO("counter of transaction " << t << ": " << (record ? "" : record.error().message()));
    REQUIRE(record);
    CHECK(record->data == Writer::counter_data(t));
  }
}

}  // namespace

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

TEST_CASE("add and tweak while a client commits: every transaction is on every copy",
          "[cluster][replication]") {
  REQUIRE(LocalCluster::daemons_built());
  LocalCluster cluster({.partitions = 6, .replicas = 1, .storages = 3, .autostart = 2});
  cluster.start_master();
  cluster.start_storage(0);
  cluster.start_storage(1);
  cluster.start_admin();
  INFO(cluster.diagnostics());
  REQUIRE(cluster.wait_cluster_state("RUNNING"));
  // Enough data for the replication to take longer than a commit.
  const Written before = commit_some(*connect(cluster), 20, "before", 500, 100);

  Writer writer(connect(cluster));
  REQUIRE(wait_until([&] { return writer.committed() >= 20 || !writer.error().empty(); }));
  add_storage(cluster, 2);
  const std::size_t at_tweak = writer.committed();
  REQUIRE(wait_up_to_date(cluster, 3, 2));
  const std::size_t at_up_to_date = writer.committed();
  REQUIRE(wait_until(
      [&] { return writer.committed() >= at_up_to_date + 20 || !writer.error().empty(); }));
  const std::vector<Writer::Committed>& committed = writer.stop();
  INFO("writer: " << writer.error());
  REQUIRE(writer.error().empty());
  INFO("commits: " << at_tweak << " at the tweak, " << at_up_to_date << " once up to date, "
                   << committed.size() << " in all");
  CHECK(at_up_to_date > at_tweak);  // commits went on during the replication

  CHECK(all_up_to_date(cluster, 3, 2));
  check_each_copy(cluster, 3, [&](Client& client) {
    check_all(client, before);
    check_committed(client, writer, committed);
  });
}

TEST_CASE("neoctl set replicas then tweak adds cells that replicate", "[cluster][replication]") {
  REQUIRE(LocalCluster::daemons_built());
  LocalCluster cluster({.partitions = 4, .replicas = 0, .storages = 2});
  cluster.start();
  INFO(cluster.diagnostics());
  REQUIRE(cluster.wait_cluster_state("RUNNING"));
  const Written written = commit_some(*connect(cluster), 20, "replicas");
  REQUIRE(wait_up_to_date(cluster, 2, 1));
  CHECK(cluster.neoctl({"print", "pt"}).out.rfind("# ptid: 1, replicas: 0\n", 0) == 0);

  const RunResult set = cluster.neoctl({"set", "replicas", "1"});
  CHECK(set.status == 0);
  CHECK(set.out == "\n");  // the empty ACK message, printed as NEO/py
  CHECK(count_lines_with(cluster.neoctl({"print", "pt"}).out, ", replicas: 1") == 1);
  CHECK(all_up_to_date(cluster, 2, 1));  // no cell before the tweak
  REQUIRE(cluster.neoctl({"tweak"}).status == 0);
  REQUIRE(wait_up_to_date(cluster, 2, 2));
  check_each_copy(cluster, 2, [&](Client& client) { check_all(client, written); });
}

TEST_CASE("a storage killed and restarted while a client commits catches up",
          "[cluster][replication]") {
  REQUIRE(LocalCluster::daemons_built());
  LocalCluster cluster({.partitions = 4, .replicas = 1, .storages = 2});
  cluster.start();
  INFO(cluster.diagnostics());
  REQUIRE(cluster.wait_cluster_state("RUNNING"));
  const Written before = commit_some(*connect(cluster), 10, "before", 500, 100);
  Writer writer(connect(cluster));
  const auto commits = [&](std::size_t count) {
    const std::size_t from = writer.committed();
    return wait_until(
        [&] { return writer.committed() >= from + count || !writer.error().empty(); });
  };
  REQUIRE(commits(10));
  cluster.storage(1).signal(SIGKILL);
  REQUIRE(cluster.storage(1).wait(10s));
  REQUIRE(commits(20));
  cluster.start_storage(1);  // it replicates while the client commits
  const std::size_t at_restart = writer.committed();
  REQUIRE(wait_up_to_date(cluster, 2, 2));
  const std::size_t at_up_to_date = writer.committed();
  REQUIRE(commits(20));
  const std::vector<Writer::Committed>& committed = writer.stop();
  INFO("writer: " << writer.error());
  REQUIRE(writer.error().empty());
  INFO("commits: " << at_restart << " at the restart, " << at_up_to_date << " once up to date, "
                   << committed.size() << " in all");
  CHECK(at_up_to_date > at_restart);
  check_each_copy(cluster, 2, [&](Client& client) {
    check_all(client, before);
    check_committed(client, writer, committed);
  });
}
