// Cluster tests of one C++ client (include/neo/client.hpp) shared by many
// threads, each doing its own I/O in turn (nodes/client/io_lead.hpp): loads,
// commits, invalidations from another client, a master restart.
#include <atomic>
#include <catch2/catch.hpp>
#include <csignal>
#include <map>
#include <mutex>
#include <random>
#include <thread>

#include "neo/client.hpp"
#include "tests/cluster/cluster_client.hpp"
#include "tests/cluster/local_cluster.hpp"
#include "tests/support/client_steps.hpp"

using neo::Oid;
using neo::Tid;
using neo::client::Client;
using neo::test::begin;
using neo::test::commit;
using neo::test::LocalCluster;
using neo::test::new_oids;
using namespace std::chrono_literals;

namespace {

// The library's default timeout (60 s): calls wait through a master restart.
std::unique_ptr<Client> connect(const LocalCluster& cluster) {
  return neo::test::connect_client(cluster, neo::client::Options{});
}

// "<data>/<oid>" as commit() stores it: the data part.
std::string data_of(const neo::client::Record& record) {
  return record.data.substr(0, record.data.find('/'));
}

}  // namespace

TEST_CASE("threads sharing a client: loads, commits and invalidations stay exact", "[client]") {
  REQUIRE(LocalCluster::daemons_built());
  LocalCluster cluster({.storages = 1});
  cluster.start();
  REQUIRE(cluster.wait_cluster_state("RUNNING"));
  auto shared = connect(cluster);
  auto other = connect(cluster);
  const std::vector<Oid> oids = new_oids(*other, 20);  // updated by `other`
  std::vector<Tid> serials(oids.size(), commit(*other, oids, neo::kZeroTid, "0"));
  std::mutex mutex;
  std::map<Tid, std::size_t> invalidated;  // tid -> oids
  shared->on_invalidation([&](Tid tid, std::span<const Oid> changed) {
    std::lock_guard lock(mutex);
    invalidated[tid] = changed.size();
  });

  constexpr int kThreads = 4, kRounds = 150, kUpdates = 40;
  std::atomic<int> failures{0};
  std::vector<Oid> counters = new_oids(*shared, kThreads);  // one per thread
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937 random(t);
      Tid serial = neo::kZeroTid;
      for (int round = 0; round < kRounds; ++round) {
        auto record = shared->load(oids[random() % oids.size()]);
        if (!record || record->data.find('/') == std::string::npos) ++failures;
        if (round % 10 != 0) continue;
        auto txn = shared->begin();  // this thread's own counter: no conflict
        if (!txn) return void(++failures);
        (*txn)->store(counters[t], serial, std::to_string(round));
        auto tid = (*txn)->finish();
        if (!tid) return void(++failures);
        serial = *tid;
      }
    });
  }
  std::vector<Tid> updates;
  for (int i = 1; i <= kUpdates; ++i) {  // meanwhile, 1 or 2 objects per transaction
    std::vector<std::size_t> picked{i % oids.size()};
    if (const std::size_t second = (i * 7 + 3) % oids.size(); second != picked[0])
      picked.push_back(second);
    std::vector<Oid> changed;
    std::vector<Tid> based_on;
    for (std::size_t k : picked) changed.push_back(oids[k]), based_on.push_back(serials[k]);
    const Tid tid = commit(*other, changed, based_on, std::to_string(i));
    for (std::size_t k : picked) serials[k] = tid;
    updates.push_back(tid);
  }
  for (auto& thread : threads) thread.join();
  CHECK(failures == 0);

  REQUIRE(shared->sync() == std::error_code{});  // every invalidation is in
  {
    std::lock_guard lock(mutex);
    for (Tid tid : updates) CHECK(invalidated.count(tid) == 1);
  }
  // No stale revision left in the cache: the latest of every object.
  auto fresh = connect(cluster);
  for (Oid oid : oids) {
    auto mine = shared->load(oid), theirs = fresh->load(oid);
    REQUIRE(mine);
    REQUIRE(theirs);
    CHECK(mine->serial == theirs->serial);
    CHECK(data_of(*mine) == data_of(*theirs));
  }
  for (int t = 0; t < kThreads; ++t)
    CHECK(data_of(*fresh->load(counters[t])) == std::to_string((kRounds - 1) / 10 * 10));
}

TEST_CASE("threads sharing a client through a master restart: every call ends", "[client]") {
  REQUIRE(LocalCluster::daemons_built());
  LocalCluster cluster({.storages = 1});
  cluster.start();
  REQUIRE(cluster.wait_cluster_state("RUNNING"));
  auto client = connect(cluster);
  const std::vector<Oid> oids = new_oids(*client, 10);
  const Tid t1 = commit(*client, oids, neo::kZeroTid, "one");

  constexpr int kThreads = 3;
  std::atomic<bool> stop{false};
  std::atomic<int> calls{0}, errors{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 100000 && !stop; ++i) {
        const bool ok = t == 0 ? client->sync() == std::error_code{}
                               : client->load(oids[i % oids.size()]).has_value();
        ++calls;
        if (!ok) ++errors;
      }
    });
  }
  for (int i = 0; i < 10000 && calls < 300; ++i) std::this_thread::sleep_for(1ms);
  cluster.master().signal(SIGKILL);
  REQUIRE(cluster.master().wait(10s).has_value());
  const int before_restart = calls;
  cluster.start_master();
  REQUIRE(cluster.wait_cluster_state("RUNNING", 30s));
  REQUIRE(client->sync() == std::error_code{});
  stop = true;
  for (auto& thread : threads) thread.join();
  CHECK(before_restart >= 300);
  WARN(calls.load() << " calls (" << calls - before_restart << " from the master's death on), "
                    << errors.load() << " failed");

  // The client is whole again: it commits and reads its own commit.
  const Tid t2 = commit(*client, oids, t1, "two");
  for (Oid oid : oids) CHECK(client->load(oid)->serial == t2);
}
