// StorageApp without sockets (no listen, no bootstrap): delayed
// identifications, connections of forgotten nodes, shutdown with erase.
#include "nodes/storage/storage_app.hpp"

#include <asio/io_context.hpp>
#include <catch2/catch.hpp>

#include "core/net/io_scheduler.hpp"
#include "core/net/network.hpp"
#include "nodes/storage/peer_handlers.hpp"
#include "tests/support/fake_peer.hpp"
#include "tests/unit/storage/storage_node_support.hpp"
#include "tests/unit/storage/storage_test_support.hpp"

namespace protocol = neo::protocol;
using neo::NodeId;
using neo::storage::StorageApp;
using neo::test::FakePeer;
using protocol::CellState;
using protocol::NodeState;
using protocol::NodeType;

namespace {

const NodeId kS1 = neo::make_node_id(1, 1);
const NodeId kM1 = neo::make_node_id(0, 1);
const NodeId kC1 = neo::make_node_id(2, 1);

struct AppFixture {
  neo::storage::test::TempDir dir;
  asio::io_context io;
  neo::net::IoScheduler scheduler{io};
  std::unique_ptr<neo::net::Network> network = neo::net::make_asio_network(io, {});
  neo::daemon::Env env{scheduler, *network, "neostorage", {}, {}, {}, {}};
  std::optional<int> exited;
  std::shared_ptr<StorageApp> app;

  AppFixture() {
    env.exit = [this](int status) { exited = status; };
    neo::storage::StorageOptions options;
    options.server.cluster = "test";
    options.adapter = "SQLite";
    options.database = dir.file("s.db");
    app = std::make_shared<StorageApp>(env, options, neo::storage::open_database(options));
    auto& state = app->state();
    REQUIRE_FALSE(state.identified(kS1));
    REQUIRE(state.apply_nodes({1.0,
                               {{NodeType::Master, protocol::Address{"127.0.0.1", 21500}, kM1,
                                 NodeState::Running, std::nullopt},
                                {NodeType::Storage, protocol::Address{"127.0.0.1", 21510}, kS1,
                                 NodeState::Running, 1.0}}}));
    std::string message;
    protocol::RowList rows(1, std::vector<protocol::CellInfo>{{kS1, CellState::UpToDate}});
    REQUIRE(state.load_partition_table({1, 0, rows}, message));
    REQUIRE_FALSE(state.start_operation());
  }
  void announce_client(double t, NodeState state) {
    auto applied =
        app->state().apply_nodes({t, {{NodeType::Client, std::nullopt, kC1, state, 5.0}}});
    REQUIRE(applied);
    app->nodes_changed(applied->removed);
  }
};

protocol::RequestIdentification client_request() {
  return {.node_type = NodeType::Client,
          .nid = kC1,
          .address = std::nullopt,
          .name = "test",
          .id_timestamp = 5.0,
          .extra = {}};
}

}  // namespace

TEST_CASE("a client announced late is accepted once the master announces it", "[storage][node]") {
  AppFixture f;
  auto peer = std::make_shared<FakePeer>();
  peer->set_msg_id(3);
  f.app->identify(*peer, client_request());
  CHECK(peer->sent.empty());
  f.announce_client(5.0, NodeState::Running);
  auto accept = peer->last_sent<protocol::AcceptIdentification>();
  REQUIRE(accept);
  CHECK(peer->sent.back().msg_id == 3);
  CHECK(accept->nid == kS1);
  CHECK(accept->your_nid == kC1);
  CHECK(peer->nid() == kC1);
  // Forgotten by the master: its connection is closed.
  f.announce_client(6.0, NodeState::Unknown);
  CHECK(peer->closed());
}

TEST_CASE("a client unknown by the master is refused NOT_READY", "[storage][node]") {
  AppFixture f;
  f.announce_client(6.0, NodeState::Running);  // announced with id_timestamp 5.0
  auto peer = std::make_shared<FakePeer>();
  auto request = client_request();
  request.id_timestamp = 4.0;
  f.app->identify(*peer, request);
  auto error = peer->last_sent<protocol::Error>();
  REQUIRE(error);
  CHECK(error->code == static_cast<int>(neo::errc::not_ready));
  CHECK(error->message == "unknown by master");
  CHECK(peer->aborted);
}

TEST_CASE("told UNKNOWN, the storage erases its database and exits 0", "[storage][node]") {
  AppFixture f;
  f.app->shutdown(true);
  CHECK(f.exited == 0);
  CHECK_FALSE(f.app->state().db().name());
}

TEST_CASE("a check uses the connection another storage opened to us", "[storage][node][check]") {
  // NEO/py refuses a second connection between two storages ("already
  // connected"): the Checker asks through the one that node opened.
  AppFixture f;
  const NodeId s2 = neo::make_node_id(1, 2);
  const protocol::Address s2_address{"127.0.0.1", 21520};
  auto& state = f.app->state();
  REQUIRE(state.apply_nodes({2.0, {{NodeType::Storage, s2_address, s2, NodeState::Running, 2.0}}}));
  std::string message;
  protocol::RowList rows(
      1, std::vector<protocol::CellInfo>{{kS1, CellState::UpToDate}, {s2, CellState::UpToDate}});
  REQUIRE(state.load_partition_table({2, 1, rows}, message));
  auto incoming = std::make_shared<FakePeer>();
  incoming->on_close = [&f](neo::net::Peer& peer) { f.app->peer_closed(peer); };
  f.app->identify(*incoming, {.node_type = NodeType::Storage,
                              .nid = s2,
                              .address = s2_address,
                              .name = "test",
                              .id_timestamp = 2.0,
                              .extra = {}});
  REQUIRE(incoming->last_sent<protocol::AcceptIdentification>());

  f.app->check_partition({.partition = 0, .source = {}, .min_tid = {}, .max_tid = neo::Tid{10}});
  f.io.poll();
  // The requests go through `incoming`; S2's answers are our own (same data).
  neo::storage::OperationHandler s2_side(*f.app, NodeType::Storage);
  for (std::size_t i = 0; i < incoming->sent.size(); ++i) {
    const FakePeer::Sent request = incoming->sent[i];
    if (!incoming->callbacks.count(request.msg_id)) continue;
    auto answer = std::make_shared<FakePeer>();
    answer->set_msg_id(request.msg_id);
    s2_side.on_packet(*answer, {request.msg_id, request.code, request.args});
    REQUIRE(answer->sent.size() == 1);
    const FakePeer::Sent& a = answer->sent[0];
    incoming->reply_frame(request.msg_id, protocol::Frame{a.msg_id, a.code, a.args});
  }
  CHECK(incoming->all<protocol::AskCheckTIDRange>().size() == 1);
  CHECK(incoming->all<protocol::AskCheckSerialRange>().size() == 1);
  // The check is over: the loan ends, the connection stays.
  CHECK_FALSE(incoming->closed());
}
