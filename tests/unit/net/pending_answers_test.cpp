#include "core/net/pending_answers.hpp"

#include <catch2/catch.hpp>
#include <vector>

using neo::Result;
using neo::net::PendingAnswers;
using neo::net::RawAnswerCallback;
using neo::protocol::Frame;
using Match = PendingAnswers::Match;

namespace {

// A callback that records the msg id of what it receives (or -1 for an error).
RawAnswerCallback recorder(std::vector<long>& log) {
  return [&log](Result<Frame> frame) { log.push_back(frame ? long(frame->msg_id) : -1L); };
}

}  // namespace

TEST_CASE("answers match their request by msg id, in any order", "[net]") {
  PendingAnswers pending;
  std::vector<long> log;
  REQUIRE(pending.add(0, 0x8002, recorder(log)));
  REQUIRE(pending.add(1, 0x8020, recorder(log)));
  REQUIRE(pending.add(2, 0x8020, recorder(log)));
  CHECK(pending.size() == 3);
  RawAnswerCallback callback;
  REQUIRE(pending.take(2, 0x8020, callback) == Match::kExpected);
  callback(Frame{2, 0x8020, "\x90"});
  REQUIRE(pending.take(0, 0x8002, callback) == Match::kExpected);
  callback(Frame{0, 0x8002, "\x90"});
  CHECK(log == std::vector<long>{2, 0});
  CHECK(pending.size() == 1);
  CHECK(pending.expected(1) == 0x8020);
  CHECK(pending.expected(0) == 0);
}

TEST_CASE("Error answers any pending request", "[net]") {
  PendingAnswers pending;
  std::vector<long> log;
  REQUIRE(pending.add(7, 0x8020, recorder(log)));
  RawAnswerCallback callback;
  CHECK(pending.take(7, 0x8000, callback) == Match::kExpected);
  CHECK(pending.empty());
}

TEST_CASE("unknown ids and wrong answer types are told apart", "[net]") {
  PendingAnswers pending;
  std::vector<long> log;
  REQUIRE(pending.add(7, 0x8020, recorder(log)));
  RawAnswerCallback callback;
  CHECK(pending.take(8, 0x8020, callback) == Match::kNotPending);
  CHECK(pending.take(8, 0x8000, callback) == Match::kNotPending);
  CHECK(pending.take(7, 0x8002, callback) == Match::kWrongType);
  CHECK(pending.size() == 1);  // kept: it fails with the connection
  CHECK_FALSE(callback);
}

TEST_CASE("a msg id cannot be pending twice", "[net]") {
  PendingAnswers pending;
  std::vector<long> log;
  REQUIRE(pending.add(0xffffffff, 0x8002, recorder(log)));
  CHECK_FALSE(pending.add(0xffffffff, 0x8002, recorder(log)));
  CHECK(pending.size() == 1);
}

TEST_CASE("take_all returns every callback, oldest first", "[net]") {
  PendingAnswers pending;
  std::vector<long> order;
  for (std::uint32_t id : {5u, 1u, 9u, 3u}) {
    REQUIRE(pending.add(id, 0x8002, [&order, id](Result<Frame> frame) {
      CHECK_FALSE(frame);
      order.push_back(id);
    }));
  }
  for (RawAnswerCallback& callback : pending.take_all()) callback(neo::errc::connection_closed);
  CHECK(order == std::vector<long>{5, 1, 9, 3});
  CHECK(pending.empty());
}
