// net::dispatch: the one policy of every node for malformed, unexpected
// and unsolicited packets.
#include "core/net/dispatch.hpp"

#include <catch2/catch.hpp>

#include "tests/support/fake_peer.hpp"

namespace protocol = neo::protocol;
using neo::errc;
using neo::test::FakePeer;
using neo::test::frame_of;

namespace {

struct Handler {
  static constexpr std::string_view kName = "TestHandler";
  void on(neo::net::Peer& peer, const protocol::AskObject& ask) { asked.push_back(ask.oid); }
  std::vector<neo::Oid> asked;
};

struct Unnamed {
  void on(neo::net::Peer&, const protocol::Ping&) {}
};

struct ErrorAware {
  void on(neo::net::Peer&, const protocol::Error& error) { messages.push_back(error.message); }
  std::vector<std::string> messages;
};

protocol::Frame error_frame(errc code, std::string message) {
  return frame_of(protocol::Error{.code = static_cast<std::int64_t>(code), .message = message}, 3);
}

}  // namespace

TEST_CASE("dispatch hands a decoded packet to the handler's overload", "[net]") {
  Handler handler;
  FakePeer peer;
  CHECK(neo::net::dispatch(handler, peer, frame_of(protocol::AskObject{.oid = neo::Oid{5}}, 9)));
  REQUIRE(handler.asked.size() == 1);
  CHECK(handler.asked[0] == neo::Oid{5});
  CHECK(peer.msg_id() == 0);  // the connection sets it, not dispatch
  CHECK(peer.sent.empty());
  CHECK_FALSE(peer.aborted);
}

TEST_CASE("a malformed packet is answered PROTOCOL_ERROR and the connection aborted", "[net]") {
  Handler handler;
  FakePeer peer;
  protocol::Frame frame = frame_of(protocol::Ping{}, 4);
  frame.code = protocol::AskObject::kCode;  // arguments of another packet
  CHECK_FALSE(neo::net::dispatch(handler, peer, frame));
  CHECK(handler.asked.empty());
  auto error = peer.last_sent<protocol::Error>();
  REQUIRE(error);
  CHECK(error->code == static_cast<std::int64_t>(errc::protocol_error));
  CHECK(error->message == "malformed AskObject");
  CHECK(peer.sent.back().msg_id == 4);
  CHECK(peer.aborted == errc::malformed_packet);
}

TEST_CASE("a packet without overload is unexpected, named with the handler", "[net]") {
  Handler handler;
  FakePeer peer;
  CHECK_FALSE(neo::net::dispatch(handler, peer, frame_of(protocol::Ping{}, 6)));
  auto error = peer.last_sent<protocol::Error>();
  REQUIRE(error);
  CHECK(error->message == "unexpected packet: Ping in TestHandler");
  CHECK(peer.aborted);

  Unnamed unnamed;
  FakePeer other;
  CHECK_FALSE(neo::net::dispatch(unnamed, other, frame_of(protocol::Pong{})));
  CHECK(other.last_sent<protocol::Error>()->message == "unexpected packet: Pong in handler");
}

TEST_CASE("an unsolicited Error follows NEO/py: some codes logged, others unexpected", "[net]") {
  Handler handler;
  for (errc code : {errc::ack, errc::protocol_error, errc::not_ready}) {
    FakePeer peer;
    CHECK(neo::net::dispatch(handler, peer, error_frame(code, "x")));
    CHECK(peer.sent.empty());
    CHECK_FALSE(peer.aborted);
  }
  FakePeer peer;
  CHECK_FALSE(neo::net::dispatch(handler, peer, error_frame(errc::oid_not_found, "x")));
  CHECK(peer.last_sent<protocol::Error>()->message == "unexpected packet: Error in TestHandler");
  CHECK(peer.aborted);

  ErrorAware aware;
  FakePeer seen;
  CHECK(neo::net::dispatch(aware, seen, error_frame(errc::denied, "no")));
  CHECK(aware.messages == std::vector<std::string>{"no"});
  CHECK(seen.sent.empty());
}
