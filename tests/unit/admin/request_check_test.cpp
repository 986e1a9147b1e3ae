// The admin checks the administration requests of neoctl before relaying
// them (issue 20, finding 2): a malformed one, or one the master refuses
// whatever its state, is answered by the admin and never reaches the
// master (whose link the admin would otherwise risk). No sockets.
#include "nodes/admin/request_check.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "tests/unit/admin/admin_fixture.hpp"

using namespace neo;
using namespace neo::protocol;
using namespace neo::admin::test;

namespace {

// A request from neoctl with raw argument bytes (msgpack), msg id 7.
Frame raw(std::uint16_t code, std::string args) { return {7, code, std::move(args)}; }

// `request` sent by neoctl: the Error the admin answers it (the master got nothing).
Error refused(Fixture& f, const Frame& request) {
  auto neoctl = std::make_shared<FakePeer>();
  neoctl->set_msg_id(request.msg_id);
  f.handler.on_packet(*neoctl, request);
  CHECK(f.master->sent.empty());
  const Error error = last_sent<Error>(*neoctl);
  CHECK(neoctl->sent.back().msg_id == request.msg_id);
  CHECK(bool(neoctl->aborted) == (error.code == static_cast<std::int64_t>(errc::protocol_error)));
  return error;
}

}  // namespace

TEST_CASE("malformed administration requests are refused by the admin, not relayed", "[admin]") {
  Fixture f;
  f.connect();
  const std::vector<std::pair<Frame, std::string>> cases = {
      {raw(SetClusterState::kCode, std::string("\x91\xd4\x01\x63", 4)), "SetClusterState"},
      {raw(SetClusterState::kCode, "\x91\xa7RUNNING"), "SetClusterState"},
      {raw(SetNodeState::kCode, std::string("\x92\x01\xd4\x03\x2a", 5)), "SetNodeState"},
      {raw(SetNodeState::kCode, std::string("\x92\xc4\x02zz\xd4\x03\x01", 8)), "SetNodeState"},
      {raw(AddPendingNodes::kCode, "\x91\xc4\x02zz"), "AddPendingNodes"},
      {raw(AddPendingNodes::kCode, "\x92\x92\x01\x02\x03"), "AddPendingNodes"},
      {raw(SetNumReplicas::kCode, "\x91\xa3two"), "SetNumReplicas"},
      {raw(SetNumReplicas::kCode, "\x91\xcf\x80\x00\x00\x00\x00\x00\x00\x00"), "SetNumReplicas"},
      {raw(Repair::kCode, "\x92\x91\x01\xa3yes"), "Repair"},
      {raw(Repair::kCode, "\x91\x07"), "Repair"},
      {raw(TweakPartitionTable::kCode, "\x90"), "TweakPartitionTable"},
      {raw(Truncate::kCode, "\x91\xc4\x01x"), "Truncate"},
      {raw(CheckReplicas::kCode, "\x93\x80"), "CheckReplicas"},
      {raw(AskLastIDs::kCode, "\x91\x01"), "AskLastIDs"},
  };
  for (const auto& [request, name] : cases) {
    INFO(name);
    const Error error = refused(f, request);
    CHECK(error.code == static_cast<std::int64_t>(errc::protocol_error));
    CHECK(error.message == "malformed " + name);
  }
}

TEST_CASE("requests the master refuses in any state are refused by the admin", "[admin]") {
  Fixture f;
  f.connect();
  auto denied = [&](const Frame& request) {
    const Error error = refused(f, request);
    CHECK(error.code == static_cast<std::int64_t>(errc::denied));
    return error.message;
  };
  CHECK(denied(frame_of(SetClusterState{ClusterState::Running})) == "Invalid state requested");
  CHECK(denied(frame_of(SetNodeState{NodeId{99999}, NodeState::Down})) == "unknown node");
  CHECK(denied(frame_of(SetNodeState{kS1, NodeState::Running})) ==
        "can not switch node to RUNNING state");
  CHECK(denied(frame_of(SetNodeState{kA1, NodeState::Down})) ==
        "can not switch node to DOWN state");
  CHECK(denied(frame_of(SetNodeState{kM1, NodeState::Down})) == "can not kill primary master node");
  CHECK(denied(frame_of(SetNumReplicas{-1})) == "invalid number of replicas");
  CHECK(denied(frame_of(Repair{{kS1, kA1}, false})) == "invalid storage node A1");
  CHECK(denied(frame_of(CheckReplicas{{{0, kM1}}, Tid{0}, {}})) == "invalid storage node M1");
  const Error offset = refused(f, frame_of(CheckReplicas{{{3, std::nullopt}}, Tid{0}, {}}));
  CHECK(offset.code == static_cast<std::int64_t>(errc::protocol_error));
  CHECK(offset.message == "invalid partition table offset");
}

TEST_CASE("valid administration requests still reach the master", "[admin]") {
  Fixture f;
  f.connect();
  for (const Frame& request :
       {frame_of(SetNodeState{kS2, NodeState::Down}), frame_of(AddPendingNodes{{NodeId{77}}}),
        frame_of(SetNumReplicas{2}), frame_of(Repair{{kS1}, true}),
        frame_of(CheckReplicas{{{2, kS1}}, Tid{0}, {}}),
        frame_of(SetClusterState{ClusterState::Stopping})}) {
    f.master->clear();
    f.handler.on_packet(*f.neoctl, request);
    REQUIRE(f.master->sent.size() == 1);
    CHECK(f.master->sent.back().args == request.args);
  }
  CHECK(f.neoctl->sent.empty());
}

TEST_CASE("unsolicited Error packets from neoctl follow NEO/py's policy", "[admin]") {
  Fixture f;
  f.connect();
  auto neoctl = std::make_shared<FakePeer>();
  for (errc code : {errc::ack, errc::protocol_error, errc::not_ready}) {
    f.handler.on_packet(*neoctl, frame_of(Error{static_cast<std::int64_t>(code), "x"}, 3));
    CHECK(neoctl->sent.empty());  // logged or ignored
  }
  CHECK_FALSE(neoctl->aborted);
  for (errc code : {errc::denied, errc::oid_not_found}) {
    auto peer = std::make_shared<FakePeer>();
    f.handler.on_packet(*peer, frame_of(Error{static_cast<std::int64_t>(code), "x"}, 3));
    CHECK(last_sent<Error>(*peer).message == "unexpected packet: Error in AdminEventHandler");
    CHECK(peer->aborted);
  }
  CHECK(f.master->sent.empty());
}
