// Our C++ client library (include/neo/client.hpp) against an upstream NEO/py
// cluster: master and SQLite storages of NEO/py, plain TCP and TLS; a pack.
// Skipped (exit 77) without NEO_PEER_PYTHONPATH.
#include <catch2/catch.hpp>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "neo/client.hpp"
#include "tests/interop/upstream_cluster.hpp"
#include "tests/net/test_certs.hpp"
#include "tests/support/client_steps.hpp"

using neo::errc;
using neo::Oid;
using neo::Tid;
using neo::client::Client;
using neo::interop::UpstreamCluster;
using neo::test::begin;
using neo::test::commit;
using neo::test::new_oids;
using namespace std::chrono_literals;

namespace {

std::unique_ptr<Client> connect(const UpstreamCluster& cluster,
                                const std::optional<neo::net::TlsFiles>& tls = std::nullopt) {
  neo::client::Options options;
  options.masters = {neo::net::to_string(cluster.master())};
  options.cluster = cluster.name();
  options.timeout = 60s;  // the upstream cluster may still be starting
  if (tls) {
    options.ca = tls->ca;
    options.cert = tls->cert;
    options.key = tls->key;
  }
  auto client = Client::connect(options);
  INFO((client ? "" : client.error().message()) << cluster.diagnostics());
  REQUIRE(client);
  return std::move(*client);
}

// Commits, loads (latest, before, serial), conflicts, readCurrent,
// invalidations, history, undo log, iteration and undo between two clients.
void exercise(Client& a, Client& b) {
  std::mutex mutex;
  std::vector<Tid> invalidated;
  b.on_invalidation([&](Tid tid, std::span<const Oid>) {
    std::lock_guard lock(mutex);
    invalidated.push_back(tid);
  });
  const auto oids = new_oids(a, 20);
  const std::string big(5000, 'z');  // compressible: stored with zlib
  const Tid t1 = commit(a, oids, neo::kZeroTid, big);
  REQUIRE(b.sync() == std::error_code{});
  for (Oid oid : oids) {
    auto record = b.load(oid);
    REQUIRE(record);
    CHECK(record->serial == t1);
    CHECK(record->data == big + "/" + std::to_string(oid.value));
  }

  const Tid t2 = commit(a, {oids[0]}, t1, "two");
  REQUIRE(b.sync() == std::error_code{});
  {
    std::lock_guard lock(mutex);
    CHECK(std::count(invalidated.begin(), invalidated.end(), t2) == 1);
  }
  CHECK(b.load(oids[0])->data == "two/" + std::to_string(oids[0].value));
  auto before = b.load_before(oids[0], t2);
  REQUIRE(before);
  CHECK(before->serial == t1);
  CHECK(before->next_serial == t2);
  CHECK(b.load_serial(oids[0], t1)->serial == t1);
  CHECK(b.load(Oid{1u << 30}).error() == errc::oid_does_not_exist);

  // A write conflict, resolved by storing again on the committed serial.
  auto txn = begin(b);
  const Tid t3 = commit(a, {oids[1]}, t1, "from a");
  txn->store(oids[1], t1, "from b");
  CHECK(txn->vote() == errc::conflict);
  REQUIRE(txn->conflicts().size() == 1);
  CHECK(txn->conflicts()[0].committed == t3);
  txn->store(oids[1], t3, "resolved");
  auto t4 = txn->finish();
  REQUIRE(t4);
  CHECK(a.load_serial(oids[1], *t4)->data == "resolved");

  // readCurrent on an object changed since.
  auto reader = begin(b);
  reader->check_current_serial(oids[0], t1);
  reader->store(oids[2], t1, "depends on oids[0]");
  CHECK(reader->vote() == errc::read_conflict);
  reader->abort();

  auto history = a.history(oids[0], 10);
  REQUIRE(history);
  REQUIRE(history->size() == 2);
  CHECK((*history)[0].serial == t2);
  auto log = a.undo_log(0, 3);
  REQUIRE(log);
  REQUIRE(log->size() == 3);
  CHECK((*log)[0].tid == *t4);
  CHECK((*log)[0].user == "test");
  auto all = a.transactions(t1, neo::kMaxTid, 100);
  REQUIRE(all);
  CHECK(all->size() == 4);

  auto undo = begin(a);
  REQUIRE(undo->undo(t2) == std::error_code{});
  const auto undone = undo->finish();
  REQUIRE(undone);
  REQUIRE(b.sync() == std::error_code{});
  CHECK(b.load(oids[0])->data == big + "/" + std::to_string(oids[0].value));
}

}  // namespace

TEST_CASE("our client commits and reads on an upstream cluster", "[interop][client]") {
  UpstreamCluster cluster(UpstreamCluster::Options{});
  auto a = connect(cluster);
  auto b = connect(cluster);
  exercise(*a, *b);
  CHECK(cluster.alive());
}

TEST_CASE("our client on an upstream cluster of 2 storages with replicas", "[interop][client]") {
  UpstreamCluster cluster(UpstreamCluster::Options{.replicas = 1, .storages = 2, .autostart = 2});
  auto a = connect(cluster);
  auto b = connect(cluster);
  exercise(*a, *b);
  CHECK(cluster.alive());
}

TEST_CASE("our client on an upstream cluster over TLS", "[interop][client][tls]") {
  neo::net::test::TestPki pki;
  pki.make_ca("ca");
  pki.make_cert("ca", "master");
  pki.make_cert("ca", "storage");
  pki.make_cert("ca", "client");
  UpstreamCluster::Options options;
  options.master_tls = pki.files("ca", "master");
  options.storage_tls = pki.files("ca", "storage");
  UpstreamCluster cluster(options);
  auto a = connect(cluster, pki.files("ca", "client"));
  auto b = connect(cluster, pki.files("ca", "client"));
  exercise(*a, *b);
  CHECK(cluster.alive());
}

TEST_CASE("our client packs an upstream cluster of 2 storages with replicas",
          "[interop][client][pack]") {
  UpstreamCluster cluster(UpstreamCluster::Options{.replicas = 1, .storages = 2, .autostart = 2});
  auto a = connect(cluster);
  const auto oids = new_oids(*a, 3);
  std::vector<Tid> tids;
  for (const char* data : {"v1", "v2", "v3"})
    tids.push_back(commit(*a, oids, tids.empty() ? neo::kZeroTid : tids.back(), data));
  CHECK(a->pack(neo::kZeroTid) == errc::invalid_argument);
  // After the last revision but one: the first revisions go, on both storages.
  INFO(cluster.diagnostics());
  REQUIRE(a->pack(Tid{tids[1].value + 1}, true) == std::error_code{});
  auto log = a->undo_log(0, 1);
  REQUIRE(log);
  REQUIRE(log->size() == 1);
  CHECK((*log)[0].description == "IStorage.pack");
  auto b = connect(cluster);
  for (Client* reader : {a.get(), b.get()}) {
    for (Oid oid : oids) {
      CHECK(reader->load_serial(oid, tids[0]).error() == errc::oid_not_found);
      CHECK(reader->load_serial(oid, tids[1])->data == "v2/" + std::to_string(oid.value));
      CHECK(reader->load(oid)->serial == tids[2]);
    }
  }
  // In the future: at the last transaction (the pack's own).
  REQUIRE(a->pack(neo::kMaxTid, true) == std::error_code{});
  for (Oid oid : oids) {
    CHECK(a->load_serial(oid, tids[1]).error() == errc::oid_not_found);
    CHECK(a->load(oid)->data == "v3/" + std::to_string(oid.value));
  }
  CHECK(cluster.alive());
}
