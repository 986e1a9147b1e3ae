// StorageApp without sockets (no listen, no bootstrap): delayed
// identifications, connections of forgotten nodes, shutdown with erase.
#include "nodes/storage/storage_app.hpp"

#include <asio/io_context.hpp>
#include <catch2/catch.hpp>

#include "core/net/io_scheduler.hpp"
#include "core/net/network.hpp"
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
