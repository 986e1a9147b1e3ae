// Tests of ClientState::pack (nodes/client/client_pack.cpp) with a fake
// master and fake storages: the pack order rides on the vote's metadata and
// on the finish, at min(tid, last tid); WaitForPack; the master's refusal.
#include <catch2/catch.hpp>

#include "core/util/record_data.hpp"
#include "tests/unit/client/client_fixture.hpp"

using namespace neo;
using namespace neo::protocol;
using neo::test::Captured;
using neo::test::ClientFixture;
using neo::test::kS1;
using neo::test::kS2;

namespace {

constexpr Oid O1{1};
constexpr Tid kTtid{200}, kPackId{300};

struct CapturedDone {
  std::optional<std::error_code> ec;
  client::Done done() {
    return [this](std::error_code e) { ec = e; };
  }
};

// pack(tid, wait) up to the finish: the master gave kTtid, both storages
// stored the metadata. The AskFinishTransaction is not answered yet.
void pack_until_finish(ClientFixture& f, Tid tid, bool wait, CapturedDone& done) {
  f.state.pack(tid, wait, done.done());
  REQUIRE(f.master->reply<AskBeginTransaction>(AnswerBeginTransaction{kTtid}));
  f.accept_storages();
  REQUIRE(f.answer_all<AskStoreTransaction>(AnswerStoreTransaction{}) == 2);
  REQUIRE(f.master->last<AskFinishTransaction>());
  CHECK_FALSE(done.ec);
}

// The msg id of the last request of type P sent to `peer`.
template <class P>
std::uint32_t msg_id_of(const test::FakePeer& peer) {
  for (auto it = peer.sent.rbegin(); it != peer.sent.rend(); ++it)
    if (it->code == P::kCode) return it->msg_id;
  FAIL("no such request");
  return 0;
}

}  // namespace

TEST_CASE("client pack: a transaction whose metadata and finish carry the pack order",
          "[client][pack]") {
  ClientFixture f;  // last tid 100
  const Tid asked = GENERATE(Tid{50}, Tid{100}, Tid{5000});
  const Tid expected = asked == Tid{5000} ? Tid{100} : asked;  // never past the last tid
  CapturedDone done;
  pack_until_finish(f, asked, false, done);

  auto begin = f.master->last<AskBeginTransaction>();
  REQUIRE(begin);
  CHECK_FALSE(begin->tid);
  for (NodeId nid : {kS1, kS2}) {  // the cells of part(ttid)
    auto metadata = f.storage(nid).last<AskStoreTransaction>();
    REQUIRE(metadata);
    CHECK(metadata->ttid == kTtid);
    CHECK(metadata->user.empty());
    CHECK(metadata->description == "IStorage.pack");
    CHECK(metadata->extension.empty());
    CHECK(metadata->oid_list.empty());
    CHECK(metadata->pack == PackRequest{.oids = std::nullopt, .pack_tid = expected});
    CHECK_FALSE(f.storage(nid).last<AskVoteTransaction>());
  }
  auto finish = f.master->last<AskFinishTransaction>();
  CHECK(finish->ttid == kTtid);
  CHECK(finish->oid_list.empty());
  CHECK(finish->deleted.empty());
  CHECK(finish->checked.empty());
  CHECK(finish->pack == PackRequest{.oids = std::nullopt, .pack_tid = expected});

  REQUIRE(f.master->reply<AskFinishTransaction>(AnswerTransactionFinished{kTtid, kPackId}));
  CHECK(done.ec == std::error_code{});
  CHECK_FALSE(f.master->last<WaitForPack>());
  CHECK_FALSE(f.state.has_transaction(kTtid));
  CHECK(f.state.last_tid() == kPackId);
}

TEST_CASE("client pack: waiting asks WaitForPack with the pack id, then empties the cache",
          "[client][pack]") {
  ClientFixture f;
  // O1 in the cache.
  Captured<client::Record> record;
  f.state.load(O1, std::nullopt, std::nullopt, record.reply());
  f.accept_storages();
  const std::string data = "one";
  bool answered = false;  // by the one storage asked
  for (auto& [nid, peer] : f.env.storages)
    answered = answered || peer->reply<AskObject>(AnswerObject{O1, Tid{90}, std::nullopt, 0,
                                                               sha1(data), data, std::nullopt});
  REQUIRE(answered);
  REQUIRE(record.value->has_value());
  REQUIRE(f.state.cache_stats().records == 1);

  CapturedDone done;
  pack_until_finish(f, Tid{95}, true, done);
  REQUIRE(f.master->reply<AskFinishTransaction>(AnswerTransactionFinished{kTtid, kPackId}));
  auto wait = f.master->last_sent<WaitForPack>();
  REQUIRE(wait);
  CHECK(wait->tid == kPackId);
  CHECK_FALSE(done.ec);
  CHECK(f.state.cache_stats().records == 1);

  REQUIRE(f.master->reply<WaitForPack>(WaitedForPack{}));
  CHECK(done.ec == std::error_code{});
  CHECK(f.state.cache_stats().records == 0);
}

TEST_CASE("client pack: the master's invalid pack time is an error", "[client][pack]") {
  ClientFixture f;
  CapturedDone done;
  pack_until_finish(f, Tid{100}, true, done);
  f.master->reply(msg_id_of<AskFinishTransaction>(*f.master),
                  Error{.code = static_cast<std::int64_t>(errc::protocol_error),
                        .message = "invalid pack time"});
  CHECK(done.ec == errc::protocol_error);
  CHECK_FALSE(f.state.has_transaction(kTtid));
  CHECK_FALSE(f.master->last<WaitForPack>());
}

TEST_CASE("client pack: a failed vote aborts the pack transaction", "[client][pack]") {
  ClientFixture f;
  CapturedDone done;
  f.state.pack(Tid{100}, false, done.done());
  REQUIRE(f.master->reply<AskBeginTransaction>(AnswerBeginTransaction{kTtid}));
  f.accept_storages();
  for (NodeId nid : {kS1, kS2})
    f.storage(nid).fail(msg_id_of<AskStoreTransaction>(f.storage(nid)),
                        make_error_code(errc::protocol_error));
  CHECK(done.ec == errc::protocol_error);
  CHECK_FALSE(f.state.has_transaction(kTtid));
  CHECK_FALSE(f.master->last<AskFinishTransaction>());
  auto abort = f.master->last<AbortTransaction>();
  REQUIRE(abort);
  CHECK(abort->ttid == kTtid);
}

TEST_CASE("client pack: ZERO_TID is refused; before any commit there is nothing to pack",
          "[client][pack]") {
  SECTION("ZERO_TID") {
    ClientFixture f;
    const std::size_t sent = f.master->sent.size();
    CapturedDone done;
    f.state.pack(kZeroTid, true, done.done());
    CHECK(done.ec == errc::invalid_argument);
    CHECK(f.master->sent.size() == sent);
  }
  SECTION("an empty database") {
    ClientFixture f(kZeroTid);
    const std::size_t sent = f.master->sent.size();
    CapturedDone done;
    f.state.pack(Tid{1000}, true, done.done());
    CHECK(done.ec == std::error_code{});
    CHECK(f.master->sent.size() == sent);
  }
}
