#include "nodes/master/master.hpp"

#include <catch2/catch.hpp>

#include "tests/support/fake_peer.hpp"

namespace protocol = neo::protocol;
using neo::errc;
using neo::NodeId;
using neo::master::Master;
using neo::master::MasterConfig;
using neo::test::FakePeer;
using neo::test::frame_of;
using protocol::ClusterState;
using protocol::NodeState;
using protocol::NodeType;

namespace {

const NodeId M1{static_cast<std::int32_t>(0xf0000001)};
const NodeId S1{1}, S2{2};

struct Cluster {
  explicit Cluster(std::optional<std::int64_t> autostart = 1, std::uint32_t replicas = 0) {
    MasterConfig config;
    config.cluster = "test";
    config.bind = {"127.0.0.1", 21000};
    config.autostart = autostart;
    config.partitions = 4;
    config.replicas = replicas;
    neo::master::Hooks hooks;
    hooks.exit = [this](int status) { exit_status = status; };
    master = std::make_shared<Master>(config, hooks, [this] { return now += 1; });
    master->start();
  }

  std::shared_ptr<FakePeer> connect(NodeType type, std::uint16_t port,
                                    std::optional<NodeId> nid = {}, std::string name = "test") {
    auto peer = std::make_shared<FakePeer>("127.0.0.1:" + std::to_string(port));
    protocol::RequestIdentification r;
    r.node_type = type;
    r.nid = nid;
    r.address = protocol::Address{"127.0.0.1", port};
    r.name = std::move(name);
    master->on_packet(*peer, frame_of(r));
    return peer;
  }

  // Answers what a storage with an empty database answers during
  // verification (locked transactions, last ids, pack orders).
  static void verify_empty(FakePeer& s) { verify_empty({&s}); }
  static void verify_empty(std::vector<FakePeer*> storages) {
    for (FakePeer* s : storages) s->reply<protocol::AskLockedTransactions>({});
    for (FakePeer* s : storages)
      s->reply<protocol::AskLastIDs>({neo::Tid{0x10}, neo::Oid{3}, neo::Tid{1}});
    for (FakePeer* s : storages) s->reply<protocol::AskPackOrders>({});
  }

  std::shared_ptr<Master> master;
  double now = 1000;
  std::optional<int> exit_status;
};

}  // namespace

TEST_CASE("a node of another cluster is refused", "[master]") {
  Cluster c;
  auto s = c.connect(NodeType::Storage, 21011, {}, "other");
  auto error = s->last<protocol::Error>();
  REQUIRE(error);
  CHECK(error->code == static_cast<int>(errc::protocol_error));
  CHECK(error->message == "invalid cluster name");
  CHECK(s->aborted);
  CHECK(c.master->nodes().list(NodeType::Storage).empty());
}

TEST_CASE("packets other than identification are refused before it", "[master]") {
  Cluster c;
  FakePeer peer;
  c.master->on_packet(peer, frame_of(protocol::AskClusterState{}));
  REQUIRE(peer.last<protocol::Error>());
  CHECK(peer.last<protocol::Error>()->code == static_cast<int>(errc::protocol_error));
  CHECK(peer.aborted);
}

TEST_CASE("a malformed identification is an error, not a crash", "[master]") {
  Cluster c;
  FakePeer peer;
  c.master->on_packet(peer, protocol::Frame{1, protocol::RequestIdentification::kCode, "\x91\xc0"});
  CHECK(peer.aborted);
}

TEST_CASE("clients are refused until the cluster is RUNNING", "[master]") {
  Cluster c;
  auto client = c.connect(NodeType::Client, 0);
  REQUIRE(client->last<protocol::Error>());
  CHECK(client->last<protocol::Error>()->code == static_cast<int>(errc::not_ready));
}

TEST_CASE("a storage is accepted PENDING and asked for recovery", "[master]") {
  Cluster c(2);
  auto s = c.connect(NodeType::Storage, 21011);
  auto accept = s->last<protocol::AcceptIdentification>();
  REQUIRE(accept);
  CHECK(accept->node_type == NodeType::Master);
  CHECK(accept->nid == M1);
  CHECK(accept->your_nid == S1);
  auto nodes = s->last<protocol::NotifyNodeInformation>();
  REQUIRE(nodes);
  REQUIRE(nodes->node_list.size() == 2);
  CHECK(nodes->node_list[0].nid == S1);  // itself first
  CHECK(nodes->node_list[0].state == NodeState::Pending);
  CHECK(nodes->node_list[1].nid == M1);
  CHECK(s->all<protocol::AskRecovery>().size() == 1);
  CHECK(s->all<protocol::SendPartitionTable>().empty());  // no table during recovery
  // The second storage gets the next id; the first hears about it.
  auto s2 = c.connect(NodeType::Storage, 21012);
  CHECK(s2->last<protocol::AcceptIdentification>()->your_nid == S2);
  CHECK(s->last<protocol::NotifyNodeInformation>()->node_list.back().nid == S2);
  CHECK(c.master->cluster_state() == ClusterState::Recovering);
}

TEST_CASE("autostart: recovery, verification, then RUNNING with StartOperation", "[master]") {
  Cluster c(1);
  auto admin = c.connect(NodeType::Admin, 21020);
  auto s = c.connect(NodeType::Storage, 21011);
  REQUIRE(s->reply<protocol::AskRecovery>({std::nullopt, std::nullopt, std::nullopt}));
  CHECK(c.master->cluster_state() == ClusterState::Verifying);
  CHECK(c.master->pt().ptid() == 1);
  CHECK(c.master->nodes().state_of(S1) == NodeState::Running);
  CHECK(s->last<protocol::SendPartitionTable>()->ptid == 1);
  CHECK(admin->last<protocol::SendPartitionTable>()->ptid == 1);
  Cluster::verify_empty(*s);
  CHECK(c.master->cluster_state() == ClusterState::Running);
  CHECK(s->all<protocol::StartOperation>().size() == 1);
  CHECK(admin->last<protocol::NotifyClusterInformation>()->state == ClusterState::Running);
  CHECK(c.master->last_transaction() == neo::Tid{0x10});
  // print ids through the admin
  c.master->on_packet(*admin, frame_of(protocol::AskLastIDs{}));
  auto ids = admin->last<protocol::AnswerLastIDs>();
  REQUIRE(ids);
  CHECK(ids->last_tid == neo::Tid{0x10});
  CHECK(ids->last_oid == neo::Oid{3});
  // clients are accepted now; new oids follow verification's last oid.
  auto client = c.connect(NodeType::Client, 0);
  CHECK(client->last<protocol::AcceptIdentification>());
  c.master->on_packet(*client, frame_of(protocol::AskNewOIDs{2}));
  REQUIRE(client->last<protocol::AnswerNewOIDs>());
  CHECK(client->last<protocol::AnswerNewOIDs>()->oid_list ==
        std::vector<neo::Oid>{neo::Oid{4}, neo::Oid{5}});
}

TEST_CASE("an existing cluster loads the newest table and waits for its storages", "[master]") {
  Cluster c(1);
  auto s1 = c.connect(NodeType::Storage, 21011, S1);
  s1->reply<protocol::AskRecovery>({2, std::nullopt, std::nullopt});
  protocol::RowList rows(4);
  for (auto& row : rows)
    row = {{S1, protocol::CellState::UpToDate}, {S2, protocol::CellState::UpToDate}};
  REQUIRE(s1->reply<protocol::AskPartitionTable>({2, 1, rows}));
  CHECK(c.master->pt().ptid() == 2);
  // S1 alone would be enough to serve, but S2 has readable cells too.
  CHECK(c.master->cluster_state() == ClusterState::Recovering);
  auto s2 = c.connect(NodeType::Storage, 21012, S2);
  CHECK(s2->last<protocol::AcceptIdentification>()->your_nid == S2);
  s2->reply<protocol::AskRecovery>({2, std::nullopt, std::nullopt});
  CHECK(c.master->cluster_state() == ClusterState::Verifying);
  CHECK(c.master->pt().ptid() == 2);  // nothing outdated
}

TEST_CASE("neoctl start is refused without storage, then allows a new cluster", "[master]") {
  Cluster c(std::nullopt);
  auto admin = c.connect(NodeType::Admin, 21020);
  c.master->on_packet(*admin, frame_of(protocol::SetClusterState{ClusterState::Verifying}));
  CHECK(admin->last<protocol::Error>()->code == static_cast<int>(errc::denied));
  CHECK(admin->last<protocol::Error>()->message == "Cannot exit recovery without any storage node");
  auto s = c.connect(NodeType::Storage, 21011);
  s->reply<protocol::AskRecovery>({});
  CHECK(c.master->cluster_state() == ClusterState::Recovering);
  c.master->on_packet(*admin, frame_of(protocol::SetClusterState{ClusterState::Verifying}));
  CHECK(admin->last<protocol::Error>()->code == static_cast<int>(errc::ack));
  CHECK(c.master->cluster_state() == ClusterState::Verifying);
  c.master->on_packet(*admin, frame_of(protocol::SetClusterState{ClusterState::Running}));
  CHECK(admin->last<protocol::Error>()->message == "Invalid state requested");
}

TEST_CASE("partition table changes are refused outside RUNNING", "[master]") {
  Cluster c(std::nullopt);
  auto admin = c.connect(NodeType::Admin, 21020);
  c.master->on_packet(*admin, frame_of(protocol::TweakPartitionTable{false, {}}));
  CHECK(admin->last<protocol::Error>()->message ==
        "tweakPartitionTable RPC can not be used in RECOVERING state");
}

TEST_CASE("losing the only storage goes back to RECOVERING", "[master]") {
  Cluster c(1);
  auto s = c.connect(NodeType::Storage, 21011);
  s->reply<protocol::AskRecovery>({});
  Cluster::verify_empty(*s);
  REQUIRE(c.master->cluster_state() == ClusterState::Running);
  c.master->on_closed(*s);
  CHECK(c.master->nodes().state_of(S1) == NodeState::Down);
  CHECK(c.master->cluster_state() == ClusterState::Recovering);
  // It comes back with its id: the table is reloaded from it.
  auto back = c.connect(NodeType::Storage, 21011, S1);
  CHECK(back->last<protocol::AcceptIdentification>()->your_nid == S1);
  CHECK(back->all<protocol::AskRecovery>().size() == 1);
}

TEST_CASE("a new storage joins PENDING, is added, then the table is tweaked", "[master]") {
  Cluster c(1);
  auto admin = c.connect(NodeType::Admin, 21020);
  auto s1 = c.connect(NodeType::Storage, 21011);
  s1->reply<protocol::AskRecovery>({});
  Cluster::verify_empty(*s1);
  auto s2 = c.connect(NodeType::Storage, 21012);
  CHECK(c.master->nodes().state_of(S2) == NodeState::Pending);
  CHECK(s2->last<protocol::SendPartitionTable>());
  CHECK(s2->all<protocol::StartOperation>().empty());
  c.master->on_packet(*admin, frame_of(protocol::AddPendingNodes{{S2}}));
  CHECK(admin->last<protocol::Error>()->message == "Nodes added: S2");
  CHECK(s2->all<protocol::StartOperation>().size() == 1);
  c.master->on_packet(*admin, frame_of(protocol::TweakPartitionTable{true, {}}));
  auto dry = admin->last<protocol::AnswerTweakPartitionTable>();
  REQUIRE(dry);
  CHECK(dry->changed);
  CHECK(c.master->pt().ptid() == 1);  // dry run: unchanged
  c.master->on_packet(*admin, frame_of(protocol::TweakPartitionTable{false, {}}));
  CHECK(c.master->pt().ptid() == 2);
  auto changes = s1->last<protocol::NotifyPartitionChanges>();
  REQUIRE(changes);
  CHECK(changes->ptid == 2);
  CHECK(!c.master->pt().partitions_of(S2).empty());
}

TEST_CASE("drop refuses a running storage; kill outdates and disconnects it", "[master]") {
  Cluster c(2, 1);
  auto admin = c.connect(NodeType::Admin, 21020);
  auto s1 = c.connect(NodeType::Storage, 21011);
  auto s2 = c.connect(NodeType::Storage, 21012);
  s1->reply<protocol::AskRecovery>({});
  s2->reply<protocol::AskRecovery>({});
  Cluster::verify_empty({s1.get(), s2.get()});
  REQUIRE(c.master->cluster_state() == ClusterState::Running);
  c.master->on_packet(*admin, frame_of(protocol::SetNodeState{S2, NodeState::Unknown}));
  CHECK(admin->last<protocol::Error>()->message == "a running node must be stopped before removal");
  c.master->on_packet(*admin, frame_of(protocol::SetNodeState{S2, NodeState::Down}));
  CHECK(admin->last<protocol::Error>()->message == "state changed");
  CHECK(s2->aborted);
  CHECK(s2->last<protocol::NotifyNodeInformation>()->node_list.at(0).state == NodeState::Down);
  CHECK(c.master->pt().outdated_partitions(S2).size() == 4);
  c.master->on_closed(*s2);  // no second outdate, still RUNNING
  CHECK(c.master->cluster_state() == ClusterState::Running);
  c.master->on_packet(*admin, frame_of(protocol::SetNodeState{S2, NodeState::Unknown}));
  CHECK(admin->last<protocol::Error>()->message == "node permanently removed");
  CHECK(c.master->nodes().by_nid(S2) == nullptr);
  c.master->on_packet(*admin, frame_of(protocol::SetNodeState{M1, NodeState::Down}));
  CHECK(admin->last<protocol::Error>()->message == "can not kill primary master node");
}

TEST_CASE("STOPPING tells storages they are DOWN, closes and exits 0", "[master]") {
  Cluster c(1);
  auto admin = c.connect(NodeType::Admin, 21020);
  auto s = c.connect(NodeType::Storage, 21011);
  s->reply<protocol::AskRecovery>({});
  Cluster::verify_empty(*s);
  c.master->on_packet(*admin, frame_of(protocol::SetClusterState{ClusterState::Stopping}));
  CHECK(admin->last<protocol::Error>()->code == static_cast<int>(errc::ack));
  CHECK(s->last<protocol::NotifyClusterInformation>()->state == ClusterState::Stopping);
  auto down = s->last<protocol::NotifyNodeInformation>();
  REQUIRE(down);
  CHECK(down->node_list.at(0).state == NodeState::Down);
  CHECK(s->aborted);
  CHECK(admin->aborted);
  CHECK(c.exit_status == 0);
}

TEST_CASE("admins and clients are forgotten on disconnection", "[master]") {
  Cluster c(1);
  auto admin = c.connect(NodeType::Admin, 21020);
  auto s = c.connect(NodeType::Storage, 21011);
  s->reply<protocol::AskRecovery>({});
  Cluster::verify_empty(*s);
  auto client = c.connect(NodeType::Client, 0);
  const auto cnid = *client->last<protocol::AcceptIdentification>()->your_nid;
  c.master->on_closed(*client);
  CHECK(c.master->nodes().by_nid(cnid) == nullptr);
  CHECK(s->last<protocol::NotifyNodeInformation>()->node_list.at(0).state == NodeState::Unknown);
  c.master->on_closed(*admin);
  CHECK(c.master->nodes().list(NodeType::Admin).empty());
}

TEST_CASE("election: a master that started before us wins, we turn secondary", "[master]") {
  MasterConfig config;
  config.cluster = "test";
  config.bind = {"127.0.0.1", 21001};
  config.masters = {{"127.0.0.1", 21000}, {"127.0.0.1", 21001}};
  config.autostart = 1;
  std::vector<std::shared_ptr<FakePeer>> outgoing;
  neo::master::Hooks hooks;
  hooks.connect = [&](const neo::net::Address& to) {
    outgoing.push_back(std::make_shared<FakePeer>(neo::net::to_string(to)));
    return outgoing.back();
  };
  double now = 1000;
  auto master = std::make_shared<Master>(config, hooks, [&] { return now += 1; });
  master->start();
  // It tries the other master with its election timestamp.
  REQUIRE(outgoing.size() == 1);
  auto request = outgoing[0]->last<protocol::RequestIdentification>();
  REQUIRE(request);
  CHECK(request->node_type == NodeType::Master);
  REQUIRE(request->id_timestamp);
  // A later master is accepted as a master (it will yield to us)...
  auto later_ptr = std::make_shared<FakePeer>();
  FakePeer& later = *later_ptr;
  protocol::RequestIdentification r;
  r.node_type = NodeType::Master;
  r.address = protocol::Address{"127.0.0.1", 21000};
  r.name = "test";
  r.id_timestamp = *request->id_timestamp + 10;
  master->on_packet(later, frame_of(r));
  CHECK(later.last<protocol::AcceptIdentification>());
  CHECK_FALSE(master->secondary());
  master->on_closed(later);
  // ...an earlier one wins: we become secondary and connect to it.
  auto earlier_ptr = std::make_shared<FakePeer>();
  FakePeer& earlier = *earlier_ptr;
  r.id_timestamp = *request->id_timestamp - 10;
  master->on_packet(earlier, frame_of(r));
  CHECK(master->secondary());
  CHECK_FALSE(earlier.last<protocol::AcceptIdentification>());
  REQUIRE(outgoing.size() == 2);
  auto to_primary = outgoing[1]->last<protocol::RequestIdentification>();
  REQUIRE(to_primary);
  CHECK_FALSE(to_primary->id_timestamp);
  // Other nodes are sent to the primary.
  auto storage_ptr = std::make_shared<FakePeer>();
  FakePeer& storage = *storage_ptr;
  r.node_type = NodeType::Storage;
  r.address = protocol::Address{"127.0.0.1", 21011};
  r.id_timestamp.reset();
  master->on_packet(storage, frame_of(r));
  auto not_primary = storage.last<protocol::NotPrimaryMaster>();
  REQUIRE(not_primary);
  REQUIRE(not_primary->primary);
  CHECK(not_primary->known_master_list.at(*not_primary->primary) ==
        protocol::Address{"127.0.0.1", 21000});
  CHECK(storage.aborted);
}

// neostress found two storages with one id: a master that started while
// another was already primary gave ids to storages before it learnt it lost
// the election; they came to the winner with ids it had given to others.
TEST_CASE("a new primary gives storages no id until its first attempts to the other masters end",
          "[master]") {
  MasterConfig config;
  config.cluster = "test";
  config.bind = {"127.0.0.1", 21001};
  config.masters = {{"127.0.0.1", 21000}, {"127.0.0.1", 21001}};
  std::vector<std::shared_ptr<FakePeer>> outgoing;
  std::vector<std::function<void()>> timers;
  neo::master::Hooks hooks;
  hooks.connect = [&](const neo::net::Address& to) {
    outgoing.push_back(std::make_shared<FakePeer>(neo::net::to_string(to)));
    return outgoing.back();
  };
  hooks.call_later = [&](double, std::function<void()> fn) { timers.push_back(std::move(fn)); };
  double now = 1000;
  auto master = std::make_shared<Master>(config, hooks, [&] { return now += 1; });
  master->start();
  REQUIRE(outgoing.size() == 1);  // the attempt to the other master, unanswered
  protocol::RequestIdentification r;
  r.node_type = NodeType::Storage;
  r.address = protocol::Address{"127.0.0.1", 21011};
  r.name = "test";
  auto identify = [&] {
    auto storage = std::make_shared<FakePeer>();
    master->on_packet(*storage, frame_of(r));
    return storage;
  };
  auto early = identify();
  auto error = early->last<protocol::Error>();
  REQUIRE(error);
  CHECK(error->code == static_cast<std::int64_t>(neo::errc::not_ready));
  CHECK_FALSE(early->last<protocol::AcceptIdentification>());
  SECTION("the other master cannot be reached: storages are accepted") {
    outgoing[0]->fail_all(make_error_code(neo::errc::connection_closed));
  }
  SECTION("the other master does not answer within the retry delay") {
    REQUIRE(timers.size() == 1);
    timers[0]();
  }
  CHECK(identify()->last<protocol::AcceptIdentification>());
  CHECK_FALSE(master->secondary());
}

TEST_CASE("a secondary that takes over reports the dead primary DOWN with its id", "[master]") {
  const NodeId M1{static_cast<std::int32_t>(0xf0000001)}, M2{static_cast<std::int32_t>(0xf0000002)},
      M3{static_cast<std::int32_t>(0xf0000003)};
  MasterConfig config;
  config.cluster = "test";
  config.bind = {"127.0.0.1", 21003};
  config.masters = {{"127.0.0.1", 21001}, {"127.0.0.1", 21002}, {"127.0.0.1", 21003}};
  config.nid = M3;
  std::vector<std::shared_ptr<FakePeer>> outgoing;
  neo::master::Hooks hooks;
  hooks.connect = [&](const neo::net::Address& to) {
    outgoing.push_back(std::make_shared<FakePeer>(neo::net::to_string(to)));
    return outgoing.back();
  };
  double now = 1000;
  auto master = std::make_shared<Master>(config, hooks, [&] { return now += 1; });
  master->start();
  REQUIRE(outgoing.size() == 2);
  // 127.0.0.1:21001 accepts our election request: it is the primary.
  REQUIRE(outgoing[0]->reply<protocol::RequestIdentification>({NodeType::Master, M1, M3}));
  REQUIRE(master->secondary());
  REQUIRE(outgoing.size() == 3);
  FakePeer& primary = *outgoing[2];
  REQUIRE(primary.reply<protocol::RequestIdentification>({NodeType::Master, M1, M3}));
  // The primary tells us about the masters: itself, the other secondary
  // (just killed) and us.
  protocol::NotifyNodeInformation notify;
  notify.timestamp = 2000;
  notify.node_list = {
      {NodeType::Master, protocol::Address{"127.0.0.1", 21001}, M1, NodeState::Running, {}},
      {NodeType::Master, protocol::Address{"127.0.0.1", 21002}, M2, NodeState::Down, 1999.0},
      {NodeType::Master, protocol::Address{"127.0.0.1", 21003}, M3, NodeState::Running, 1998.0}};
  master->on_packet(primary, frame_of(notify));
  REQUIRE(master->nodes().by_nid(M1));
  CHECK(master->nodes().by_nid(M1)->is_running());
  CHECK(master->nodes().by_nid(M2)->is_down());
  CHECK(master->secondary());
  // The primary dies: we play primary and report it DOWN, with its id.
  master->on_closed(primary);
  CHECK_FALSE(master->secondary());
  auto admin = std::make_shared<FakePeer>();
  protocol::RequestIdentification r;
  r.node_type = NodeType::Admin;
  r.address = protocol::Address{"127.0.0.1", 21010};
  r.name = "test";
  master->on_packet(*admin, frame_of(r));
  auto nodes = admin->last<protocol::NotifyNodeInformation>();
  REQUIRE(nodes);
  std::map<NodeId, NodeState> masters;
  for (const protocol::NodeInfo& info : nodes->node_list)
    if (info.node_type == NodeType::Master && info.nid) masters[*info.nid] = info.state;
  CHECK(masters == std::map<NodeId, NodeState>{
                       {M1, NodeState::Down}, {M2, NodeState::Down}, {M3, NodeState::Running}});
}

TEST_CASE("a secondary told of another primary turns to it, and stays secondary", "[master]") {
  MasterConfig config;
  config.cluster = "test";
  config.bind = {"127.0.0.1", 21004};
  config.masters = {{"127.0.0.1", 21001}, {"127.0.0.1", 21002}};
  std::shared_ptr<Master> master;
  std::vector<std::shared_ptr<FakePeer>> outgoing;
  neo::master::Hooks hooks;
  hooks.connect = [&](const neo::net::Address& to) {
    auto peer = std::make_shared<FakePeer>(neo::net::to_string(to));
    peer->on_close = [&master](FakePeer& closed) { master->on_closed(closed); };
    outgoing.push_back(peer);
    return peer;
  };
  double now = 1000;
  master = std::make_shared<Master>(config, hooks, [&] { return now += 1; });
  master->start();
  REQUIRE(outgoing.size() == 2);
  // 21001 accepts our election request; we connect to it as a secondary.
  REQUIRE(outgoing[0]->reply<protocol::RequestIdentification>(
      {NodeType::Master, NodeId{static_cast<std::int32_t>(0xf0000001)}, {}}));
  REQUIRE(master->secondary());
  std::shared_ptr<FakePeer> first = outgoing.back();
  REQUIRE(first->address() == "127.0.0.1:21001");
  REQUIRE(first->has_pending());
  // Before answering, it says that 21002 is the primary: closing the
  // connection to 21001 (whose request then fails) must not make us play
  // primary again.
  protocol::NotPrimaryMaster not_primary;
  not_primary.primary = 1;
  not_primary.known_master_list = {protocol::Address{"127.0.0.1", 21001},
                                   protocol::Address{"127.0.0.1", 21002}};
  master->on_packet(*first, frame_of(not_primary));
  CHECK(first->closed());
  CHECK(master->secondary());
  std::shared_ptr<FakePeer> second = outgoing.back();
  CHECK(second->address() == "127.0.0.1:21002");
  CHECK_FALSE(second->closed());
  CHECK(second->last<protocol::RequestIdentification>());
}
