// Tests of ClientState (nodes/client/client_state.cpp, client_reads.cpp,
// client_handlers.cpp) with a fake master and fake storages: readiness,
// loads and the cache, invalidations, reads retried on another cell, and
// malformed or unexpected packets.
#include <catch2/catch.hpp>

#include "core/util/record_data.hpp"
#include "tests/unit/client/client_fixture.hpp"

using namespace neo;
using namespace neo::protocol;
using neo::test::Captured;
using neo::test::ClientFixture;
using neo::test::frame_of;
using neo::test::kS1;
using neo::test::kS2;

namespace {

constexpr Oid O1{1};

AnswerObject revision(Oid oid, Tid serial, std::optional<Tid> next, const std::string& data) {
  return AnswerObject{.oid = oid,
                      .serial = serial,
                      .next_serial = next,
                      .compression = 0,
                      .checksum = sha1(data),
                      .data = data,
                      .data_serial = std::nullopt};
}

// The storage a read went to (the one with an unanswered AskObject).
test::FakePeer* asked(ClientFixture& f) {
  for (auto& [nid, peer] : f.env.storages)
    for (const auto& sent : peer->sent)
      if (sent.code == AskObject::kCode && peer->callbacks.count(sent.msg_id)) return peer.get();
  return nullptr;
}

}  // namespace

TEST_CASE(
    "client state: ready once the master sent the last TID, nodes and "
    "partition table",
    "[client][state]") {
  ClientFixture f;
  CHECK(f.state.ready());
  CHECK(f.state.nid() == test::kC1);
  CHECK(f.state.last_tid() == Tid{100});
  CHECK(f.state.pt().num_partitions() == 1);
  CHECK(f.master->nid() == test::kM1);

  SECTION("a lost master: not ready, calls wait for the next one") {
    f.master->close(make_error_code(errc::connection_closed));
    CHECK_FALSE(f.state.ready());
    std::optional<std::error_code> ready;
    f.state.when_ready([&](std::error_code ec) { ready = ec; });
    CHECK_FALSE(ready);
    f.connect_master(Tid{100});
    REQUIRE(ready);
    CHECK(*ready == std::error_code{});
  }
  SECTION("without a master, calls that need one fail instead of crashing") {
    f.master->close(make_error_code(errc::connection_closed));
    std::vector<std::error_code> failed;
    f.state.begin({}, std::nullopt, [&](Result<Tid> r) { failed.push_back(r.error()); });
    f.state.new_oid([&](Result<neo::Oid> r) { failed.push_back(r.error()); });
    f.state.last_transaction([&](Result<Tid> r) { failed.push_back(r.error()); });
    CHECK(failed == std::vector<std::error_code>(3, make_error_code(errc::connection_closed)));
  }
  SECTION("oids of a lost master are not used: the next one is asked") {
    std::vector<neo::Oid> got;
    auto take = [&](Result<neo::Oid> r) { got.push_back(*r); };
    f.state.new_oid(take);
    REQUIRE(f.master->reply<AskNewOIDs>(AnswerNewOIDs{{neo::Oid{5}, neo::Oid{6}}}));
    f.master->close(make_error_code(errc::connection_closed));
    f.connect_master(Tid{100});
    f.state.new_oid(take);
    REQUIRE(f.master->reply<AskNewOIDs>(AnswerNewOIDs{{neo::Oid{5}}}));
    CHECK(got == std::vector<neo::Oid>{neo::Oid{5}, neo::Oid{5}});  // not 6 from the old one
  }
  SECTION("refused by the master: waiting calls fail") {
    f.master->close(make_error_code(errc::connection_closed));
    std::optional<std::error_code> ready;
    f.state.when_ready([&](std::error_code ec) { ready = ec; });
    f.state.refused(make_error_code(errc::protocol_error));
    CHECK(ready == make_error_code(errc::protocol_error));
  }
  SECTION("the identification to a master") {
    const RequestIdentification request = f.state.master_identification();
    CHECK(request.node_type == NodeType::Client);
    CHECK(request.nid == test::kC1);
    CHECK(request.name == "test");
    CHECK(request.extra.empty());
  }
}

TEST_CASE("client state: a load asks a readable cell, then comes from the cache",
          "[client][state]") {
  ClientFixture f;
  Captured<client::Record> record;
  f.state.load(O1, std::nullopt, std::nullopt, record.reply());
  REQUIRE(f.env.connects.size() == 1);  // one cell is enough
  f.accept_storages();
  test::FakePeer* storage = asked(f);
  REQUIRE(storage);
  auto ask = storage->last<AskObject>();
  REQUIRE(ask);
  CHECK(ask->oid == O1);
  CHECK_FALSE(ask->at);
  CHECK(ask->before == Tid{101});  // the latest this client may know of
  REQUIRE(storage->reply<AskObject>(revision(O1, Tid{50}, std::nullopt, "fifty")));
  REQUIRE(record.value);
  CHECK((*record.value)->data == "fifty");
  CHECK((*record.value)->serial == Tid{50});

  Captured<client::Record> again;
  f.state.load(O1, std::nullopt, std::nullopt, again.reply());
  CHECK((*again.value)->data == "fifty");
  CHECK(f.state.cache_stats().hits == 1);
  CHECK(f.state.cache_stats().misses == 1);
}

TEST_CASE("client state: a cell failing a read is replaced by the other one", "[client][state]") {
  ClientFixture f;
  Captured<client::Record> record;
  f.state.load(O1, std::nullopt, std::nullopt, record.reply());
  f.accept_storages();
  test::FakePeer* first = asked(f);
  REQUIRE(first);
  SECTION("a wrong checksum") {
    AnswerObject bad = revision(O1, Tid{50}, std::nullopt, "fifty");
    bad.data = "corrupted";
    REQUIRE(first->reply<AskObject>(bad));
  }
  SECTION("a lost connection") { first->close(make_error_code(errc::connection_closed)); }
  CHECK_FALSE(record.value);
  REQUIRE(f.env.connects.size() == 2);
  f.accept_storages();
  test::FakePeer* second = asked(f);
  REQUIRE(second);
  CHECK(second != first);
  REQUIRE(second->reply<AskObject>(revision(O1, Tid{50}, std::nullopt, "fifty")));
  CHECK((*record.value)->data == "fifty");
}

TEST_CASE("client state: invalidations end cached revisions", "[client][state]") {
  ClientFixture f;
  std::vector<std::pair<Tid, std::vector<Oid>>> seen;
  f.state.set_invalidation([&](Tid tid, std::span<const Oid> oids) {
    seen.emplace_back(tid, std::vector<Oid>(oids.begin(), oids.end()));
  });
  Captured<client::Record> record;
  f.state.load(O1, std::nullopt, std::nullopt, record.reply());
  f.accept_storages();
  test::FakePeer* storage = asked(f);
  REQUIRE(storage);

  SECTION("after the load") {
    REQUIRE(storage->reply<AskObject>(revision(O1, Tid{50}, std::nullopt, "fifty")));
    f.from_master(InvalidateObjects{Tid{150}, {O1}});
  }
  SECTION("while the load is on its way: the revision is cached as ended") {
    f.from_master(InvalidateObjects{Tid{150}, {O1}});
    REQUIRE(storage->reply<AskObject>(revision(O1, Tid{50}, std::nullopt, "fifty")));
    CHECK((*record.value)->next_serial == Tid{150});
  }
  REQUIRE(seen.size() == 1);
  CHECK(seen[0].first == Tid{150});
  CHECK(seen[0].second == std::vector<Oid>{O1});
  CHECK(f.state.last_tid() == Tid{150});

  // The revision valid until 150 is still cached for loads before 150...
  Captured<client::Record> before;
  f.state.load(O1, std::nullopt, Tid{150}, before.reply());
  REQUIRE(before.value);
  CHECK((*before.value)->serial == Tid{50});
  CHECK((*before.value)->next_serial == Tid{150});
  CHECK(f.state.cache_stats().hits == 1);
  // ...but the current one must be asked again.
  Captured<client::Record> current;
  f.state.load(O1, std::nullopt, std::nullopt, current.reply());
  CHECK_FALSE(current.value);
  f.accept_storages();
  test::FakePeer* again = asked(f);
  REQUIRE(again);
  CHECK(again->last<AskObject>()->before == Tid{151});
  CHECK(f.state.cache_stats().misses == 2);
}

TEST_CASE("client state: a reconnection with a new last TID empties the cache", "[client][state]") {
  ClientFixture f;
  Captured<client::Record> record;
  f.state.load(O1, std::nullopt, std::nullopt, record.reply());
  f.accept_storages();
  REQUIRE(asked(f)->reply<AskObject>(revision(O1, Tid{50}, std::nullopt, "fifty")));
  REQUIRE(f.state.cache_stats().records == 1);
  std::vector<Tid> resets;  // what the application is told
  f.state.set_cache_reset([&](Tid last) { resets.push_back(last); });
  f.master->close(make_error_code(errc::connection_closed));
  SECTION("nothing committed meanwhile: kept") {
    f.connect_master(Tid{100});
    CHECK(f.state.cache_stats().records == 1);
    CHECK(resets.empty());
  }
  SECTION("invalidations missed: dropped") {
    f.connect_master(Tid{120});
    CHECK(f.state.cache_stats().records == 0);
    CHECK(resets == std::vector<Tid>{Tid{120}});
  }
}

TEST_CASE("client state: malformed and unexpected packets get Error and an abort",
          "[client][state]") {
  ClientFixture f;
  SECTION("a malformed notification from the master") {
    f.master_frame(Frame{7, NotifyNodeInformation::kCode, "\xc1"});
    auto error = f.master->last_sent<Error>();
    REQUIRE(error);
    CHECK(error->code == static_cast<std::int64_t>(errc::protocol_error));
    CHECK(error->message.find("NotifyNodeInformation") != std::string::npos);
    CHECK(f.master->aborted);
  }
  SECTION("an unexpected packet from the master") {
    f.from_master(AskObject{O1, std::nullopt, std::nullopt});
    auto error = f.master->last_sent<Error>();
    REQUIRE(error);
    CHECK(error->message == "unexpected packet: AskObject in PrimaryNotificationsHandler");
    CHECK(f.master->aborted);
  }
  SECTION("a node list the client cannot apply closes the master connection") {
    f.from_master(NotifyNodeInformation{.timestamp = 0, .node_list = {}});  // not newer
    CHECK(f.master->aborted);
  }
  SECTION("the master's pings are answered") {
    f.master_frame(frame_of(Ping{}, 9));
    CHECK(f.master->last_sent<Pong>());
    CHECK(f.master->sent.back().msg_id == 9);
    CHECK_FALSE(f.master->aborted);
  }

  Captured<client::Record> record;
  f.state.load(O1, std::nullopt, std::nullopt, record.reply());
  f.accept_storages();
  test::FakePeer* storage = asked(f);
  REQUIRE(storage);
  const NodeId nid = *storage->nid();
  SECTION("a malformed notification from a storage") {
    f.storage_frame(nid, Frame{7, NotifyDeadlock::kCode, "\x92\xc1"});
    auto error = storage->last_sent<Error>();
    REQUIRE(error);
    CHECK(error->code == static_cast<std::int64_t>(errc::protocol_error));
    CHECK(error->message.find("NotifyDeadlock") != std::string::npos);
    CHECK(storage->aborted);
  }
  SECTION("an unexpected packet from a storage") {
    f.from_storage(nid, InvalidateObjects{Tid{150}, {O1}});
    auto error = storage->last_sent<Error>();
    REQUIRE(error);
    CHECK(error->message == "unexpected packet: InvalidateObjects in StorageEventHandler");
    CHECK(storage->aborted);
    CHECK(f.state.last_tid() == Tid{100});  // not applied
  }
}
