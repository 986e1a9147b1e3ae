#include "core/net/peer.hpp"

#include <catch2/catch.hpp>
#include <map>
#include <vector>

namespace protocol = neo::protocol;
using neo::errc;
using neo::Result;
using neo::net::Peer;
using neo::net::RawAnswerCallback;

namespace {

// What handler tests use: records what is sent, answers on demand.
class FakePeer : public Peer {
 public:
  struct Sent {
    std::uint32_t msg_id;
    std::uint16_t code;
    std::string args;
  };

  std::uint32_t ask_raw(std::uint16_t code, std::uint16_t answer_code, std::string args,
                        RawAnswerCallback on_answer) override {
    const std::uint32_t id = next_id++;
    sent.push_back({id, code, std::move(args)});
    expected[id] = answer_code;
    callbacks[id] = std::move(on_answer);
    return id;
  }
  std::uint32_t notify_raw(std::uint16_t code, std::string args) override {
    sent.push_back({next_id, code, std::move(args)});
    return next_id++;
  }
  void send_raw(std::uint32_t msg_id, std::uint16_t code, std::string_view args) override {
    sent.push_back({msg_id, code, std::string(args)});
  }
  void abort(std::error_code reason) override { aborted = reason; }
  void close(std::error_code reason) override { closed_reason = reason; }
  bool closed() const override { return aborted || closed_reason; }

  // Delivers an answer frame to the request `msg_id`.
  void reply(std::uint32_t msg_id, Result<protocol::Frame> frame) {
    callbacks.at(msg_id)(std::move(frame));
    callbacks.erase(msg_id);
  }

  std::uint32_t next_id = 0;
  std::vector<Sent> sent;
  std::map<std::uint32_t, std::uint16_t> expected;
  std::map<std::uint32_t, RawAnswerCallback> callbacks;
  std::error_code aborted;
  std::error_code closed_reason;
};

template <class P>
protocol::Frame frame_of(std::uint32_t msg_id, const P& packet) {
  return {msg_id, P::kCode, protocol::encode_args(packet)};
}

}  // namespace

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
  peer->reply(id, frame_of(id, protocol::AnswerFinalTID{.tid = neo::Tid{43}}));
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
  peer->reply(id, frame_of(id, protocol::Error{.code = 2, .message = "Retry Later"}));
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
  peer->reply(id, frame_of(id, protocol::Error{.code = 0, .message = "cluster state changed"}));
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
  peer->reply(id, protocol::Frame{id, protocol::Pong::kCode, "\x91\x01"});
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
  peer->reply(id, errc::connection_closed);
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
  auto peer = std::make_shared<FakePeer>();
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
