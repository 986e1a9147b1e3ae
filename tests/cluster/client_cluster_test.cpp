// Cluster tests of the C++ client library (include/neo/client.hpp) against
// our master and storages as real processes on 127.0.0.1.
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <csignal>
#include <mutex>
#include <thread>

#include "neo/client.hpp"
#include "tests/cluster/cluster_client.hpp"
#include "tests/cluster/local_cluster.hpp"
#include "tests/support/client_steps.hpp"

using neo::errc;
using neo::Oid;
using neo::Tid;
using neo::client::Client;
using neo::test::begin;
using neo::test::commit;
using neo::test::LocalCluster;
using neo::test::new_oids;
using namespace std::chrono_literals;

namespace {

struct Running {
  explicit Running(LocalCluster::Options options) : cluster(options) {
    cluster.start();
    INFO(cluster.diagnostics());
    REQUIRE(cluster.wait_cluster_state("RUNNING"));
  }
  std::unique_ptr<Client> client() { return neo::test::connect_client(cluster); }
  LocalCluster cluster;
};

}  // namespace

TEST_CASE("a committed transaction is read back by another client", "[client]") {
  REQUIRE(LocalCluster::daemons_built());
  Running running({.storages = 1});
  auto writer = running.client();
  const auto oids = new_oids(*writer, 10);
  const Tid tid = commit(*writer, oids, neo::kZeroTid, std::string(500, 'x'));
  CHECK(writer->last_transaction().value() == tid);

  auto reader = running.client();
  CHECK(reader->nid() != writer->nid());
  for (Oid oid : oids) {
    auto record = reader->load(oid);
    REQUIRE(record);
    CHECK(record->data == std::string(500, 'x') + "/" + std::to_string(oid.value));
    CHECK(record->serial == tid);
    CHECK_FALSE(record->next_serial);
  }
  CHECK(reader->cache_stats().misses == 10);
  for (Oid oid : oids) {
    CHECK(reader->load_before(oid, tid).error() == errc::oid_not_found);
    CHECK(reader->load_serial(oid, tid)->serial == tid);
  }
  CHECK(reader->cache_stats().hits == 10);  // load_serial, from the cache
  CHECK(reader->load(Oid{1u << 30}).error() == errc::oid_does_not_exist);
}

TEST_CASE("write conflicts are reported and can be resolved", "[client]") {
  REQUIRE(LocalCluster::daemons_built());
  Running running({.storages = 1});
  auto a = running.client();
  auto b = running.client();
  const Oid oid = new_oids(*a, 1)[0];
  const Tid base = commit(*a, {oid}, neo::kZeroTid, "v1");

  // b began first, but a commits before b stores: b's store is based on an
  // old serial. (b storing first would make a wait for b's lock.)
  auto txn_b = begin(*b);
  const Tid tid_a = commit(*a, {oid}, base, "from a");
  txn_b->store(oid, base, "from b");
  CHECK(txn_b->vote() == errc::conflict);
  REQUIRE(txn_b->conflicts().size() == 1);
  CHECK(txn_b->conflicts()[0].oid == oid);
  CHECK(txn_b->conflicts()[0].committed == tid_a);
  CHECK(txn_b->conflicts()[0].base == base);
  txn_b->store(oid, tid_a, "resolved");  // the application's resolution
  auto tid_b = txn_b->finish();
  REQUIRE(tid_b);
  CHECK(*tid_b > tid_a);
  CHECK(a->load_serial(oid, *tid_b)->data == "resolved");
}

TEST_CASE("an empty transaction commits; an oversized object fails the vote", "[client]") {
  REQUIRE(LocalCluster::daemons_built());
  Running running({.storages = 1});
  auto client = running.client();
  auto empty = begin(*client);
  auto tid = empty->finish();
  REQUIRE(tid);
  auto log = client->undo_log(0, 1);
  REQUIRE(log);
  REQUIRE(log->size() == 1);
  CHECK((*log)[0].tid == *tid);
  CHECK((*log)[0].oids.empty());

  const auto oids = new_oids(*client, 2);
  std::string huge(65 << 20, '\0');  // over NEO's 64 MiB packet limit, incompressible
  std::uint64_t x = 88172645463325252ull;
  for (char& c : huge) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    c = static_cast<char>(x);
  }
  auto txn = begin(*client);
  txn->store(oids[0], neo::kZeroTid, "small");
  txn->store(oids[1], neo::kZeroTid, std::move(huge));
  CHECK(txn->vote() == errc::frame_too_large);
  txn->abort();
  CHECK(client->load(oids[0]).error() == errc::oid_does_not_exist);  // nothing half-written
  // The connections and the cluster are fine: the next transaction commits.
  const Tid next = commit(*client, oids, neo::kZeroTid, "after");
  CHECK(client->load(oids[1])->serial == next);
  CHECK(running.cluster.wait_cluster_state("RUNNING"));
}

TEST_CASE("a client vanishing between vote and finish leaves nothing behind", "[client]") {
  REQUIRE(LocalCluster::daemons_built());
  Running running({.storages = 1});
  Oid oid;
  Tid base;
  {
    auto a = running.client();
    oid = new_oids(*a, 1)[0];
    base = commit(*a, {oid}, neo::kZeroTid, "v1");
  }  // no client thread is left when forking
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {  // votes, then dies without finishing or aborting
    auto client = Client::connect(
        {.masters = {running.cluster.master_address()}, .cluster = running.cluster.options().name});
    if (!client) _exit(2);
    auto txn = (*client)->begin();
    if (!txn) _exit(3);
    (*txn)->store(oid, base, "never committed");
    _exit((*txn)->vote() ? 4 : 0);
  }
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);
  // The master aborted it on the storage: its lock is gone, its data never visible.
  auto b = running.client();
  CHECK(b->load(oid)->serial == base);
  const Tid next = commit(*b, {oid}, base, "v2");
  CHECK(b->load(oid)->data == "v2/" + std::to_string(oid.value));
  auto history = b->history(oid, 10);
  REQUIRE(history);
  CHECK(history->size() == 2);
  CHECK((*history)[0].serial == next);
}

TEST_CASE("the client reconnects to a restarted master and sees what others committed",
          "[client]") {
  REQUIRE(LocalCluster::daemons_built());
  Running running({.storages = 1});
  auto a = running.client();
  const Oid oid = new_oids(*a, 1)[0];
  const Tid t1 = commit(*a, {oid}, neo::kZeroTid, "v1");
  CHECK(a->load(oid)->serial == t1);  // cached

  auto during = begin(*a);  // a transaction across the master's death
  during->store(oid, t1, "lost with the master");
  running.cluster.master().signal(SIGKILL);
  REQUIRE(running.cluster.master().wait(10s).has_value());
  running.cluster.start_master();
  REQUIRE(running.cluster.wait_cluster_state("RUNNING", 30s));
  // `a` is back: the failed transaction must not send its gathered store now
  // (its lock would block the others' commits of the object).
  REQUIRE(a->sync() == std::error_code{});
  CHECK(during->finish().error() == errc::transaction_failed);

  // Another client commits while `a` may still be reconnecting.
  auto b = running.client();
  const Tid t2 = commit(*b, {oid}, t1, "v2");
  REQUIRE(a->sync() == std::error_code{});
  auto record = a->load(oid);  // not the stale cached revision
  REQUIRE(record);
  CHECK(record->serial == t2);
  const Tid t3 = commit(*a, {oid}, t2, "v3");
  REQUIRE(b->sync() == std::error_code{});  // a's invalidation has reached b
  CHECK(b->load(oid)->serial == t3);
}

TEST_CASE("a storage answering late: calls time out, nothing is half-committed", "[client]") {
  REQUIRE(LocalCluster::daemons_built());
  Running running({.storages = 1});
  auto client = Client::connect({.masters = {running.cluster.master_address()},
                                 .cluster = running.cluster.options().name,
                                 .timeout = 1s});
  REQUIRE(client);
  auto& c = **client;
  const auto oids = new_oids(c, 2);
  const Tid t1 = commit(c, oids, neo::kZeroTid, "v1");

  neo::test::ChildProcess& storage = running.cluster.storage(0);
  storage.signal(SIGSTOP);
  struct Resume {
    neo::test::ChildProcess& process;
    ~Resume() { process.signal(SIGCONT); }
  } resume{storage};
  auto late = begin(c);  // the master answers
  late->store(oids[0], t1, "late");
  CHECK(late->finish().error() == errc::timed_out);              // the vote waits for the storage
  CHECK(c.load_before(oids[1], t1).error() == errc::timed_out);  // not cached: asks the storage
  late.reset();                                                  // aborts it
  storage.signal(SIGCONT);

  // The storage answers again (a client with a roomier timeout, as CI may be
  // slow); the late transaction never happened.
  auto after = running.client();
  CHECK(after->load(oids[0])->data == "v1/" + std::to_string(oids[0].value));
  const Tid t2 = commit(*after, {oids[0]}, t1, "v2");
  auto history = after->history(oids[0], 10);
  REQUIRE(history);
  CHECK(history->size() == 2);
  CHECK((*history)[0].serial == t2);
  CHECK(running.cluster.wait_cluster_state("RUNNING"));
}

TEST_CASE("readCurrent: a changed object fails the vote", "[client]") {
  REQUIRE(LocalCluster::daemons_built());
  Running running({.storages = 1});
  auto a = running.client();
  auto b = running.client();
  const auto oids = new_oids(*a, 2);
  const Tid base = commit(*a, oids, neo::kZeroTid, "v1");
  commit(*a, {oids[0]}, base, "v2");

  auto txn = begin(*b);
  txn->check_current_serial(oids[0], base);
  txn->store(oids[1], base, "depends on oids[0]");
  CHECK(txn->vote() == errc::read_conflict);
  REQUIRE(txn->conflicts().size() == 1);
  CHECK(txn->conflicts()[0].read);
  txn->abort();

  auto ok = begin(*b);
  ok->check_current_serial(oids[1], base);
  ok->store(oids[0], b->load(oids[0])->serial, "v3");
  CHECK(ok->finish());
}

TEST_CASE("invalidations and MVCC loads", "[client]") {
  REQUIRE(LocalCluster::daemons_built());
  Running running({.storages = 1});
  auto a = running.client();
  auto b = running.client();
  std::mutex mutex;
  std::vector<std::pair<Tid, std::vector<Oid>>> seen;
  b->on_invalidation([&](Tid tid, std::span<const Oid> oids) {
    std::lock_guard lock(mutex);
    seen.emplace_back(tid, std::vector<Oid>(oids.begin(), oids.end()));
  });
  const Oid oid = new_oids(*a, 1)[0];
  const Tid t1 = commit(*a, {oid}, neo::kZeroTid, "one");
  REQUIRE(b->sync() == std::error_code{});
  CHECK(b->load(oid)->serial == t1);  // now cached
  const Tid t2 = commit(*a, {oid}, t1, "two");
  REQUIRE(b->sync() == std::error_code{});  // the invalidation came before the Pong
  {
    std::lock_guard lock(mutex);
    REQUIRE_FALSE(seen.empty());
    CHECK(seen.back().first == t2);
    CHECK(seen.back().second == std::vector<Oid>{oid});
  }
  auto current = b->load(oid);
  CHECK(current->serial == t2);
  CHECK(current->data == "two/" + std::to_string(oid.value));
  auto old = b->load_before(oid, t2);
  REQUIRE(old);
  CHECK(old->serial == t1);
  CHECK(old->next_serial == t2);
  CHECK(old->data == "one/" + std::to_string(oid.value));
  CHECK(b->load_serial(oid, t1)->data == old->data);
}

TEST_CASE("history, undo log, iteration and undo", "[client]") {
  REQUIRE(LocalCluster::daemons_built());
  Running running({.storages = 1});
  auto client = running.client();
  const Oid oid = new_oids(*client, 1)[0];
  std::vector<Tid> tids{commit(*client, {oid}, neo::kZeroTid, "r0")};
  for (int i = 1; i < 4; ++i)
    tids.push_back(commit(*client, {oid}, tids.back(), "r" + std::to_string(i)));

  auto history = client->history(oid, 10);
  REQUIRE(history);
  REQUIRE(history->size() == 4);
  CHECK((*history)[0].serial == tids[3]);
  CHECK((*history)[3].serial == tids[0]);

  auto log = client->undo_log(0, 2);
  REQUIRE(log);
  REQUIRE(log->size() == 2);
  CHECK((*log)[0].tid == tids[3]);
  CHECK((*log)[0].user == "test");
  CHECK((*log)[0].oids == std::vector<Oid>{oid});

  auto all = client->transactions(tids[1], neo::kMaxTid, 100);
  REQUIRE(all);
  REQUIRE(all->size() == 3);
  CHECK((*all)[0].tid == tids[1]);

  auto undo = begin(*client);
  REQUIRE(undo->undo(tids[3]) == std::error_code{});
  auto undone = undo->finish();
  REQUIRE(undone);
  CHECK(client->load(oid)->data == "r2/" + std::to_string(oid.value));
  auto other = running.client();
  CHECK(other->load(oid)->data == "r2/" + std::to_string(oid.value));

  auto late = begin(*client);  // r1 has later revisions: a conflict
  CHECK(late->undo(tids[1]) == errc::conflict);
}

TEST_CASE("concurrent clients keep a shared counter exact", "[client]") {
  REQUIRE(LocalCluster::daemons_built());
  Running running({.replicas = 1, .storages = 2});
  auto setup = running.client();
  const Oid counter = new_oids(*setup, 1)[0];
  {
    auto txn = begin(*setup);
    txn->store(counter, neo::kZeroTid, "0");
    REQUIRE(txn->finish());
  }
  constexpr int kThreads = 4, kIncrements = 15;
  std::atomic<int> conflicts = 0, failures = 0;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      auto client = Client::connect({.masters = {running.cluster.master_address()},
                                     .cluster = running.cluster.options().name});
      if (!client) return void(++failures);
      for (int done = 0, attempts = 0; done < kIncrements && attempts < 500; ++attempts) {
        auto record = (*client)->load(counter);
        if (!record) return void(++failures);
        auto txn = (*client)->begin();
        if (!txn) return void(++failures);
        (*txn)->store(counter, record->serial, std::to_string(std::stoi(record->data) + 1));
        if ((*txn)->finish()) {
          ++done;
          continue;
        }
        ++conflicts;
        (*client)->sync();  // the invalidation of the winner's commit
      }
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(failures == 0);
  REQUIRE(setup->sync() == std::error_code{});
  CHECK(setup->load(counter)->data == std::to_string(kThreads * kIncrements));
  WARN("conflicts retried: " << conflicts.load());
}

TEST_CASE("a storage dying during commits loses no committed data", "[client]") {
  REQUIRE(LocalCluster::daemons_built());
  Running running({.partitions = 3, .replicas = 1, .storages = 2});
  auto client = running.client();
  const auto oids = new_oids(*client, 30);
  std::vector<std::pair<Oid, Tid>> committed;
  for (int i = 0; i < 60; ++i) {
    if (i == 20) running.cluster.storage(1).signal(SIGKILL);
    const Oid oid = oids[i % oids.size()];
    auto serial = client->load(oid);
    auto txn = begin(*client);
    txn->store(oid, serial ? serial->serial : neo::kZeroTid, "n" + std::to_string(i));
    auto tid = txn->finish();
    if (tid) committed.emplace_back(oid, *tid);
  }
  CHECK(committed.size() >= 55);  // a transaction caught by the kill may fail
  auto reader = running.client();
  for (const auto& [oid, tid] : committed) {
    auto record = reader->load_serial(oid, tid);
    INFO(oid.value << "@" << tid.value);
    CHECK(record);
  }
}

TEST_CASE("the only storage killed during concurrent commits keeps every one it confirmed",
          "[client]") {
  REQUIRE(LocalCluster::daemons_built());
  Running running({.storages = 1});
  struct Committed {
    Oid oid;
    Tid tid;
    std::string data;
  };
  constexpr int kThreads = 3, kObjects = 3;
  std::mutex mutex;
  std::vector<Committed> committed;  // what a finish() confirmed
  std::atomic<bool> killed = false;
  std::vector<std::thread> threads;
  auto setup = running.client();
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t, oids = new_oids(*setup, kObjects)] {
      auto client = Client::connect({.masters = {running.cluster.master_address()},
                                     .cluster = running.cluster.options().name,
                                     .timeout = 5s});
      if (!client) return;
      std::vector<Tid> serials(kObjects, neo::kZeroTid);
      for (int i = 0; i < 1000 && !killed; ++i) {
        auto txn = (*client)->begin();
        if (!txn) continue;
        std::vector<std::string> data;
        for (int k = 0; k < kObjects; ++k) {
          data.push_back("t" + std::to_string(t) + "/" + std::to_string(i) + "/" +
                         std::to_string(k));
          (*txn)->store(oids[k], serials[k], data.back());
        }
        auto tid = (*txn)->finish();
        if (!tid) continue;
        std::lock_guard lock(mutex);
        for (int k = 0; k < kObjects; ++k) {
          serials[k] = *tid;
          committed.push_back({oids[k], *tid, data[k]});
        }
      }
    });
  }
  // Kill it in the middle of the commits, once some are confirmed.
  for (int i = 0; i < 3000; ++i) {
    {
      std::lock_guard lock(mutex);
      if (committed.size() >= 60 * kObjects) break;
    }
    std::this_thread::sleep_for(10ms);
  }
  running.cluster.storage(0).signal(SIGKILL);
  killed = true;
  for (auto& thread : threads) thread.join();
  REQUIRE(running.cluster.storage(0).wait(10s).has_value());
  std::vector<Committed> confirmed;
  {
    std::lock_guard lock(mutex);
    confirmed = committed;
  }
  REQUIRE(confirmed.size() >= 60 * kObjects);

  // Restarted on the same database: the locked transactions whose unlock was
  // not yet on disk are recovered; every confirmed revision reads back.
  running.cluster.start_storage(0);
  INFO(running.cluster.diagnostics());
  REQUIRE(running.cluster.wait_cluster_state("RUNNING", 30s));
  auto reader = running.client();
  int missing = 0;
  for (const Committed& c : confirmed) {
    auto record = reader->load_serial(c.oid, c.tid);
    if (!record || record->data != c.data) ++missing;
  }
  CHECK(missing == 0);
}
