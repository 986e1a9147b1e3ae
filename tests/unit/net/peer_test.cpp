#include "core/net/peer.hpp"

#include <catch2/catch.hpp>
#include <memory>
#include <optional>
#include <string>

#include "tests/support/fake_peer.hpp"

namespace protocol = neo::protocol;
using neo::errc;
using neo::Result;
using neo::test::FakePeer;

TEST_CASE("typed ask sends the request and decodes its answer", "[net]") {
  auto peer = std::make_shared<FakePeer>();
  std::optional<protocol::AnswerFinalTID> got;
  const std::uint32_t id =
      peer->ask(protocol::AskFinalTID{.ttid = neo::Tid{42}},
                [&](Result<protocol::AnswerFinalTID> answer, std::string_view message) {
                  REQUIRE(answer);
                  CHECK(message.empty());
                  got = *answer;
                });
  REQUIRE(peer->sent.size() == 1);
  CHECK(peer->sent[0].code == protocol::AskFinalTID::kCode);
  CHECK(peer->expected[id] == protocol::AnswerFinalTID::kCode);
  CHECK(protocol::decode_args<protocol::AskFinalTID>(peer->sent[0].args)->ttid == neo::Tid{42});
  peer->reply(id, protocol::AnswerFinalTID{.tid = neo::Tid{43}});
  REQUIRE(got);
  CHECK(got->tid == neo::Tid{43});
}

TEST_CASE("an Error answer reaches the callback with its code and message", "[net]") {
  auto peer = std::make_shared<FakePeer>();
  std::error_code code;
  std::string text;
  const std::uint32_t id =
      peer->ask(protocol::AskClusterState{},
                [&](Result<protocol::AnswerClusterState> answer, std::string_view message) {
                  REQUIRE_FALSE(answer);
                  code = answer.error();
                  text = message;
                });
  peer->reply(id, protocol::Error{.code = 2, .message = "Retry Later"});
  CHECK(code == errc::not_ready);
  CHECK(text == "Retry Later");
  CHECK_FALSE(peer->closed());
}

TEST_CASE("requests answered by Error get the Error itself, ACK included", "[net]") {
  auto peer = std::make_shared<FakePeer>();
  std::optional<protocol::Error> got;
  const std::uint32_t id =
      peer->ask(protocol::SetClusterState{.state = protocol::ClusterState::Verifying},
                [&](Result<protocol::Error> answer, std::string_view) { got = answer.value(); });
  CHECK(peer->expected[id] == protocol::Error::kCode);
  peer->reply(id, protocol::Error{.code = 0, .message = "cluster state changed"});
  REQUIRE(got);
  CHECK(got->code == 0);
  CHECK(got->message == "cluster state changed");
}

TEST_CASE("wire error codes map to errc; others are protocol errors", "[net]") {
  CHECK(neo::net::error_from_wire(1) == errc::denied);
  CHECK(neo::net::error_from_wire(13) == errc::undo_pack_error);
  CHECK(neo::net::error_from_wire(0) == errc::protocol_error);  // ACK where an answer was due
  CHECK(neo::net::error_from_wire(14) == errc::protocol_error);
  CHECK(neo::net::error_from_wire(-1) == errc::protocol_error);
}

TEST_CASE("a malformed answer fails the request and closes the connection", "[net]") {
  auto peer = std::make_shared<FakePeer>();
  std::error_code code;
  const std::uint32_t id =
      peer->ask(protocol::Ping{},
                [&](Result<protocol::Pong> answer, std::string_view) { code = answer.error(); });
  peer->reply_frame(id, protocol::Frame{id, protocol::Pong::kCode, "\x91\x01"});
  CHECK(code == errc::malformed_packet);
  CHECK(peer->closed_reason == errc::malformed_packet);
}

TEST_CASE("a lost connection fails the request with connection_closed", "[net]") {
  auto peer = std::make_shared<FakePeer>();
  std::error_code code;
  std::string text;
  const std::uint32_t id =
      peer->ask(protocol::Ping{}, [&](Result<protocol::Pong> answer, std::string_view message) {
        code = answer.error();
        text = message;
      });
  peer->reply_frame(id, errc::connection_closed);
  CHECK(code == errc::connection_closed);
  CHECK(text == "connection closed");
}

TEST_CASE("answers reuse the msg id of the packet being handled", "[net]") {
  auto peer = std::make_shared<FakePeer>();
  peer->set_msg_id(17);
  peer->answer(protocol::Pong{});
  peer->answer_error(errc::non_readable_cell);
  peer->answer(99, protocol::AnswerFinalTID{});
  REQUIRE(peer->sent.size() == 3);
  CHECK(peer->sent[0].msg_id == 17);
  CHECK(peer->sent[0].code == protocol::Pong::kCode);
  CHECK(peer->sent[1].msg_id == 17);
  CHECK(peer->sent[1].code == protocol::Error::kCode);
  auto error = protocol::decode_args<protocol::Error>(peer->sent[1].args);
  CHECK(error->code == 10);
  CHECK(error->message.empty());
  CHECK(peer->sent[2].msg_id == 99);
}

TEST_CASE("an unexpected packet is answered PROTOCOL_ERROR and aborts", "[net]") {
  auto peer = std::make_shared<FakePeer>("");  // no address
  peer->set_nid(neo::NodeId{1});
  peer->reject_unexpected(protocol::Frame{5, protocol::AskObject::kCode, {}});
  REQUIRE(peer->sent.size() == 1);
  CHECK(peer->sent[0].msg_id == 5);
  auto error = protocol::decode_args<protocol::Error>(peer->sent[0].args);
  CHECK(error->code == 6);
  CHECK(error->message == "unexpected packet: AskObject");
  CHECK(peer->aborted == errc::protocol_error);
  CHECK(peer->describe() == "S1 ()");
  CHECK(neo::net::packet_name(0x7777) == "0x7777");
}
