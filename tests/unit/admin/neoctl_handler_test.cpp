// The admin node's answers to neoctl, from a known cluster view, and the
// forwarding of cluster commands to the primary master (no sockets).
#include "nodes/admin/neoctl_handler.hpp"

#include <catch2/catch.hpp>

#include "nodes/admin/master_handler.hpp"
#include "tests/unit/admin/fake_peer.hpp"

using namespace neo;
using namespace neo::protocol;
using neo::admin::AdminCore;
using neo::admin::MasterHandler;
using neo::admin::NeoctlHandler;
using neo::admin::test::FakePeer;
using neo::admin::test::frame;

namespace {

constexpr NodeId kM1{static_cast<std::int32_t>(0xf0000001)};
constexpr NodeId kS1{1}, kS2{2};
constexpr NodeId kA1{static_cast<std::int32_t>(0xd0000001)};

// An admin connected to a master that announced M1, S1, S2, A1, a 3
// partition table and RUNNING.
struct Fixture {
  AdminCore core{"test", {"backup1"}};
  std::shared_ptr<FakePeer> master = std::make_shared<FakePeer>();
  std::shared_ptr<FakePeer> neoctl = std::make_shared<FakePeer>();
  NeoctlHandler handler{core};
  MasterHandler master_handler{core, {}};

  void connect() {
    core.view().on_identified(kM1, kA1);
    core.set_master(master);
    NotifyNodeInformation nodes{
        .timestamp = 1000.0,
        .node_list = {
            {NodeType::Master, Address{"127.0.0.1", 22001}, kM1, NodeState::Running, {}},
            {NodeType::Storage, Address{"127.0.0.1", 22002}, kS1, NodeState::Running, 999.5},
            {NodeType::Storage, Address{"127.0.0.1", 22003}, kS2, NodeState::Running, 999.6},
            {NodeType::Admin, Address{"127.0.0.1", 22004}, kA1, NodeState::Running, 999.7},
        }};
    master_handler.on_packet(*master, frame(1, nodes));
    SendPartitionTable pt{.ptid = 5,
                          .num_replicas = 1,
                          .row_list = {{{kS1, CellState::UpToDate}, {kS2, CellState::UpToDate}},
                                       {{kS1, CellState::UpToDate}, {kS2, CellState::OutOfDate}},
                                       {{kS1, CellState::UpToDate}, {kS2, CellState::UpToDate}}}};
    master_handler.on_packet(*master, frame(2, pt));
    master_handler.on_packet(*master, frame(3, NotifyClusterInformation{ClusterState::Running}));
    REQUIRE(master->sent.empty());  // nothing refused
  }
};

}  // namespace

TEST_CASE("without a master, neoctl gets NOT_READY and is disconnected", "[admin]") {
  Fixture f;
  for (const Frame& request :
       {frame(7, AskNodeList{}), frame(7, AskClusterState{}),
        frame(7, SetClusterState{ClusterState::Stopping}), frame(7, AskPartitionList{})}) {
    auto neoctl = std::make_shared<FakePeer>();
    neoctl->set_msg_id(request.msg_id);
    f.handler.on_packet(*neoctl, request);
    const Error error = neoctl->last<Error>();
    CHECK(neoctl->sent.back().msg_id == 7);
    CHECK(error.code == static_cast<std::int64_t>(errc::not_ready));
    CHECK(error.message == "Not connected to a primary master.");
    CHECK(neoctl->aborted);
  }
}

TEST_CASE("Ping is answered even without a master", "[admin]") {
  Fixture f;
  f.neoctl->set_msg_id(3);
  f.handler.on_packet(*f.neoctl, frame(3, Ping{}));
  f.neoctl->last<Pong>();
  CHECK_FALSE(f.neoctl->aborted);
}

TEST_CASE("questions about the cluster are answered from the view", "[admin]") {
  Fixture f;
  f.connect();
  f.neoctl->set_msg_id(11);
  f.handler.on_packet(*f.neoctl, frame(11, AskNodeList{NodeType::Storage}));
  const AnswerNodeList storages = f.neoctl->last<AnswerNodeList>();
  REQUIRE(storages.node_list.size() == 2);
  CHECK(storages.node_list[0].nid == kS1);
  CHECK(storages.node_list[1].id_timestamp == 999.6);
  CHECK(f.neoctl->sent.back().msg_id == 11);

  f.handler.on_packet(*f.neoctl, frame(12, AskNodeList{}));
  CHECK(f.neoctl->last<AnswerNodeList>().node_list.size() == 4);

  f.handler.on_packet(*f.neoctl, frame(13, AskPartitionList{0, 0, std::nullopt}));
  const AnswerPartitionList all = f.neoctl->last<AnswerPartitionList>();
  CHECK(all.ptid == 5);
  CHECK(all.num_replicas == 1);
  REQUIRE(all.row_list.size() == 3);
  CHECK(all.row_list[1][1] == CellInfo{kS2, CellState::OutOfDate});

  f.handler.on_packet(*f.neoctl, frame(14, AskPartitionList{1, 2, kS1}));
  CHECK(f.neoctl->last<AnswerPartitionList>().row_list.size() == 1);

  f.handler.on_packet(*f.neoctl, frame(15, AskClusterState{}));
  CHECK(f.neoctl->last<AnswerClusterState>().state == ClusterState::Running);

  f.handler.on_packet(*f.neoctl, frame(16, AskPrimary{}));
  CHECK(f.neoctl->last<AnswerPrimary>().primary_nid == kM1);
  CHECK_FALSE(f.neoctl->aborted);
  CHECK(f.master->sent.empty());  // the master was not bothered
}

TEST_CASE("a partition range past the table gets NEO/py's error packet", "[admin]") {
  Fixture f;
  f.connect();
  f.neoctl->set_msg_id(20);
  f.handler.on_packet(*f.neoctl, frame(20, AskPartitionList{5, 9, std::nullopt}));
  const Error error = f.neoctl->last<Error>();
  CHECK(error.code == static_cast<std::int64_t>(errc::protocol_error));
  CHECK(error.message == "invalid partition table offset");
}

TEST_CASE("cluster commands are forwarded to the master and answered with neoctl's id", "[admin]") {
  Fixture f;
  f.connect();
  const Frame request = frame(42, SetClusterState{ClusterState::Stopping});
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
  CHECK(f.neoctl->last<Error>().message == "Cluster state changed");
  CHECK_FALSE(f.neoctl->aborted);

  SECTION("a PROTOCOL_ERROR answer is relayed, then neoctl is disconnected") {
    f.handler.on_packet(*f.neoctl, frame(43, SetNodeState{NodeId{9}, NodeState::Down}));
    f.master->reply(f.master->sent.back().msg_id, Error{6, "invalid node"});
    CHECK(f.neoctl->last<Error>().message == "invalid node");
    CHECK(f.neoctl->sent.back().msg_id == 43);
    CHECK(f.neoctl->aborted);
  }
  SECTION("a real answer is relayed as is") {
    f.handler.on_packet(*f.neoctl, frame(44, AskLastIDs{}));
    CHECK(f.master->expected[f.master->sent.back().msg_id] == AnswerLastIDs::kCode);
    f.master->reply(f.master->sent.back().msg_id, AnswerLastIDs{Tid{7}, Oid{3}, Tid{1}});
    CHECK(f.neoctl->last<AnswerLastIDs>().last_tid == Tid{7});
    CHECK(f.neoctl->sent.back().msg_id == 44);
  }
  SECTION("losing the master fails the forwarded request") {
    f.handler.on_packet(*f.neoctl, frame(45, TweakPartitionTable{}));
    f.master->fail(f.master->sent.back().msg_id, make_error_code(errc::connection_closed));
    CHECK(f.neoctl->last<Error>().message == "connection to master lost");
    CHECK(f.neoctl->aborted);
  }
}

TEST_CASE("FlushLog is relayed to the master", "[admin]") {
  Fixture f;
  f.connect();
  f.handler.on_packet(*f.neoctl, frame(5, FlushLog{}));
  REQUIRE(f.master->sent.size() == 1);
  CHECK(f.master->sent.back().code == FlushLog::kCode);
  CHECK(f.neoctl->sent.empty());
}

TEST_CASE("print summary asks the master for the last TID when RUNNING", "[admin]") {
  Fixture f;
  f.connect();
  f.neoctl->set_msg_id(9);
  f.handler.on_packet(*f.neoctl, frame(9, AskMonitorInformation{}));
  REQUIRE(f.master->sent.size() == 1);
  CHECK(f.master->sent.back().code == AskLastTransaction::kCode);
  CHECK(f.neoctl->sent.empty());
  f.master->reply(f.master->sent.back().msg_id, AnswerLastTransaction{Tid{0x03f1e7a2c0000000}});
  const AnswerMonitorInformation answer = f.neoctl->last<AnswerMonitorInformation>();
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
                             frame(4, NotifyClusterInformation{ClusterState::Recovering}));
  f.handler.on_packet(*f.neoctl, frame(9, AskMonitorInformation{}));
  CHECK(f.master->sent.empty());
  const AnswerMonitorInformation answer = f.neoctl->last<AnswerMonitorInformation>();
  CHECK(answer.summary == "RECOVERING; OUT_OF_DATE=1, UP_TO_DATE=5");
  CHECK(answer.problem_list == std::vector<std::optional<std::string>>{std::nullopt});
}

TEST_CASE("a storage going down is counted in the summary", "[admin]") {
  Fixture f;
  f.connect();
  NotifyNodeInformation down{
      .timestamp = 1001.0,
      .node_list = {{NodeType::Storage, Address{"127.0.0.1", 22003}, kS2, NodeState::Down, {}}}};
  f.master_handler.on_packet(*f.master, frame(5, down));
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
    f.handler.on_packet(*peer, frame(1, request));
    return peer;
  };
  auto client = identify(NodeType::Client, "test");
  CHECK(client->last<Error>().message == "reject non-admin node");
  CHECK(client->aborted);
  auto stranger = identify(NodeType::Admin, "other");
  CHECK(stranger->last<Error>().message == "unknown backup cluster 'other'");
  auto backup = identify(NodeType::Admin, "backup1");
  CHECK(backup->last<AcceptIdentification>().node_type == NodeType::Admin);
  CHECK_FALSE(backup->aborted);
  auto again = identify(NodeType::Admin, "backup1");
  CHECK(again->last<Error>().message == "already connected");
}

TEST_CASE("unexpected packets from neoctl are refused", "[admin]") {
  Fixture f;
  f.connect();
  f.handler.on_packet(*f.neoctl, frame(3, AskObject{}));
  CHECK(f.neoctl->last<Error>().code == static_cast<std::int64_t>(errc::protocol_error));
  CHECK(f.neoctl->aborted);
}

TEST_CASE("a malformed notification from the master is a protocol error", "[admin]") {
  Fixture f;
  f.connect();
  NotifyPartitionChanges bad{
      .ptid = 6, .num_replicas = 1, .cell_list = {{99, kS1, CellState::UpToDate}}};
  f.master_handler.on_packet(*f.master, frame(6, bad));
  CHECK(f.master->last<Error>().code == static_cast<std::int64_t>(errc::protocol_error));
  CHECK(f.master->aborted);
}

TEST_CASE("python_repr quotes as Python does", "[admin]") {
  CHECK(neo::admin::python_repr("abc") == "'abc'");
  CHECK(neo::admin::python_repr("it's") == "\"it's\"");
  CHECK(neo::admin::python_repr("a'\"b") == "'a\\'\"b'");
  CHECK(neo::admin::python_repr("a\nb") == "'a\\nb'");
}
