// The master's states through its handlers, with fake peers: identification,
// recovery -> verification -> running with a fake storage, the admin's
// requests, a client's commit with fake storages answering the locks.
#include <catch2/catch.hpp>

#include "tests/unit/master/master_fixture.hpp"

namespace protocol = neo::protocol;
using neo::errc;
using neo::NodeId;
using neo::Oid;
using neo::Tid;
using neo::master::test::check_rejected;
using neo::master::test::FakePeer;
using neo::master::test::MasterFixture;
using protocol::CellState;
using protocol::ClusterState;
using protocol::NodeState;
using protocol::NodeType;

namespace {
const NodeId M1{static_cast<std::int32_t>(0xf0000001)};
const NodeId S1{1}, S2{2};

// The last Error answer `peer` got: (code, message).
std::pair<std::int64_t, std::string> last_error(const FakePeer& peer) {
  std::optional<protocol::Error> error = peer.last<protocol::Error>();
  REQUIRE(error);
  return {error->code, error->message};
}
std::pair<std::int64_t, std::string> answer(errc code, std::string message) {
  return {static_cast<std::int64_t>(code), std::move(message)};
}
}  // namespace

TEST_CASE("identification: accepted with an id, or refused with a reason", "[master]") {
  MasterFixture m;
  auto admin = m.connect(NodeType::Admin, 21020);
  auto accept = admin->last<protocol::AcceptIdentification>();
  REQUIRE(accept);
  CHECK(accept->nid == M1);
  CHECK(admin->nid() == accept->your_nid);
  CHECK(admin->last<protocol::SendPartitionTable>());  // admins get the table at once
  CHECK_FALSE(admin->aborted);

  auto client = m.connect(NodeType::Client, 0);  // RECOVERING
  CHECK(last_error(*client) == answer(errc::not_ready, "Retry Later"));
  CHECK(client->aborted);
  auto same = m.connect(NodeType::Storage, 21000);  // the master's own address
  CHECK(last_error(*same) == answer(errc::protocol_error, "address conflict"));
  auto twice = m.connect(NodeType::Admin, 21020);  // the connected admin's address
  CHECK(last_error(*twice) == answer(errc::protocol_error, "already connected"));
  CHECK(twice->aborted);
  protocol::RequestIdentification alien = m.request(NodeType::Storage, 21011);
  alien.name = "other";
  CHECK(last_error(*m.connect(alien)) == answer(errc::protocol_error, "invalid cluster name"));
  CHECK(m.master->nodes().list(NodeType::Storage).empty());
}

TEST_CASE("a storage through recovery, verification, running", "[master]") {
  MasterFixture m;
  auto s = m.connect(NodeType::Storage, 21011);
  CHECK(s->last<protocol::AcceptIdentification>()->your_nid == S1);
  CHECK(m.master->nodes().state_of(S1) == NodeState::Pending);
  // RECOVERING: asked for its table; only common packets are handled.
  REQUIRE(s->last_sent<protocol::AskRecovery>());
  m.send(*s, protocol::AskClusterState{});
  CHECK(s->last_sent<protocol::AnswerClusterState>()->state == ClusterState::Recovering);
  REQUIRE(s->reply<protocol::AskRecovery>({}));
  // VERIFYING: a new table, the verification's requests.
  CHECK(m.master->cluster_state() == ClusterState::Verifying);
  CHECK(m.master->nodes().state_of(S1) == NodeState::Running);
  CHECK(s->last<protocol::NotifyClusterInformation>()->state == ClusterState::Verifying);
  CHECK(s->last<protocol::SendPartitionTable>()->ptid == 1);
  m.send(*s, protocol::NotifyPackCompleted{Tid{5}});
  CHECK_FALSE(s->aborted);
  REQUIRE(s->reply<protocol::AskLockedTransactions>({}));
  REQUIRE(s->reply<protocol::AskLastIDs>({Tid{0x20}, Oid{7}, Tid{2}}));
  auto orders = s->last<protocol::AskPackOrders>();
  REQUIRE(orders);
  CHECK(orders->pack_id == Tid{6});  // after the completed pack
  REQUIRE(s->reply<protocol::AskPackOrders>({}));
  // RUNNING: started, then ready.
  CHECK(m.master->cluster_state() == ClusterState::Running);
  CHECK(s->last_sent<protocol::StartOperation>());
  CHECK(m.master->last_transaction() == Tid{0x20});
  m.send(*s, protocol::NotifyReady{});
  m.send(*s, protocol::AskUnfinishedTransactions{{0, 1, 2, 3}}, 8);
  auto unfinished = s->last_sent<protocol::AnswerUnfinishedTransactions>();
  REQUIRE(unfinished);
  CHECK(unfinished->max_tid == Tid{0x20});
  CHECK(unfinished->ttid_list.empty());
  CHECK(s->sent.back().msg_id == 8);
  CHECK_FALSE(s->aborted);
}

TEST_CASE("admin: SetClusterState, SetNodeState, AskNodeList, AskPartitionList", "[master]") {
  MasterFixture m(MasterFixture::Options{.autostart = std::nullopt, .replicas = 1});
  auto admin = m.connect(NodeType::Admin, 21020);
  auto s1 = m.connect(NodeType::Storage, 21011);
  auto s2 = m.connect(NodeType::Storage, 21012);
  MasterFixture::recover({s1.get(), s2.get()});
  CHECK(m.master->cluster_state() == ClusterState::Recovering);  // no autostart
  m.send(*admin, protocol::SetClusterState{ClusterState::Running});
  CHECK(last_error(*admin) == answer(errc::denied, "Invalid state requested"));
  m.send(*admin, protocol::SetClusterState{ClusterState::Verifying});
  CHECK(last_error(*admin) == answer(errc::ack, "Cluster state changed"));
  MasterFixture::verify({s1.get(), s2.get()});
  REQUIRE(m.master->cluster_state() == ClusterState::Running);

  m.send(*admin, protocol::AskNodeList{NodeType::Storage});
  auto nodes = admin->last_sent<protocol::AnswerNodeList>();
  REQUIRE(nodes);
  REQUIRE(nodes->node_list.size() == 2);
  CHECK(nodes->node_list[0].nid == S1);
  CHECK(nodes->node_list[1].state == NodeState::Running);
  m.send(*admin, protocol::AskNodeList{});
  CHECK(admin->last_sent<protocol::AnswerNodeList>()->node_list.size() == 4);  // + M1, admin

  m.send(*admin, protocol::AskPartitionList{1, 3, S2});
  auto rows = admin->last_sent<protocol::AnswerPartitionList>();
  REQUIRE(rows);
  CHECK(rows->ptid == 1);
  CHECK(rows->num_replicas == 1);
  REQUIRE(rows->row_list.size() == 2);
  for (const auto& row : rows->row_list) {
    REQUIRE(row.size() == 1);
    CHECK(row[0].nid == S2);
    CHECK(row[0].state == CellState::UpToDate);
  }
  m.send(*admin, protocol::AskPartitionList{3, 9, std::nullopt});
  CHECK(last_error(*admin) == answer(errc::protocol_error, "invalid partition table offset"));

  m.send(*admin, protocol::SetNodeState{NodeId{99}, NodeState::Down});
  CHECK(last_error(*admin) == answer(errc::denied, "unknown node"));
  m.send(*admin, protocol::SetNodeState{S2, NodeState::Down});
  CHECK(last_error(*admin) == answer(errc::ack, "state changed"));
  CHECK(s2->aborted);
  CHECK(m.master->nodes().state_of(S2) == NodeState::Down);
  CHECK(s1->last<protocol::NotifyPartitionChanges>()->cell_list.size() == 4);  // S2 outdated

  m.send(*admin, protocol::SetClusterState{ClusterState::Stopping});
  CHECK(last_error(*admin) == answer(errc::ack, "Cluster state changed"));
  CHECK(m.exit_status == 0);
  CHECK(admin->aborted);
}

TEST_CASE("client: begin, finish, locks answered by the storages, then the TID", "[master]") {
  MasterFixture m(MasterFixture::Options{.autostart = 2, .replicas = 1});
  auto storages = m.run(2);
  auto client = m.connect(NodeType::Client, 0);
  REQUIRE(client->last<protocol::AcceptIdentification>());
  m.send(*client, protocol::AskBeginTransaction{}, 20);
  auto begun = client->last_sent<protocol::AnswerBeginTransaction>();
  REQUIRE(begun);
  CHECK(client->sent.back().msg_id == 20);
  const Tid ttid = begun->ttid;
  protocol::AskFinishTransaction finish;
  finish.ttid = ttid;
  finish.oid_list = {Oid{4}};
  m.send(*client, finish, 21);
  // Both replicas are asked to lock; the client waits for both.
  auto lock = storages[0]->last<protocol::AskLockInformation>();
  REQUIRE(lock);
  CHECK(lock->ttid == ttid);
  REQUIRE(storages[1]->last<protocol::AskLockInformation>());
  REQUIRE(storages[0]->reply<protocol::AskLockInformation>({ttid}));
  CHECK_FALSE(client->last<protocol::AnswerTransactionFinished>());
  REQUIRE(storages[1]->reply<protocol::AskLockInformation>({ttid}));
  auto finished = client->last_sent<protocol::AnswerTransactionFinished>();
  REQUIRE(finished);
  CHECK(finished->tid == lock->tid);
  CHECK(client->sent.back().msg_id == 21);
  for (auto& s : storages) CHECK(s->last<protocol::NotifyUnlockInformation>()->ttid == ttid);
  CHECK(m.master->last_transaction() == lock->tid);
  CHECK_FALSE(client->aborted);
}

// Found by the simulation (tests/sim, seed 25 before the fix): S1 down (its
// cells OUT_OF_DATE, ptid 2, which only S2 saw), then S2 down: no longer
// operational. S1 came back first with its table of ptid 1, where its cells
// look UP_TO_DATE, and the master restarted by itself with it: the commits
// only S2 had were lost.
TEST_CASE("after losing operational, an older table does not restart the cluster", "[master]") {
  MasterFixture f({.autostart = 2, .replicas = 1});
  auto storages = f.run(2);
  const NodeId s1 = *storages[0]->last<protocol::AcceptIdentification>()->your_nid;
  const NodeId s2 = *storages[1]->last<protocol::AcceptIdentification>()->your_nid;
  auto table = [&](CellState s1_state) {
    return protocol::RowList(4, {{s1, s1_state}, {s2, CellState::UpToDate}});
  };
  f.master->on_closed(*storages[0]);
  CHECK(f.master->pt().ptid() == 2);
  f.master->on_closed(*storages[1]);
  REQUIRE(f.master->cluster_state() == ClusterState::Recovering);

  auto back = [&](std::uint16_t port, NodeId nid, std::int64_t ptid, CellState s1_state) {
    auto peer = f.connect(NodeType::Storage, port, nid);
    peer->reply<protocol::AskRecovery>({.ptid = ptid});
    peer->reply<protocol::AskPartitionTable>(
        {.ptid = ptid, .num_replicas = 1, .row_list = table(s1_state)});
    return peer;
  };
  auto first = back(21011, s1, 1, CellState::UpToDate);
  CHECK(f.master->cluster_state() == ClusterState::Recovering);
  CHECK_FALSE(first->has_pending());

  auto second = back(21012, s2, 2, CellState::OutOfDate);
  CHECK(f.master->pt().ptid() >= 2);
  MasterFixture::verify({first.get(), second.get()});
  CHECK(f.master->cluster_state() == ClusterState::Running);
  const protocol::RowList rows = *f.master->pt().row_list(0, 4);
  CHECK(rows[0] ==
        std::vector<protocol::CellInfo>{{s1, CellState::OutOfDate}, {s2, CellState::UpToDate}});
}

// Found by the simulation (tests/sim, seed 1737): the answer of a storage
// asked for an older table came last and was dropped without deciding
// again, so the cluster stayed RECOVERING for good.
TEST_CASE("recovery decides again when an older table's answer comes last", "[master]") {
  MasterFixture f;
  const NodeId s1 = neo::make_node_id(1, 1), s2 = neo::make_node_id(1, 2);
  auto a = f.connect(NodeType::Storage, 21011, s1);
  auto b = f.connect(NodeType::Storage, 21012, s2);
  const protocol::RowList rows(4, {{s1, CellState::UpToDate}, {s2, CellState::UpToDate}});
  a->reply<protocol::AskRecovery>({.ptid = 2});  // asked for its table
  b->reply<protocol::AskRecovery>({.ptid = 3});  // newer: asked too
  b->reply<protocol::AskPartitionTable>({.ptid = 3, .num_replicas = 1, .row_list = rows});
  CHECK(f.master->cluster_state() == ClusterState::Recovering);  // a's request pending
  a->reply<protocol::AskPartitionTable>({.ptid = 2, .num_replicas = 1, .row_list = rows});
  CHECK(f.master->pt().ptid() == 3);
  CHECK(f.master->cluster_state() == ClusterState::Verifying);
}

// Found by neostress (kill and reset faults, 2 masters, 4 storages): the
// cluster left RUNNING while a storage still had to answer a lock request;
// recovery waited for that answer, which came after the storage's recovery
// answers and was dropped as one of a previous phase without deciding
// again: the cluster stayed RECOVERING until `neoctl start`.
TEST_CASE("recovery decides again when a request of the previous phase is answered last",
          "[master]") {
  MasterFixture f({.autostart = 2, .replicas = 0});
  auto storages = f.run(2);
  auto client = f.connect(NodeType::Client, 0);
  f.send(*client, protocol::AskBeginTransaction{}, 20);
  const Tid ttid = client->last_sent<protocol::AnswerBeginTransaction>()->ttid;
  protocol::AskFinishTransaction finish;
  finish.ttid = ttid;
  finish.oid_list = {Oid{0}, Oid{1}, Oid{2}, Oid{3}};  // every partition: both storages
  f.send(*client, finish, 21);
  REQUIRE(storages[0]->last<protocol::AskLockInformation>());
  REQUIRE(storages[1]->last<protocol::AskLockInformation>());

  const NodeId s2 = *storages[1]->last<protocol::AcceptIdentification>()->your_nid;
  const std::int64_t ptid = *f.master->pt().ptid();
  const protocol::RowList rows = *f.master->pt().row_list(0, 4);
  f.master->on_closed(*storages[1]);  // its partitions have no other copy
  REQUIRE(f.master->cluster_state() == ClusterState::Recovering);
  storages[0]->reply<protocol::AskRecovery>({.ptid = ptid});
  storages[0]->reply<protocol::AskPartitionTable>(
      {.ptid = ptid, .num_replicas = 0, .row_list = rows});
  auto back = f.connect(NodeType::Storage, 21012, s2);
  back->reply<protocol::AskRecovery>({.ptid = ptid});
  // Both storages are back, but the first one has not answered the lock.
  CHECK(f.master->cluster_state() == ClusterState::Recovering);
  REQUIRE(storages[0]->reply<protocol::AskLockInformation>({ttid}));
  CHECK(f.master->cluster_state() == ClusterState::Verifying);
}
