// Tests of ClientState's two-phase commit (nodes/client/client_commit.cpp,
// client_finish.cpp) with a fake master and fake storages: stores to every
// cell, conflicts, readCurrent, deadlock avoidance, a storage lost during
// the vote, the master lost during the finish.
#include <catch2/catch.hpp>

#include "core/util/record_data.hpp"
#include "tests/unit/client/client_fixture.hpp"

using namespace neo;
using namespace neo::protocol;
using neo::client::make_store;
using neo::test::Captured;
using neo::test::CapturedVote;
using neo::test::ClientFixture;
using neo::test::kS1;
using neo::test::kS2;

namespace {

constexpr Oid O1{1}, O2{2};
constexpr Tid kTtid{200};

// A transaction storing O1 = "one" and O2 = "two" (new objects), the
// storages identified, the stores sent and not answered yet.
Tid store_two(ClientFixture& f) {
  const Tid ttid = f.begin(kTtid);
  f.state.store(ttid, make_store(O1, kZeroTid, std::string("one"), false));
  f.state.store(ttid, make_store(O2, kZeroTid, std::string("two"), false));
  f.accept_storages();
  return ttid;
}

// The same, the stores accepted and the vote done.
Tid voted_two(ClientFixture& f) {
  const Tid ttid = store_two(f);
  REQUIRE(f.answer_all<AskStoreObject>(AnswerStoreObject{}) == 4);
  CapturedVote vote;
  f.state.vote(ttid, vote.reply());
  REQUIRE(f.answer_all<AskStoreTransaction>(AnswerStoreTransaction{}) == 2);
  REQUIRE(vote.ec == std::error_code{});
  return ttid;
}

}  // namespace

TEST_CASE("client commit: 2 objects stored on both replicas, voted, finished, cached",
          "[client][commit]") {
  ClientFixture f;
  REQUIRE(f.state.ready());
  const Tid ttid = store_two(f);

  // One connection per storage, identified as this client.
  CHECK(f.env.connects.size() == 2);
  for (NodeId nid : {kS1, kS2}) {
    auto request = f.storage(nid).last<RequestIdentification>();
    REQUIRE(request);
    CHECK(request->node_type == NodeType::Client);
    CHECK(request->nid == test::kC1);
    CHECK(request->name == "test");
    const auto stores = f.storage(nid).all<AskStoreObject>();
    REQUIRE(stores.size() == 2);
    CHECK(stores[0].oid == O1);
    CHECK(stores[0].ttid == ttid);
    CHECK(stores[0].serial == kZeroTid);
    CHECK(stores[0].data == "one");
    CHECK(stores[0].checksum == sha1("one"));
    CHECK(stores[1].oid == O2);
    CHECK(stores[1].data == "two");
  }

  // The vote waits for the stores' answers.
  CapturedVote vote;
  f.state.vote(ttid, vote.reply());
  CHECK_FALSE(vote.ec);
  CHECK_FALSE(f.storage(kS1).last<AskStoreTransaction>());
  CHECK(f.answer_all<AskStoreObject>(AnswerStoreObject{}) == 4);
  CHECK_FALSE(vote.ec);
  for (NodeId nid : {kS1, kS2}) {
    auto metadata = f.storage(nid).last<AskStoreTransaction>();
    REQUIRE(metadata);
    CHECK(metadata->ttid == ttid);
    CHECK(metadata->user == "user");
    CHECK(metadata->description == "description");
    CHECK(metadata->oid_list == std::vector<Oid>{O1, O2});
  }
  CHECK(f.answer_all<AskStoreTransaction>(AnswerStoreTransaction{}) == 2);
  REQUIRE(vote.ec == std::error_code{});
  CHECK(vote.conflicts.empty());

  Captured<Tid> finished;
  f.state.finish(ttid, finished.reply());
  auto finish = f.master->last<AskFinishTransaction>();
  REQUIRE(finish);
  CHECK(finish->ttid == ttid);
  CHECK(finish->oid_list == std::vector<Oid>{O1, O2});
  CHECK(finish->deleted.empty());
  CHECK(finish->checked.empty());
  REQUIRE(f.master->reply<AskFinishTransaction>(AnswerTransactionFinished{ttid, Tid{300}}));
  REQUIRE(finished.value);
  CHECK(finished.value->value() == Tid{300});
  CHECK(f.state.last_tid() == Tid{300});
  CHECK_FALSE(f.state.has_transaction(ttid));

  // Both objects are read back from the cache: no AskObject.
  for (auto [oid, data] : {std::pair{O1, "one"}, std::pair{O2, "two"}}) {
    Captured<client::Record> record;
    f.state.load(oid, std::nullopt, std::nullopt, record.reply());
    REQUIRE(record.value);
    REQUIRE(record.value->has_value());
    CHECK((*record.value)->data == data);
    CHECK((*record.value)->serial == Tid{300});
  }
  CHECK(f.state.cache_stats().hits == 2);
  CHECK(f.state.cache_stats().misses == 0);
  CHECK_FALSE(f.storage(kS1).last<AskObject>());
  CHECK_FALSE(f.storage(kS2).last<AskObject>());
}

TEST_CASE("client commit: a conflicting serial fails the vote with a Conflict",
          "[client][commit]") {
  ClientFixture f;
  const Tid ttid = f.begin(kTtid);
  f.state.store(ttid, make_store(O1, Tid{50}, std::string("new"), false));
  f.accept_storages();
  // S1 stored it; S2 has a newer committed revision.
  REQUIRE(f.storage(kS1).reply<AskStoreObject>(AnswerStoreObject{}));
  REQUIRE(f.storage(kS2).reply<AskStoreObject>(AnswerStoreObject{Tid{150}}));

  CapturedVote vote;
  f.state.vote(ttid, vote.reply());
  REQUIRE(vote.ec);
  CHECK(*vote.ec == errc::conflict);
  REQUIRE(vote.conflicts.size() == 1);
  CHECK(vote.conflicts[0].oid == O1);
  CHECK(vote.conflicts[0].committed == Tid{150});
  CHECK(vote.conflicts[0].base == Tid{50});
  CHECK_FALSE(vote.conflicts[0].read);
  CHECK_FALSE(f.storage(kS1).last<AskStoreTransaction>());

  SECTION("storing the resolution again clears the conflict") {
    f.state.store(ttid, make_store(O1, Tid{150}, std::string("resolved"), false));
    CHECK(f.answer_all<AskStoreObject>(AnswerStoreObject{}) == 2);
    CapturedVote again;
    f.state.vote(ttid, again.reply());
    CHECK(f.answer_all<AskStoreTransaction>(AnswerStoreTransaction{}) == 2);
    REQUIRE(again.ec);
    CHECK(*again.ec == std::error_code{});
  }
  SECTION("abort tells the storages and the master") {
    f.state.abort(ttid);
    CHECK_FALSE(f.state.has_transaction(ttid));
    for (NodeId nid : {kS1, kS2}) {
      auto abort = f.storage(nid).last<AbortTransaction>();
      REQUIRE(abort);
      CHECK(abort->ttid == ttid);
    }
    auto abort = f.master->last<AbortTransaction>();
    REQUIRE(abort);
    CHECK(abort->nid_list == std::vector<NodeId>{kS1, kS2});
  }
}

TEST_CASE(
    "client commit: readCurrent meeting a newer serial fails with a read "
    "conflict",
    "[client][commit]") {
  ClientFixture f;
  const Tid ttid = f.begin(kTtid);
  f.state.check_current_serial(ttid, O1, Tid{50});
  f.accept_storages();
  for (NodeId nid : {kS1, kS2}) {
    auto check = f.storage(nid).last<AskCheckCurrentSerial>();
    REQUIRE(check);
    CHECK(check->ttid == ttid);
    CHECK(check->oid == O1);
    CHECK(check->serial == Tid{50});
  }
  REQUIRE(f.storage(kS1).reply<AskCheckCurrentSerial>(AnswerCheckCurrentSerial{Tid{60}}));
  REQUIRE(f.storage(kS2).reply<AskCheckCurrentSerial>(AnswerCheckCurrentSerial{Tid{60}}));

  CapturedVote vote;
  f.state.vote(ttid, vote.reply());
  REQUIRE(vote.ec);
  CHECK(*vote.ec == errc::read_conflict);
  REQUIRE(vote.conflicts.size() == 1);  // one per object, not per cell
  CHECK(vote.conflicts[0].oid == O1);
  CHECK(vote.conflicts[0].committed == Tid{60});
  CHECK(vote.conflicts[0].base == Tid{50});
  CHECK(vote.conflicts[0].read);
}

TEST_CASE("client commit: NotifyDeadlock makes the client relock the object", "[client][commit]") {
  ClientFixture f;
  const Tid ttid = store_two(f);
  CHECK(f.answer_all<AskStoreObject>(AnswerStoreObject{}) == 4);

  f.from_storage(kS1, NotifyDeadlock{ttid, O2});
  auto relock = f.storage(kS1).last_sent<AskRelockObject>();
  REQUIRE(relock);
  CHECK(relock->ttid == ttid);
  CHECK(relock->oid == O2);
  CHECK_FALSE(f.storage(kS2).last<AskRelockObject>());

  // Deadlocks about other transactions or objects are ignored.
  const std::size_t sent = f.storage(kS1).sent.size();
  f.from_storage(kS1, NotifyDeadlock{Tid{999}, O2});
  f.from_storage(kS1, NotifyDeadlock{ttid, Oid{77}});
  CHECK(f.storage(kS1).sent.size() == sent);
  CHECK_FALSE(f.storage(kS1).aborted);

  // The vote waits for the relock.
  CapturedVote vote;
  f.state.vote(ttid, vote.reply());
  CHECK_FALSE(f.storage(kS1).last<AskStoreTransaction>());

  SECTION("relocked: the vote goes on") {
    REQUIRE(f.storage(kS1).reply<AskRelockObject>(AnswerRelockObject{}));
    CHECK(f.answer_all<AskStoreTransaction>(AnswerStoreTransaction{}) == 2);
    REQUIRE(vote.ec);
    CHECK(*vote.ec == std::error_code{});
    // Voting: a late NotifyDeadlock is ignored (the storage waits for us).
    f.from_storage(kS2, NotifyDeadlock{ttid, O1});
    CHECK_FALSE(f.storage(kS2).last<AskRelockObject>());
  }
  SECTION("the relock meets a newer revision: a conflict") {
    REQUIRE(f.storage(kS1).reply<AskRelockObject>(AnswerRelockObject{
        RelockConflict{.serial = kZeroTid, .conflict_serial = Tid{180}, .data = std::nullopt}}));
    REQUIRE(vote.ec);
    CHECK(*vote.ec == errc::conflict);
    REQUIRE(vote.conflicts.size() == 1);
    CHECK(vote.conflicts[0].oid == O2);
    CHECK(vote.conflicts[0].committed == Tid{180});
  }
}

TEST_CASE("client commit: a storage lost during the vote", "[client][commit]") {
  ClientFixture f;
  const Tid ttid = store_two(f);
  CHECK(f.answer_all<AskStoreObject>(AnswerStoreObject{}) == 4);
  CapturedVote vote;
  f.state.vote(ttid, vote.reply());
  REQUIRE(f.storage(kS2).last<AskStoreTransaction>());
  REQUIRE(f.storage(kS1).reply<AskStoreTransaction>(AnswerStoreTransaction{}));

  SECTION("still RUNNING for the master: FailedVote, which the master accepts") {
    f.storage(kS2).close(make_error_code(errc::connection_closed));
    CHECK_FALSE(vote.ec);
    auto failed = f.master->last<FailedVote>();
    REQUIRE(failed);
    CHECK(failed->ttid == ttid);
    CHECK(failed->failed_list == std::vector<NodeId>{kS2});
    REQUIRE(f.master->reply<FailedVote>(Error{static_cast<std::int64_t>(errc::ack), ""}));
    REQUIRE(vote.ec);
    CHECK(*vote.ec == std::error_code{});
    // The commit goes on with S1.
    Captured<Tid> finished;
    f.state.finish(ttid, finished.reply());
    REQUIRE(f.master->reply<AskFinishTransaction>(AnswerTransactionFinished{ttid, Tid{300}}));
    CHECK(finished.value->value() == Tid{300});
  }
  SECTION("still RUNNING for the master, which refuses: the vote fails") {
    f.storage(kS2).close(make_error_code(errc::connection_closed));
    REQUIRE(f.master->reply<FailedVote>(
        Error{static_cast<std::int64_t>(errc::incomplete_transaction), "no"}));
    REQUIRE(vote.ec);
    CHECK(*vote.ec == errc::incomplete_transaction);
  }
  SECTION("announced DOWN by the master: the commit goes on without it") {
    f.announce_nodes(NodeState::Running, NodeState::Down);
    CHECK(f.storage(kS2).closed());
    REQUIRE(vote.ec);
    CHECK(*vote.ec == std::error_code{});
    CHECK_FALSE(f.master->last<FailedVote>());
  }
}

TEST_CASE("client commit: the master lost during the finish", "[client][commit]") {
  ClientFixture f;
  const Tid ttid = voted_two(f);
  Captured<Tid> finished;
  f.state.finish(ttid, finished.reply());
  REQUIRE(f.master->last<AskFinishTransaction>());
  std::shared_ptr<test::FakePeer> old_master = f.master;
  old_master->close(make_error_code(errc::connection_closed));
  CHECK_FALSE(f.state.ready());
  // A request on a closed connection fails (later, for a real one).
  old_master->fail_all(make_error_code(errc::connection_closed));
  CHECK_FALSE(finished.value);
  CHECK(f.storage(kS1).closed());

  // The next primary master is asked whether the transaction committed.
  f.connect_master(Tid{300});
  auto ask = f.master->last<AskFinalTID>();
  REQUIRE(ask);
  CHECK(ask->ttid == ttid);

  SECTION("committed: the final TID") {
    REQUIRE(f.master->reply<AskFinalTID>(AnswerFinalTID{Tid{300}}));
    REQUIRE(finished.value);
    CHECK(finished.value->value() == Tid{300});
    Captured<client::Record> record;
    f.state.load(O1, std::nullopt, std::nullopt, record.reply());
    CHECK((*record.value)->data == "one");
    CHECK(f.state.cache_stats().hits == 1);
  }
  SECTION("not committed: the transaction failed") {
    REQUIRE(f.master->reply<AskFinalTID>(AnswerFinalTID{std::nullopt}));
    REQUIRE(finished.value);
    CHECK(finished.value->error() == errc::transaction_failed);
    CHECK_FALSE(f.state.has_transaction(ttid));
  }
  SECTION("committed, the final TID known only by the storages") {
    REQUIRE(f.master->reply<AskFinalTID>(AnswerFinalTID{kMaxTid}));
    CHECK_FALSE(finished.value);
    f.accept_storages();
    REQUIRE(f.answer_all<AskFinalTID>(AnswerFinalTID{Tid{300}}) == 1);
    REQUIRE(finished.value);
    CHECK(finished.value->value() == Tid{300});
  }
}

TEST_CASE("client commit: the master lost before the vote fails the transaction",
          "[client][commit]") {
  ClientFixture f;
  const Tid ttid = store_two(f);
  f.master->close(make_error_code(errc::connection_closed));
  CHECK(f.storage(kS1).closed());
  CapturedVote vote;
  f.state.vote(ttid, vote.reply());
  REQUIRE(vote.ec);
  CHECK(*vote.ec == errc::transaction_failed);
}

TEST_CASE("client commit: an abort after a master change is not sent to the new master",
          "[client][commit]") {
  ClientFixture f;
  const Tid ttid = store_two(f);
  f.master->close(make_error_code(errc::connection_closed));
  f.connect_master(Tid{300});
  f.state.abort(ttid);
  CHECK(f.master->all<AbortTransaction>().empty());
  CHECK_FALSE(f.state.has_transaction(ttid));

  // With the master that began it, the abort goes to it.
  const Tid second = store_two(f);
  f.state.abort(second);
  const auto aborts = f.master->all<AbortTransaction>();
  REQUIRE(aborts.size() == 1);
  CHECK(aborts[0].ttid == second);
}
