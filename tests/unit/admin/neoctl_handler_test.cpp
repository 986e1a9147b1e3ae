// The admin node's answers to neoctl, from a known cluster view, and the
// forwarding of cluster commands to the primary master (no sockets).
#include "nodes/admin/neoctl_handler.hpp"

#include <catch2/catch.hpp>

#include "tests/unit/admin/admin_fixture.hpp"

using namespace neo;
using namespace neo::protocol;
using neo::admin::AdminCore;
using neo::admin::MasterHandler;
using neo::admin::NeoctlHandler;
using neo::test::FakePeer;
using neo::test::frame_of;
using namespace neo::admin::test;

TEST_CASE("without a master, neoctl gets NOT_READY and is disconnected", "[admin]") {
  Fixture f;
  for (const Frame& request :
       {frame_of(AskNodeList{}, 7), frame_of(AskClusterState{}, 7),
        frame_of(SetClusterState{ClusterState::Stopping}, 7), frame_of(AskPartitionList{}, 7)}) {
    auto neoctl = std::make_shared<FakePeer>();
    neoctl->set_msg_id(request.msg_id);
    f.handler.on_packet(*neoctl, request);
    const Error error = last_sent<Error>(*neoctl);
    CHECK(neoctl->sent.back().msg_id == 7);
    CHECK(error.code == static_cast<std::int64_t>(errc::not_ready));
    CHECK(error.message == "Not connected to a primary master.");
    CHECK(neoctl->aborted);
  }
}

TEST_CASE("Ping is answered even without a master", "[admin]") {
  Fixture f;
  f.neoctl->set_msg_id(3);
  f.handler.on_packet(*f.neoctl, frame_of(Ping{}, 3));
  last_sent<Pong>(*f.neoctl);
  CHECK_FALSE(f.neoctl->aborted);
}

TEST_CASE("questions about the cluster are answered from the view", "[admin]") {
  Fixture f;
  f.connect();
  f.neoctl->set_msg_id(11);
  f.handler.on_packet(*f.neoctl, frame_of(AskNodeList{NodeType::Storage}, 11));
  const AnswerNodeList storages = last_sent<AnswerNodeList>(*f.neoctl);
  REQUIRE(storages.node_list.size() == 2);
  CHECK(storages.node_list[0].nid == kS1);
  CHECK(storages.node_list[1].id_timestamp == 999.6);
  CHECK(f.neoctl->sent.back().msg_id == 11);

  f.handler.on_packet(*f.neoctl, frame_of(AskNodeList{}, 12));
  CHECK(last_sent<AnswerNodeList>(*f.neoctl).node_list.size() == 4);

  f.handler.on_packet(*f.neoctl, frame_of(AskPartitionList{0, 0, std::nullopt}, 13));
  const AnswerPartitionList all = last_sent<AnswerPartitionList>(*f.neoctl);
  CHECK(all.ptid == 5);
  CHECK(all.num_replicas == 1);
  REQUIRE(all.row_list.size() == 3);
  CHECK(all.row_list[1][1] == CellInfo{kS2, CellState::OutOfDate});

  f.handler.on_packet(*f.neoctl, frame_of(AskPartitionList{1, 2, kS1}, 14));
  CHECK(last_sent<AnswerPartitionList>(*f.neoctl).row_list.size() == 1);

  f.handler.on_packet(*f.neoctl, frame_of(AskClusterState{}, 15));
  CHECK(last_sent<AnswerClusterState>(*f.neoctl).state == ClusterState::Running);

  f.handler.on_packet(*f.neoctl, frame_of(AskPrimary{}, 16));
  CHECK(last_sent<AnswerPrimary>(*f.neoctl).primary_nid == kM1);
  CHECK_FALSE(f.neoctl->aborted);
  CHECK(f.master->sent.empty());  // the master was not bothered
}

TEST_CASE("a partition range past the table gets NEO/py's error packet", "[admin]") {
  Fixture f;
  f.connect();
  f.neoctl->set_msg_id(20);
  f.handler.on_packet(*f.neoctl, frame_of(AskPartitionList{5, 9, std::nullopt}, 20));
  const Error error = last_sent<Error>(*f.neoctl);
  CHECK(error.code == static_cast<std::int64_t>(errc::protocol_error));
  CHECK(error.message == "invalid partition table offset");
}

TEST_CASE("cluster commands are forwarded to the master and answered with neoctl's id", "[admin]") {
  Fixture f;
  f.connect();
  const Frame request = frame_of(SetClusterState{ClusterState::Stopping}, 42);
  f.neoctl->set_msg_id(42);
  f.handler.on_packet(*f.neoctl, request);
  REQUIRE(f.master->sent.size() == 1);
  const FakePeer::Sent forwarded = f.master->sent.back();
  CHECK(forwarded.code == SetClusterState::kCode);
  CHECK(forwarded.args == request.args);
  CHECK(f.master->expected[forwarded.msg_id] == Error::kCode);
  CHECK(f.neoctl->sent.empty());

  f.master->reply(forwarded.msg_id, Error{0, "Cluster state changed"});
  REQUIRE(f.neoctl->sent.size() == 1);
  CHECK(f.neoctl->sent.back().msg_id == 42);
  CHECK(last_sent<Error>(*f.neoctl).message == "Cluster state changed");
  CHECK_FALSE(f.neoctl->aborted);

  SECTION("a PROTOCOL_ERROR answer is relayed, then neoctl is disconnected") {
    f.handler.on_packet(*f.neoctl, frame_of(SetNodeState{kS2, NodeState::Down}, 43));
    f.master->reply(f.master->sent.back().msg_id, Error{6, "invalid node"});
    CHECK(last_sent<Error>(*f.neoctl).message == "invalid node");
    CHECK(f.neoctl->sent.back().msg_id == 43);
    CHECK(f.neoctl->aborted);
  }
  SECTION("a real answer is relayed as is") {
    f.handler.on_packet(*f.neoctl, frame_of(AskLastIDs{}, 44));
    CHECK(f.master->expected[f.master->sent.back().msg_id] == AnswerLastIDs::kCode);
    f.master->reply(f.master->sent.back().msg_id, AnswerLastIDs{Tid{7}, Oid{3}, Tid{1}});
    CHECK(last_sent<AnswerLastIDs>(*f.neoctl).last_tid == Tid{7});
    CHECK(f.neoctl->sent.back().msg_id == 44);
  }
  SECTION("losing the master fails the forwarded request") {
    f.handler.on_packet(*f.neoctl, frame_of(TweakPartitionTable{}, 45));
    f.master->fail(f.master->sent.back().msg_id, make_error_code(errc::connection_closed));
    CHECK(last_sent<Error>(*f.neoctl).message == "connection to master lost");
    CHECK(f.neoctl->aborted);
  }
}

TEST_CASE("FlushLog is relayed to the master", "[admin]") {
  Fixture f;
  f.connect();
  f.handler.on_packet(*f.neoctl, frame_of(FlushLog{}, 5));
  REQUIRE(f.master->sent.size() == 1);
  CHECK(f.master->sent.back().code == FlushLog::kCode);
  CHECK(f.neoctl->sent.empty());
}

TEST_CASE("print summary asks the master for the last TID when RUNNING", "[admin]") {
  Fixture f;
  f.connect();
  f.neoctl->set_msg_id(9);
  f.handler.on_packet(*f.neoctl, frame_of(AskMonitorInformation{}, 9));
  REQUIRE(f.master->sent.size() == 1);
  CHECK(f.master->sent.back().code == AskLastTransaction::kCode);
  CHECK(f.neoctl->sent.empty());
  f.master->reply(f.master->sent.back().msg_id, AnswerLastTransaction{Tid{0x03f1e7a2c0000000}});
  const AnswerMonitorInformation answer = last_sent<AnswerMonitorInformation>(*f.neoctl);
  CHECK(f.neoctl->sent.back().msg_id == 9);
  CHECK(answer.summary == "RUNNING; OUT_OF_DATE=1, UP_TO_DATE=5; ltid=03f1e7a2c0000000 (" +
                              datetime_from_tid(Tid{0x03f1e7a2c0000000}) + ")");
  CHECK(answer.warning_list == std::vector<std::optional<std::string>>{std::nullopt});
  CHECK(answer.problem_list.empty());
}

TEST_CASE("print summary of a cluster that is not running is a problem", "[admin]") {
  Fixture f;
  f.connect();
  f.master_handler.on_packet(*f.master,
                             frame_of(NotifyClusterInformation{ClusterState::Recovering}, 4));
  f.handler.on_packet(*f.neoctl, frame_of(AskMonitorInformation{}, 9));
  CHECK(f.master->sent.empty());
  const AnswerMonitorInformation answer = last_sent<AnswerMonitorInformation>(*f.neoctl);
  CHECK(answer.summary == "RECOVERING; OUT_OF_DATE=1, UP_TO_DATE=5");
  CHECK(answer.problem_list == std::vector<std::optional<std::string>>{std::nullopt});
}

TEST_CASE("a storage going down is counted in the summary", "[admin]") {
  Fixture f;
  f.connect();
  NotifyNodeInformation down{
      .timestamp = 1001.0,
      .node_list = {{NodeType::Storage, Address{"127.0.0.1", 22003}, kS2, NodeState::Down, {}}}};
  f.master_handler.on_packet(*f.master, frame_of(down, 5));
  CHECK(neo::admin::format_summary(f.core.monitor()) ==
        "RUNNING; OUT_OF_DATE=1, UP_TO_DATE=5; DOWN=1");
  CHECK(neo::admin::severity(f.core.monitor()) == 2);
}

TEST_CASE("identification is only for admins of monitored backup clusters", "[admin]") {
  Fixture f;
  f.connect();
  auto identify = [&](NodeType type, std::string name) {
    auto peer = std::make_shared<FakePeer>();
    peer->set_msg_id(1);
    RequestIdentification request{.node_type = type, .name = std::move(name)};
    f.handler.on_packet(*peer, frame_of(request, 1));
    return peer;
  };
  auto client = identify(NodeType::Client, "test");
  CHECK(last_sent<Error>(*client).message == "reject non-admin node");
  CHECK(client->aborted);
  auto stranger = identify(NodeType::Admin, "other");
  CHECK(last_sent<Error>(*stranger).message == "unknown backup cluster 'other'");
  auto backup = identify(NodeType::Admin, "backup1");
  CHECK(last_sent<AcceptIdentification>(*backup).node_type == NodeType::Admin);
  CHECK_FALSE(backup->aborted);
  auto again = identify(NodeType::Admin, "backup1");
  CHECK(last_sent<Error>(*again).message == "already connected");
}

TEST_CASE("unexpected packets from neoctl are refused", "[admin]") {
  Fixture f;
  f.connect();
  f.handler.on_packet(*f.neoctl, frame_of(AskObject{}, 3));
  CHECK(last_sent<Error>(*f.neoctl).code == static_cast<std::int64_t>(errc::protocol_error));
  CHECK(f.neoctl->aborted);
}

TEST_CASE("a malformed notification from the master is a protocol error", "[admin]") {
  Fixture f;
  f.connect();
  NotifyPartitionChanges bad{
      .ptid = 6, .num_replicas = 1, .cell_list = {{99, kS1, CellState::UpToDate}}};
  f.master_handler.on_packet(*f.master, frame_of(bad, 6));
  CHECK(last_sent<Error>(*f.master).code == static_cast<std::int64_t>(errc::protocol_error));
  CHECK(f.master->aborted);
}

TEST_CASE("python_repr quotes as Python does", "[admin]") {
  CHECK(neo::admin::python_repr("abc") == "'abc'");
  CHECK(neo::admin::python_repr("it's") == "\"it's\"");
  CHECK(neo::admin::python_repr("a'\"b") == "'a\\'\"b'");
  CHECK(neo::admin::python_repr("a\nb") == "'a\\nb'");
}
