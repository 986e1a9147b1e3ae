// The commit packets through the storage's handlers (fake peers, a real
// StorageApp and database): a client stores and votes, the master locks,
// a load of the locked object is answered only after the unlock, with the
// request's msg id; bad stores get Error PROTOCOL_ERROR and a close.
#include <algorithm>
#include <asio/io_context.hpp>
#include <catch2/catch.hpp>

#include "nodes/storage/database/database_logic.hpp"
#include "nodes/storage/master_handler.hpp"
#include "nodes/storage/peer_handlers.hpp"
#include "nodes/storage/storage_app.hpp"
#include "tests/support/fake_peer.hpp"
#include "tests/unit/storage/operational_storage.hpp"
#include "tests/unit/storage/storage_node_support.hpp"
#include "tests/unit/storage/storage_test_support.hpp"

namespace protocol = neo::protocol;
using neo::Oid;
using neo::Tid;
using neo::storage::test::Operational;
using neo::test::FakePeer;
using neo::test::frame_of;

namespace {

const neo::NodeId kC1 = neo::make_node_id(2, 1);

protocol::AskStoreObject store_of(Oid oid, Tid ttid, const std::string& data) {
  return {.oid = oid, .checksum = neo::sha1(data), .data = data, .ttid = ttid};
}

}  // namespace

TEST_CASE("a load of an object being committed is answered after the unlock", "[storage][commit]") {
  Operational o;
  neo::storage::OperationHandler client(*o.app, protocol::NodeType::Client);
  neo::storage::MasterHandler master(o.app->state(), *o.app, [](std::error_code) {});
  auto peer = std::make_shared<FakePeer>();
  peer->set_nid(kC1);
  auto mpeer = std::make_shared<FakePeer>();
  const Oid oid{1};
  const Tid ttid{0x1000}, tid{0x1002};

  o.deliver(client, *peer, frame_of(store_of(oid, ttid, "hello"), 10));
  REQUIRE(peer->last_sent<protocol::AnswerStoreObject>());
  CHECK_FALSE(peer->last_sent<protocol::AnswerStoreObject>()->conflict);
  o.deliver(client, *peer,
            frame_of(protocol::AskStoreTransaction{.ttid = ttid, .oid_list = {oid}}, 11));
  REQUIRE(peer->last_sent<protocol::AnswerStoreTransaction>());
  o.deliver(master, *mpeer, frame_of(protocol::AskLockInformation{ttid, tid, false}, 12));
  REQUIRE(mpeer->last_sent<protocol::AnswerInformationLocked>());
  CHECK(mpeer->last_sent<protocol::AnswerInformationLocked>()->ttid == ttid);

  const std::size_t before = peer->sent.size();
  o.deliver(client, *peer, frame_of(protocol::AskObject{.oid = oid}, 13));
  CHECK(peer->sent.size() == before);  // delayed, not refused
  o.deliver(master, *mpeer, frame_of(protocol::NotifyUnlockInformation{ttid}, 14));
  REQUIRE(peer->sent.size() == before + 1);
  CHECK(peer->sent.back().msg_id == 13);
  auto answer = peer->last_sent<protocol::AnswerObject>();
  REQUIRE(answer);
  CHECK(answer->serial == tid);
  CHECK(answer->data == "hello");
}

TEST_CASE("transaction lists wait for a locked transaction, undo serials too",
          "[storage][commit]") {
  Operational o;
  neo::storage::OperationHandler client(*o.app, protocol::NodeType::Client);
  neo::storage::MasterHandler master(o.app->state(), *o.app, [](std::error_code) {});
  auto peer = std::make_shared<FakePeer>();
  peer->set_nid(kC1);
  auto mpeer = std::make_shared<FakePeer>();
  const Oid oid{1};
  const Tid ttid{0x1000}, tid{0x1002};
  o.deliver(client, *peer, frame_of(store_of(oid, ttid, "hello"), 10));
  o.deliver(client, *peer,
            frame_of(protocol::AskStoreTransaction{.ttid = ttid, .oid_list = {oid}}, 11));
  o.deliver(master, *mpeer, frame_of(protocol::AskLockInformation{ttid, tid, false}, 12));
  const std::size_t before = peer->sent.size();
  o.deliver(client, *peer, frame_of(protocol::AskTIDs{0, 10, 0xffffffff}, 13));
  o.deliver(client, *peer,
            frame_of(protocol::AskObjectUndoSerial{Tid{0x2000}, Tid{0x2000}, tid, {oid}}, 14));
  CHECK(peer->sent.size() == before);
  o.deliver(master, *mpeer, frame_of(protocol::NotifyUnlockInformation{ttid}, 15));
  REQUIRE(peer->sent.size() == before + 2);
  CHECK(peer->sent[before].msg_id == 13);
  auto tids = protocol::decode_args<protocol::AnswerTIDs>(peer->sent[before].args);
  REQUIRE(tids);
  CHECK(tids->tid_list == std::vector<Tid>{tid});
  CHECK(peer->sent[before + 1].msg_id == 14);
  auto undo = peer->last_sent<protocol::AnswerObjectUndoSerial>();
  REQUIRE(undo);
  REQUIRE(undo->object_tid_dict.size() == 1);
  CHECK(undo->object_tid_dict[0].second.is_current);
}

TEST_CASE("votes and locks handled together share one commit, answered only after it",
          "[storage][commit]") {
  Operational o;
  neo::storage::OperationHandler client(*o.app, protocol::NodeType::Client);
  neo::storage::MasterHandler master(o.app->state(), *o.app, [](std::error_code) {});
  auto mpeer = std::make_shared<FakePeer>();
  const Tid ttids[] = {Tid{0x1000}, Tid{0x2000}};
  std::vector<std::shared_ptr<FakePeer>> peers;
  for (Tid ttid : ttids) {
    auto& peer = peers.emplace_back(std::make_shared<FakePeer>());
    peer->set_nid(neo::make_node_id(2, static_cast<std::uint32_t>(peers.size())));
    o.deliver(client, *peer, frame_of(store_of(Oid{ttid.value}, ttid, "data")));
  }
  // What another connection reads: (voted, locked) transactions.
  const auto on_disk = [path = o.dir.file("s.db")] {
    return neo::storage::test::sql_rows(path, "SELECT COUNT(*), COUNT(tid) FROM ttrans")[0];
  };
  const auto answers = [](const FakePeer& peer, std::uint16_t code) {
    return std::count_if(peer.sent.begin(), peer.sent.end(),
                         [&](const auto& frame) { return frame.code == code; });
  };

  // Both votes in one round of events: nothing answered before the commit.
  for (std::size_t i = 0; i < 2; ++i)
    client.on_packet(*peers[i], frame_of(protocol::AskStoreTransaction{.ttid = ttids[i]}));
  for (const auto& peer : peers)
    CHECK(answers(*peer, protocol::AnswerStoreTransaction::kCode) == 0);
  CHECK(on_disk() == std::vector<std::string>{"0", "0"});
  o.run_posted();
  for (const auto& peer : peers)
    CHECK(answers(*peer, protocol::AnswerStoreTransaction::kCode) == 1);
  CHECK(on_disk() == std::vector<std::string>{"2", "0"});

  // Both locks in one round.
  master.on_packet(*mpeer, frame_of(protocol::AskLockInformation{ttids[0], Tid{0x2001}, false}));
  master.on_packet(*mpeer, frame_of(protocol::AskLockInformation{ttids[1], Tid{0x2002}, false}));
  CHECK(answers(*mpeer, protocol::AnswerInformationLocked::kCode) == 0);
  CHECK(on_disk() == std::vector<std::string>{"2", "0"});
  o.run_posted();
  CHECK(answers(*mpeer, protocol::AnswerInformationLocked::kCode) == 2);
  CHECK(on_disk() == std::vector<std::string>{"2", "2"});
}

TEST_CASE("a store for a transaction never begun is kept only until its client goes away",
          "[storage][commit]") {
  Operational o;
  neo::storage::OperationHandler client(*o.app, protocol::NodeType::Client);
  auto peer = std::make_shared<FakePeer>();
  peer->set_nid(kC1);
  const Tid never_begun{0x5000};
  // As NEO/py: a storage does not know which TTIDs the master gave out.
  o.deliver(client, *peer, frame_of(store_of(Oid{7}, never_begun, "orphan")));
  REQUIRE(peer->last_sent<protocol::AnswerStoreObject>());
  CHECK_FALSE(peer->last_sent<protocol::AnswerStoreObject>()->conflict);
  CHECK(o.app->state().tm().has_transaction(never_begun));
  CHECK(o.app->state().db().load(Oid{7}, std::nullopt, std::nullopt).error() ==
        neo::errc::oid_does_not_exist);
  const std::string path = o.dir.file("s.db");
  REQUIRE_FALSE(o.app->state().db().commit());
  CHECK(neo::storage::test::sql_rows(path, "SELECT COUNT(*) FROM data")[0][0] == "1");

  client.on_closed(*peer, {});
  CHECK_FALSE(o.app->state().tm().has_transaction(never_begun));
  REQUIRE_FALSE(o.app->state().db().commit());
  CHECK(neo::storage::test::sql_rows(path, "SELECT COUNT(*) FROM data")[0][0] == "0");
  CHECK(neo::storage::test::sql_rows(path, "SELECT COUNT(*) FROM tobj")[0][0] == "0");
}

TEST_CASE("bad commit packets get Error PROTOCOL_ERROR and a close", "[storage][commit]") {
  Operational o;
  neo::storage::OperationHandler client(*o.app, protocol::NodeType::Client);
  auto peer = std::make_shared<FakePeer>();
  peer->set_nid(kC1);
  SECTION("checksum mismatch") {
    auto store = store_of(Oid{1}, Tid{0x1000}, "hello");
    store.data = "hellO";
    o.deliver(client, *peer, frame_of(store));
    auto error = peer->last_sent<protocol::Error>();
    REQUIRE(error);
    CHECK(error->message == "invalid checksum");
    CHECK(peer->aborted);
    CHECK(o.app->state().db().load(Oid{1}, std::nullopt, std::nullopt).error() ==
          neo::errc::oid_does_not_exist);
  }
  SECTION("vote without stores") {
    o.deliver(client, *peer, frame_of(protocol::AskVoteTransaction{Tid{0x1000}}));
    auto error = peer->last_sent<protocol::Error>();
    REQUIRE(error);
    CHECK(error->message == "unknown ttid 0000000000001000");
    CHECK(peer->aborted);
  }
}

TEST_CASE("the master's lock of an unknown transaction is a protocol error", "[storage][commit]") {
  Operational o;
  neo::storage::MasterHandler master(o.app->state(), *o.app, [](std::error_code) {});
  auto mpeer = std::make_shared<FakePeer>();
  o.deliver(master, *mpeer,
            frame_of(protocol::AskLockInformation{Tid{0x1000}, Tid{0x1002}, false}));
  REQUIRE(mpeer->last_sent<protocol::Error>());
  CHECK(mpeer->aborted);
}

namespace {

// Two revisions (tids 0x1002, 0x2002) of oids 1..`objects`, then a
// transaction (tid 0x3002) carrying a full pack order at the second one,
// signed by the master; returns the pack id (0x3002).
Tid signed_pack_of_two_revisions(neo::storage::StorageState& state, std::uint64_t objects) {
  neo::storage::TransactionManager& tm = state.tm();
  neo::storage::TransactionManager::Origin client{kC1, {}};
  std::string message;
  const Tid t1{0x1000}, tid1{0x1002}, t2{0x2000}, tid2{0x2002}, t3{0x3000}, tid3{0x3002};
  for (auto [ttid, tid] : {std::pair{t1, tid1}, std::pair{t2, tid2}}) {
    std::vector<Oid> oids;
    for (std::uint64_t i = 1; i <= objects; ++i) {
      auto store = store_of(Oid{i}, ttid, "r" + std::to_string(ttid.value));
      store.serial = ttid == t1 ? Tid{} : tid1;
      tm.store_object(client, store, [](auto r, const std::string&) { REQUIRE(r); });
      oids.push_back(Oid{i});
    }
    REQUIRE_FALSE(tm.store_transaction(client, {.ttid = ttid, .oid_list = oids}, message));
    REQUIRE_FALSE(tm.lock(ttid, tid, false, message));
    REQUIRE_FALSE(tm.unlock(ttid, message));
  }
  REQUIRE_FALSE(tm.store_transaction(
      client, {.ttid = t3, .pack = protocol::PackRequest{std::nullopt, tid2}}, message));
  REQUIRE_FALSE(tm.lock(t3, tid3, true, message));
  REQUIRE_FALSE(tm.unlock(t3, message));
  REQUIRE_FALSE(state.db().commit());
  CHECK(state.db().object_history(Oid{1}, 0, 10)->size() == 2);
  REQUIRE(state.pack_signed({.approved = {tid3}}));
  return tid3;
}

// The pack order the storage is to apply next, as the master would answer.
protocol::PackOrder next_pack_order(neo::storage::StorageState& state) {
  auto next = state.next_pack();
  REQUIRE(next);
  REQUIRE(*next);
  auto orders = state.pack_orders(**next);
  REQUIRE(orders);
  REQUIRE_FALSE(orders->pack_list.empty());
  return orders->pack_list.front();
}

// No pack order left, and `pack_id` is the new completed one to report.
void check_all_packed(neo::storage::StorageState& state, Tid pack_id) {
  auto again = state.next_pack();
  REQUIRE(again);
  CHECK_FALSE(*again);
  auto completed = state.pack_completed();
  REQUIRE(completed);
  CHECK(*completed == pack_id);
}

}  // namespace

TEST_CASE("a signed pack order is applied to own partitions and reported completed",
          "[storage][commit]") {
  Operational o;
  neo::storage::StorageState& state = o.app->state();
  const Oid oid{1};
  const Tid tid3 = signed_pack_of_two_revisions(state, 1);
  const protocol::PackOrder order = next_pack_order(state);
  CHECK(order.pack_id == tid3);
  auto job = state.start_pack(order);
  REQUIRE(job);
  REQUIRE(*job);  // own partitions to pack
  bool done = false;
  for (int steps = 0; !done && steps < 100; ++steps) {
    auto step = state.pack_step(**job);
    REQUIRE(step);
    done = *step;
  }
  CHECK(done);
  CHECK(state.db().object_history(oid, 0, 10)->size() == 1);
  check_all_packed(state, tid3);
}

TEST_CASE("a pack goes by chunks of oids, each a step of its own", "[storage][commit]") {
  Operational o;
  neo::storage::StorageState& state = o.app->state();
  constexpr std::uint64_t kObjects = 2500;  // over two chunks of 1000 in some partition
  const Tid tid3 = signed_pack_of_two_revisions(state, kObjects);

  auto job = state.start_pack(next_pack_order(state));
  REQUIRE(job);
  REQUIRE(*job);
  const std::size_t partitions = (*job)->partitions.size();  // all of them: one storage
  REQUIRE(partitions >= 1);
  const std::uint32_t first = (*job)->partitions.front();
  const Oid first_oid{first == 0 ? partitions : first};  // the first partition's lowest oid
  int steps = 0;
  for (bool done = false; !done && steps < 100; ++steps) {
    auto step = state.pack_step(**job);
    REQUIRE(step);
    done = *step;
    if (!done && steps == 0)  // between steps: loads are served, the first chunk is packed
      CHECK(state.db().object_history(first_oid, 0, 10)->size() == 1);
  }
  // 2500 oids over `partitions` partitions of 1000-oid chunks: more steps than partitions.
  CHECK(steps > static_cast<int>(partitions));
  CHECK(steps < 100);
  for (std::uint64_t i : {std::uint64_t{1}, std::uint64_t{1234}, kObjects})
    CHECK(state.db().object_history(Oid{i}, 0, 10)->size() == 1);
  check_all_packed(state, tid3);
}
