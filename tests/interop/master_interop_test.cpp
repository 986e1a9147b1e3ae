// Interoperability with an upstream NEO/py master: our codec and connection
// layer identify to it as an ADMIN and as a CLIENT node and check what it
// sends (spec 10.2, 10.4). Skipped (exit code 77) without NEO_PEER_PYTHONPATH.
#include <asio/steady_timer.hpp>
#include <catch2/catch.hpp>
#include <cstdio>

#include "core/net/connection.hpp"
#include "tests/interop/upstream_cluster.hpp"
#include "tests/net/net_support.hpp"
#include "tests/net/test_certs.hpp"

namespace protocol = neo::protocol;
using namespace neo::net;
using namespace neo::net::test;
using neo::NodeId;
using neo::Result;
using neo::interop::UpstreamCluster;
using protocol::ClusterState;
using protocol::NodeState;
using protocol::NodeType;

namespace {

// Sends `packet` and runs `io` until its answer arrives; FAILs on an error.
template <class P>
typename P::Answer call(asio::io_context& io, Connection& connection, const P& packet) {
  std::optional<Result<typename P::Answer>> answer;
  std::string message;
  connection.ask(packet, [&](Result<typename P::Answer> result, std::string_view text) {
    answer.emplace(std::move(result));
    message = text;
  });
  REQUIRE(run_until(
      io, [&] { return answer.has_value(); }, 20s));
  INFO(P::kName << " failed: " << answer->error().message() << ": " << message);
  REQUIRE(answer->has_value());
  return std::move(answer->value());
}

// The packets of type P received as notifications so far.
template <class P>
std::vector<P> received(const RecordingHandler& handler) {
  std::vector<P> packets;
  for (const protocol::Frame& frame : handler.frames) {
    if (frame.code != P::kCode) continue;
    Result<P> packet = protocol::decode_args<P>(frame.args);
    REQUIRE(packet);
    packets.push_back(std::move(*packet));
  }
  return packets;
}

struct Session {
  std::shared_ptr<Connection> connection;
  std::shared_ptr<RecordingHandler> handler;
  protocol::AcceptIdentification accepted;
};

Session identify(asio::io_context& io, const UpstreamCluster& cluster,
                 const ConnectionOptions& options, NodeType type, std::optional<Address> address) {
  Session session;
  session.handler = std::make_shared<RecordingHandler>();
  session.connection = Connection::connect(io, cluster.master(), session.handler, options);
  protocol::RequestIdentification request{.node_type = type, .name = cluster.name()};
  if (address) request.address = protocol::Address{address->host, address->port};
  if (type == NodeType::Admin) {
    request.extra.emplace_back("backup", protocol::Value::array({}));
  }
  session.accepted = call(io, *session.connection, request);
  // Then the master sends the node list and the partition table.
  REQUIRE(run_until(
      io, [&] { return !received<protocol::SendPartitionTable>(*session.handler).empty(); }));
  return session;
}

// Waits until the master answers Ping on a fresh connection.
bool wait_for_master(asio::io_context& io, UpstreamCluster& cluster,
                     const ConnectionOptions& options) {
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  while (std::chrono::steady_clock::now() < deadline && cluster.alive()) {
    auto handler = std::make_shared<RecordingHandler>();
    auto connection = Connection::connect(io, cluster.master(), handler, options);
    bool pong = false;
    connection->ask(protocol::Ping{}, [&](Result<protocol::Pong> answer, std::string_view) {
      pong = answer.has_value();
    });
    run_until(
        io, [&] { return pong || handler->closed.has_value(); }, 5s);
    connection->close({});
    if (pong) return true;
    // Not listening yet: the next attempt comes after the master's startup step.
    asio::steady_timer delay(io, 200ms);
    bool waited = false;
    delay.async_wait([&](std::error_code) { waited = true; });
    run_until(io, [&] { return waited; });
  }
  return false;
}

const protocol::NodeInfo* find_node(const std::vector<protocol::NodeInfo>& nodes, NodeType type) {
  for (const protocol::NodeInfo& node : nodes) {
    if (node.node_type == type) return &node;
  }
  return nullptr;
}

// The last state announced for the first node of `type`, if any.
std::optional<NodeState> last_state(const RecordingHandler& handler, NodeType type) {
  std::optional<NodeState> state;
  for (const auto& notification : received<protocol::NotifyNodeInformation>(handler)) {
    if (const protocol::NodeInfo* node = find_node(notification.node_list, type)) {
      state = node->state;
    }
  }
  return state;
}

void check_first_node_list(const Session& session, NodeType type, std::optional<Address> address,
                           const UpstreamCluster& cluster) {
  auto lists = received<protocol::NotifyNodeInformation>(*session.handler);
  REQUIRE_FALSE(lists.empty());
  const std::vector<protocol::NodeInfo>& nodes = lists.front().node_list;
  REQUIRE(nodes.size() >= 2);
  // Our own node first.
  CHECK(nodes[0].node_type == type);
  CHECK(nodes[0].nid == session.accepted.your_nid);
  CHECK(nodes[0].state == NodeState::Running);
  if (address) {
    CHECK(nodes[0].address == protocol::Address{address->host, address->port});
  } else {
    CHECK_FALSE(nodes[0].address);
  }
  CHECK(nodes[0].id_timestamp.has_value());
  // Then the master.
  const protocol::NodeInfo* master = find_node(nodes, NodeType::Master);
  REQUIRE(master);
  CHECK(master->nid == session.accepted.nid);
  CHECK(master->state == NodeState::Running);
  CHECK(master->address == protocol::Address{cluster.master().host, cluster.master().port});
}

void check_partition_table(const Session& session, NodeId storage) {
  auto tables = received<protocol::SendPartitionTable>(*session.handler);
  REQUIRE(tables.size() == 1);
  const protocol::SendPartitionTable& pt = tables.front();
  CHECK(pt.ptid.has_value());
  CHECK(pt.num_replicas == 0);
  REQUIRE(pt.row_list.size() == 3);
  for (const auto& row : pt.row_list) {
    REQUIRE(row.size() == 1);
    CHECK(row[0].nid == storage);
    CHECK(row[0].state == protocol::CellState::UpToDate);
  }
}

// Prints the upstream nodes' output and log when a REQUIRE fails.
struct ShowDiagnostics {
  ~ShowDiagnostics() {
    if (std::uncaught_exceptions() > 0) std::fprintf(stderr, "%s\n", cluster.diagnostics().c_str());
  }
  UpstreamCluster& cluster;
};

void run_scenario(UpstreamCluster& cluster, const ConnectionOptions& options) {
  asio::io_context io;
  ShowDiagnostics show_diagnostics{cluster};
  REQUIRE(wait_for_master(io, cluster, options));

  // Admin nodes with a listening address, as NEO/py's admin identifies.
  auto refuse = [](Connection&) { return std::shared_ptr<Handler>(); };
  auto listener = Listener::listen(io, Address{"127.0.0.1", 0}, options, refuse);
  auto listener2 = Listener::listen(io, Address{"127.0.0.1", 0}, options, refuse);
  REQUIRE(listener);
  REQUIRE(listener2);
  const Address admin_address = (*listener)->local_address();
  const Address admin2_address = (*listener2)->local_address();

  // 1. First admin: may come before the storage; follows the cluster start.
  Session admin = identify(io, cluster, options, NodeType::Admin, admin_address);
  CHECK(admin.accepted.node_type == NodeType::Master);
  REQUIRE(admin.accepted.nid);
  CHECK(neo::to_string(*admin.accepted.nid) == "M1");
  REQUIRE(admin.accepted.your_nid);
  CHECK(neo::to_string(*admin.accepted.your_nid) == "A1");
  admin.connection->set_nid(admin.accepted.nid);
  check_first_node_list(admin, NodeType::Admin, admin_address, cluster);
  {
    auto tables = received<protocol::SendPartitionTable>(*admin.handler);
    REQUIRE(tables.size() == 1);
    CHECK(tables.front().row_list.size() == 3);
  }
  std::optional<ClusterState> state =
      call(io, *admin.connection, protocol::AskClusterState{}).state;
  REQUIRE(run_until(
      io,
      [&] {
        for (const auto& info : received<protocol::NotifyClusterInformation>(*admin.handler)) {
          state = info.state;
        }
        return state == ClusterState::Running &&
               last_state(*admin.handler, NodeType::Storage) == NodeState::Running;
      },
      60s));
  CHECK(call(io, *admin.connection, protocol::AskClusterState{}).state == ClusterState::Running);
  const protocol::AnswerLastIDs last_ids = call(io, *admin.connection, protocol::AskLastIDs{});
  CHECK(last_ids.first_tid <= neo::kMaxTid);
  const protocol::AnswerRecovery recovery = call(io, *admin.connection, protocol::AskRecovery{});
  CHECK(recovery.ptid.has_value());
  CHECK_FALSE(recovery.backup_tid);
  call(io, *admin.connection, protocol::Ping{});

  // 2. Second admin, cluster running: the node list is complete at once.
  // (Another address: the master refuses a second node at the same one.)
  Session admin2 = identify(io, cluster, options, NodeType::Admin, admin2_address);
  CHECK(neo::to_string(admin2.accepted.your_nid) == "A2");
  check_first_node_list(admin2, NodeType::Admin, admin2_address, cluster);
  const auto nodes = received<protocol::NotifyNodeInformation>(*admin2.handler).front().node_list;
  const protocol::NodeInfo* storage = find_node(nodes, NodeType::Storage);
  REQUIRE(storage);
  REQUIRE(storage->nid);
  CHECK(neo::to_string(*storage->nid) == "S1");
  CHECK(storage->state == NodeState::Running);
  CHECK(storage->address == protocol::Address{cluster.storage().host, cluster.storage().port});
  CHECK(nodes.size() == 3);  // admins are not listed to admins
  check_partition_table(admin2, *storage->nid);

  // 3. A client (no address): allowed once the cluster is RUNNING.
  Session client = identify(io, cluster, options, NodeType::Client, std::nullopt);
  CHECK(client.accepted.node_type == NodeType::Master);
  CHECK(client.accepted.nid == admin.accepted.nid);
  CHECK(neo::to_string(client.accepted.your_nid) == "C1");
  check_first_node_list(client, NodeType::Client, std::nullopt, cluster);
  const auto client_nodes =
      received<protocol::NotifyNodeInformation>(*client.handler).front().node_list;
  CHECK(client_nodes.size() == 3);  // itself, the master, the storage
  CHECK(find_node(client_nodes, NodeType::Storage));
  CHECK_FALSE(find_node(client_nodes, NodeType::Admin));
  check_partition_table(client, *storage->nid);
  call(io, *client.connection, protocol::AskLastTransaction{});
  call(io, *client.connection, protocol::Ping{});
  // The first admin hears about the new client.
  REQUIRE(run_until(io, [&] { return last_state(*admin.handler, NodeType::Client).has_value(); }));

  for (Session* session : {&client, &admin2, &admin}) session->connection->close({});
  REQUIRE(run_until(io, [&] { return client.handler->closed && admin.handler->closed; }));
  CHECK(cluster.alive());
}

}  // namespace

TEST_CASE("an upstream master accepts our admin and client nodes", "[interop]") {
  UpstreamCluster cluster(UpstreamCluster::Options{});
  run_scenario(cluster, ConnectionOptions{});
}

TEST_CASE("an upstream master accepts our nodes over TLS", "[interop][tls]") {
  TestPki pki;
  pki.make_ca("ca");
  pki.make_cert("ca", "master");
  pki.make_cert("ca", "storage");
  pki.make_cert("ca", "ours");
  UpstreamCluster::Options options;
  options.master_tls = pki.files("ca", "master");
  options.storage_tls = pki.files("ca", "storage");
  UpstreamCluster cluster(options);
  auto context = TlsContext::load(pki.files("ca", "ours"));
  REQUIRE(context);
  ConnectionOptions tls;
  tls.tls = *context;
  run_scenario(cluster, tls);

  // A plain connection to the TLS master is refused.
  asio::io_context io;
  auto handler = std::make_shared<RecordingHandler>();
  auto plain = Connection::connect(io, cluster.master(), handler, {});
  bool pong = false;
  plain->ask(protocol::Ping{},
             [&](Result<protocol::Pong> answer, std::string_view) { pong = answer.has_value(); });
  REQUIRE(run_until(io, [&] { return handler->closed.has_value(); }));
  CHECK_FALSE(pong);
}
