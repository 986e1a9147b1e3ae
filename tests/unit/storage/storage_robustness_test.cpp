// A storage never crashes on a peer's bytes: every packet type, well-formed
// (default values) or garbled, sent by the master and by an identified
// client, ends with an answer, an Error, or nothing; never an exception.
#include <asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <random>

#include "nodes/storage/master_handler.hpp"
#include "nodes/storage/peer_handlers.hpp"
#include "nodes/storage/storage_app.hpp"
#include "tests/support/fake_peer.hpp"
#include "tests/unit/storage/operational_storage.hpp"
#include "tests/unit/storage/storage_node_support.hpp"
#include "tests/unit/storage/storage_test_support.hpp"

namespace protocol = neo::protocol;
using neo::storage::test::Operational;
using neo::test::FakePeer;

namespace {

std::vector<protocol::Frame> frames() {
  std::vector<protocol::Frame> result;
  std::mt19937 random(42);
  protocol::for_each_packet_type([&]<class P>(std::type_identity<P>) {
    result.push_back({1, P::kCode, protocol::encode_args(P{})});
    for (int i = 0; i < 4; ++i) {
      std::string garbage(random() % 24, '\0');
      for (char& c : garbage) c = static_cast<char>(random());
      result.push_back({2, P::kCode, garbage});
    }
  });
  result.push_back({3, 0x7fff, "\x90"});
  return result;
}

}  // namespace

TEST_CASE("every packet from the master is handled without crashing", "[storage][robustness]") {
  for (const protocol::Frame& frame : frames()) {
    Operational o;
    neo::storage::MasterHandler handler(o.app->state(), *o.app, [](std::error_code) {});
    auto peer = std::make_shared<FakePeer>();
    CHECK_NOTHROW(o.deliver(handler, *peer, frame));  // with the group commit of a lock
  }
}

TEST_CASE("every packet from a client is handled without crashing", "[storage][robustness]") {
  Operational o;
  for (const protocol::Frame& frame : frames()) {
    neo::storage::OperationHandler handler(*o.app, protocol::NodeType::Client);
    neo::storage::IdentificationHandler identification(*o.app);
    auto peer = std::make_shared<FakePeer>();
    CHECK_NOTHROW(o.deliver(handler, *peer, frame));  // with the group commit of a vote
    auto other = std::make_shared<FakePeer>();
    CHECK_NOTHROW(o.deliver(identification, *other, frame));
    // Whatever it was, something was answered or the connection is closing
    // (but notifications get no answer).
    CHECK((!peer->sent.empty() || peer->closed() || frame.code == protocol::CloseClient::kCode ||
           frame.code == protocol::AbortTransaction::kCode));
  }
}

// Issue 20, finding 4: what a storage does not serve from a peer is an
// unexpected packet, as everywhere (no "not implemented yet").
TEST_CASE("packets a storage does not serve from that peer are unexpected",
          "[storage][robustness]") {
  Operational o;
  auto check = [&](protocol::NodeType type, const protocol::Frame& frame, std::string message) {
    neo::storage::OperationHandler handler(*o.app, type);
    auto peer = std::make_shared<FakePeer>();
    o.deliver(handler, *peer, frame);
    std::optional<protocol::Error> error = peer->last_sent<protocol::Error>();
    REQUIRE(error);
    CHECK(error->code == static_cast<int>(neo::errc::protocol_error));
    CHECK(error->message == message);
    CHECK(peer->aborted);
  };
  using protocol::NodeType;
  check(NodeType::Client, neo::test::frame_of(protocol::AskFetchTransactions{}),
        "unexpected packet: AskFetchTransactions in ClientOperationHandler");
  check(NodeType::Storage, neo::test::frame_of(protocol::AskObject{}),
        "unexpected packet: AskObject in StorageOperationHandler");
  check(NodeType::Client, neo::test::frame_of(protocol::AskLastIDs{}),
        "unexpected packet: AskLastIDs in ClientOperationHandler");
}

// A Ping with arguments is malformed for the storage as for the master and
// the admin (tests/unit/master, tests/unit/admin): Error, then closed.
TEST_CASE("a Ping with extra arguments is malformed in every storage handler",
          "[storage][robustness]") {
  Operational o;
  neo::storage::OperationHandler client(*o.app, protocol::NodeType::Client);
  neo::storage::IdentificationHandler identification(*o.app);
  for (neo::net::Handler* handler :
       std::initializer_list<neo::net::Handler*>{&client, &identification}) {
    auto peer = std::make_shared<FakePeer>();
    o.deliver(*handler, *peer, protocol::Frame{4, protocol::Ping::kCode, "\x91\x01"});
    std::optional<protocol::Error> error = peer->last_sent<protocol::Error>();
    REQUIRE(error);
    CHECK(error->message == "malformed Ping");
    CHECK(peer->aborted);
    peer = std::make_shared<FakePeer>();
    o.deliver(*handler, *peer, protocol::Frame{5, protocol::Ping::kCode, "\x90"});
    CHECK(peer->last_sent<protocol::Pong>());
  }
}
