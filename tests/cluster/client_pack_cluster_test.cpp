// Cluster tests of Client::pack (include/neo/client.hpp) against our master
// and storages as real processes on 127.0.0.1: old revisions gone from every
// replica once the pack is waited for, the pack TID bounded by the last
// transaction, ZERO_TID refused.
#include <catch2/catch.hpp>

#include "neo/client.hpp"
#include "tests/cluster/cluster_client.hpp"
#include "tests/cluster/local_cluster.hpp"
#include "tests/support/client_steps.hpp"

using neo::errc;
using neo::Oid;
using neo::Tid;
using neo::client::Client;
using neo::test::commit;
using neo::test::LocalCluster;
using neo::test::new_oids;
using namespace std::chrono_literals;

namespace {

// Two storages, each object on both.
struct Replicated {
  Replicated() : cluster({.replicas = 1, .storages = 2}) {
    cluster.start();
    INFO(cluster.diagnostics());
    REQUIRE(cluster.wait_cluster_state("RUNNING"));
  }
  std::unique_ptr<Client> client() { return neo::test::connect_client(cluster); }
  LocalCluster cluster;
};

// Commits `count` revisions of each of `oids` ("v1/<oid>", "v2/<oid>"...): their tids.
std::vector<Tid> commit_revisions(Client& client, const std::vector<Oid>& oids, int count) {
  std::vector<Tid> tids;
  Tid serial = neo::kZeroTid;
  for (int i = 1; i <= count; ++i)
    tids.push_back(serial = commit(client, oids, serial, "v" + std::to_string(i)));
  return tids;
}

std::string data_of(int revision, Oid oid) {
  return "v" + std::to_string(revision) + "/" + std::to_string(oid.value);
}

}  // namespace

TEST_CASE("a pack removes the revisions older than the one current at the pack TID",
          "[client][pack]") {
  REQUIRE(LocalCluster::daemons_built());
  Replicated running;
  auto client = running.client();
  const auto oids = new_oids(*client, 3);
  const std::vector<Tid> tids = commit_revisions(*client, oids, 4);
  for (Oid oid : oids) REQUIRE(client->load_serial(oid, tids[0]));  // in the cache

  // After the last revision but one, before the last one.
  const Tid pack_tid{tids[2].value + 1};
  REQUIRE(pack_tid < tids[3]);
  INFO(running.cluster.diagnostics());
  REQUIRE(client->pack(pack_tid, true) == std::error_code{});

  auto log = client->undo_log(0, 1);
  REQUIRE(log);
  REQUIRE(log->size() == 1);
  CHECK((*log)[0].description == "IStorage.pack");
  CHECK((*log)[0].tid > tids[3]);
  CHECK((*log)[0].oids.empty());

  auto other = running.client();
  for (Client* reader : {client.get(), other.get()}) {  // the cache was emptied
    for (Oid oid : oids) {
      CHECK(reader->load_serial(oid, tids[0]).error() == errc::oid_not_found);
      CHECK(reader->load_serial(oid, tids[1]).error() == errc::oid_not_found);
      CHECK(reader->load_before(oid, tids[2]).error() == errc::oid_not_found);
      auto kept = reader->load_serial(oid, tids[2]);  // current at the pack TID
      REQUIRE(kept);
      CHECK(kept->data == data_of(3, oid));
      CHECK(kept->next_serial == tids[3]);
      auto latest = reader->load(oid);
      REQUIRE(latest);
      CHECK(latest->data == data_of(4, oid));
      CHECK(latest->serial == tids[3]);
      auto history = reader->history(oid, 10);
      REQUIRE(history);
      CHECK(history->size() == 2);
    }
  }
  // The database goes on: a new revision commits on the latest one.
  const Tid next = commit(*client, oids, tids[3], "v5");
  REQUIRE(other->sync() == std::error_code{});  // the invalidation has reached `other`
  CHECK(other->load(oids[0])->serial == next);
}

TEST_CASE("a pack at a future TID packs at the last transaction; ZERO_TID is refused",
          "[client][pack]") {
  REQUIRE(LocalCluster::daemons_built());
  Replicated running;
  auto client = running.client();
  CHECK(client->pack(Tid{1}, true) == std::error_code{});  // nothing committed: nothing to do
  const auto oids = new_oids(*client, 2);
  const std::vector<Tid> tids = commit_revisions(*client, oids, 3);

  CHECK(client->pack(neo::kZeroTid) == errc::invalid_argument);
  CHECK(client->pack(neo::kZeroTid, true) == errc::invalid_argument);

  INFO(running.cluster.diagnostics());
  REQUIRE(client->pack(neo::kMaxTid, true) == std::error_code{});
  for (Oid oid : oids) {
    CHECK(client->load_serial(oid, tids[0]).error() == errc::oid_not_found);
    CHECK(client->load_serial(oid, tids[1]).error() == errc::oid_not_found);
    auto latest = client->load(oid);
    REQUIRE(latest);
    CHECK(latest->serial == tids[2]);
    CHECK(latest->data == data_of(3, oid));
  }
  // Packing again at the same point, without waiting, is harmless.
  CHECK(client->pack(tids[2]) == std::error_code{});
  CHECK(client->load(oids[1])->serial == tids[2]);
}
