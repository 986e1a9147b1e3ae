// The storage node's logic applied to a real (temporary) SQLite database,
// without sockets: master packets through MasterHandler with a fake Peer,
// identification decisions, startup checks.
#include "nodes/storage/storage_state.hpp"

#include <catch2/catch.hpp>

#include "nodes/storage/master_handler.hpp"
#include "tests/support/fake_peer.hpp"
#include "tests/unit/storage/storage_node_support.hpp"
#include "tests/unit/storage/storage_test_support.hpp"

namespace protocol = neo::protocol;
using neo::errc;
using neo::NodeId;
using neo::Tid;
using neo::storage::MasterHandler;
using neo::storage::StorageState;
using neo::storage::test::FakeEvents;
using neo::storage::test::TempDir;
using neo::test::FakePeer;
using neo::test::frame_of;
using protocol::CellState;
using protocol::NodeState;
using protocol::NodeType;

namespace {

const NodeId kS1 = neo::make_node_id(1, 1);
const NodeId kS2 = neo::make_node_id(1, 2);
const NodeId kM1 = neo::make_node_id(0, 1);
const NodeId kC1 = neo::make_node_id(2, 1);

protocol::NodeInfo info(NodeType type, NodeId nid, NodeState state, std::uint16_t port,
                        std::optional<double> ts = 1.0) {
  return {type, protocol::Address{"127.0.0.1", port}, nid, state, ts};
}

// A storage identified as S1 to a master, with its handler and fakes.
struct Fixture {
  TempDir dir;
  std::unique_ptr<neo::storage::SqliteDatabase> db =
      neo::storage::test::open_fast(dir.file("s.db"));
  StorageState state{*db, {.cluster = "test"}};
  FakeEvents events;
  int lost = 0;
  std::shared_ptr<FakePeer> master = std::make_shared<FakePeer>();
  MasterHandler handler{state, events, [this](std::error_code) { ++lost; }};

  Fixture() {
    state.load_configuration(std::nullopt);
    REQUIRE_FALSE(state.identified(kS1));
  }
  template <class P>
  void send(const P& packet) {
    master->set_msg_id(7);
    handler.on_packet(*master, frame_of(packet));
  }
  void announce(double t, std::vector<protocol::NodeInfo> nodes) {
    send(protocol::NotifyNodeInformation{t, std::move(nodes)});
  }
  // Recovery + verification + StartOperation for a 3-partition table on S1 alone.
  void run_to_operation() {
    announce(1, {info(NodeType::Master, kM1, NodeState::Running, 21500, std::nullopt),
                 info(NodeType::Storage, kS1, NodeState::Running, 21510)});
    protocol::RowList rows(3, std::vector<protocol::CellInfo>{{kS1, CellState::UpToDate}});
    send(protocol::SendPartitionTable{1, 0, rows});
    send(protocol::AskLastIDs{});
    send(protocol::StartOperation{false});
  }
};

}  // namespace

TEST_CASE("a new database takes the cluster name, another cluster's is refused",
          "[storage][node]") {
  TempDir dir;
  {
    auto db = neo::storage::test::open_fast(dir.file("s.db"));
    StorageState state(*db, {.cluster = "alpha"});
    state.load_configuration(std::nullopt);
    CHECK(db->name() == "alpha");
    CHECK_FALSE(state.nid());
  }
  auto db = neo::storage::test::open_fast(dir.file("s.db"));
  StorageState state(*db, {.cluster = "beta"});
  CHECK_THROWS_WITH(state.load_configuration(std::nullopt),
                    Catch::Contains("'beta' does not match with the database: 'alpha'"));
}

TEST_CASE("-i replaces the saved node id; the master's id is saved", "[storage][node]") {
  TempDir dir;
  auto db = neo::storage::test::open_fast(dir.file("s.db"));
  StorageState state(*db, {.cluster = "c"});
  state.load_configuration(kS2);
  CHECK(state.nid() == kS2);
  REQUIRE_FALSE(state.identified(kS1));
  CHECK(db->nid() == kS1);
  CHECK(state.nid() == kS1);
}

TEST_CASE("recovery of a new storage reports no partition table", "[storage][node]") {
  Fixture f;
  f.send(protocol::AskRecovery{});
  auto answer = f.master->last_sent<protocol::AnswerRecovery>();
  REQUIRE(answer);
  CHECK_FALSE(answer->ptid);
  CHECK_FALSE(answer->backup_tid);
  CHECK_FALSE(answer->truncate_tid);
  f.send(protocol::AskPartitionTable{});
  auto pt = f.master->last_sent<protocol::AnswerPartitionTable>();
  REQUIRE(pt);
  CHECK_FALSE(pt->ptid);
  CHECK(pt->row_list.empty());
}

TEST_CASE("the partition table from the master is saved and answered back", "[storage][node]") {
  Fixture f;
  f.run_to_operation();
  CHECK(f.state.operational());
  CHECK(f.master->last_sent<protocol::NotifyReady>());
  CHECK(f.db->ptid() == 1);
  auto cells = f.db->partition_table();
  REQUIRE(cells);
  CHECK(cells->size() == 3);
  f.send(protocol::AskPartitionTable{});
  auto pt = f.master->last_sent<protocol::AnswerPartitionTable>();
  REQUIRE(pt);
  CHECK(pt->ptid == 1);
  REQUIRE(pt->row_list.size() == 3);
  CHECK(pt->row_list[2] == std::vector<protocol::CellInfo>{{kS1, CellState::UpToDate}});
  f.send(protocol::AskRecovery{});
  CHECK(f.master->last_sent<protocol::AnswerRecovery>()->ptid == 1);
}

TEST_CASE("partition changes need the next ptid", "[storage][node]") {
  Fixture f;
  f.run_to_operation();
  f.send(protocol::NotifyPartitionChanges{5, 0, {{0, kS2, CellState::OutOfDate}}});
  auto error = f.master->last_sent<protocol::Error>();
  REQUIRE(error);
  CHECK(error->code == static_cast<int>(errc::protocol_error));
  CHECK(error->message == "wrong partition table id");
  CHECK(f.master->aborted);
  CHECK(f.db->ptid() == 1);
}

TEST_CASE("partition changes are applied and saved", "[storage][node]") {
  Fixture f;
  f.run_to_operation();
  f.send(protocol::NotifyPartitionChanges{2, 1, {{0, kS2, CellState::OutOfDate}}});
  CHECK_FALSE(f.master->aborted);
  CHECK(f.db->ptid() == 2);
  CHECK(f.db->num_replicas() == 1);
  CHECK(f.state.pt().find_cell(0, kS2));
  // Our own cell discarded: its data is to be dropped.
  f.send(protocol::NotifyPartitionChanges{
      3, 1, {{1, kS1, CellState::Discarded}, {1, kS2, CellState::UpToDate}}});
  CHECK(f.events.dropped == std::vector<std::uint32_t>{1});
  CHECK_FALSE(f.state.pt().find_cell(1, kS1));
}

TEST_CASE("a partial partition table is a protocol error", "[storage][node]") {
  Fixture f;
  protocol::RowList rows(3);
  rows[0].push_back({kS1, CellState::UpToDate});
  f.send(protocol::SendPartitionTable{1, 0, rows});
  auto error = f.master->last_sent<protocol::Error>();
  REQUIRE(error);
  CHECK(error->message == "Partial partition table received");
  CHECK(f.master->aborted);
}

TEST_CASE("the master saying we are DOWN stops the node, UNKNOWN erases it", "[storage][node]") {
  Fixture f;
  f.run_to_operation();
  f.announce(2, {info(NodeType::Storage, kS1, NodeState::Down, 21510)});
  CHECK(f.events.shutdowns == std::vector<bool>{false});
  Fixture g;
  g.run_to_operation();
  g.announce(2, {info(NodeType::Storage, kS1, NodeState::Unknown, 21510)});
  CHECK(g.events.shutdowns == std::vector<bool>{true});
}

TEST_CASE("nodes forgotten by the master are reported", "[storage][node]") {
  Fixture f;
  f.run_to_operation();
  f.announce(2, {info(NodeType::Client, kC1, NodeState::Running, 0, 2.0)});
  f.announce(3, {info(NodeType::Client, kC1, NodeState::Unknown, 0, 2.0)});
  REQUIRE(f.events.removed.size() == 1);
  CHECK(f.events.removed[0].nid == kC1);
}

TEST_CASE("truncation is recorded, then done before answering AskLastIDs", "[storage][node]") {
  Fixture f;
  f.run_to_operation();
  f.send(protocol::StopOperation{});
  CHECK_FALSE(f.state.operational());
  CHECK(f.events.stops == 1);
  f.send(protocol::Truncate{Tid{1234}});
  CHECK(f.db->truncate_tid() == Tid{1234});
  f.send(protocol::AskRecovery{});
  CHECK(f.master->last_sent<protocol::AnswerRecovery>()->truncate_tid == Tid{1234});
  f.send(protocol::AskLastIDs{});
  auto ids = f.master->last_sent<protocol::AnswerLastIDs>();
  REQUIRE(ids);
  CHECK_FALSE(ids->last_tid);
  CHECK_FALSE(ids->last_oid);
  CHECK_FALSE(f.db->truncate_tid());
}

TEST_CASE("verification questions are answered from the database", "[storage][node]") {
  Fixture f;
  f.run_to_operation();
  f.send(protocol::AskLockedTransactions{});
  auto locked = f.master->last_sent<protocol::AnswerLockedTransactions>();
  REQUIRE(locked);
  CHECK(locked->tid_dict.empty());
  f.send(protocol::AskFinalTID{Tid{5}});
  auto final_tid = f.master->last_sent<protocol::AnswerFinalTID>();
  REQUIRE(final_tid);
  CHECK_FALSE(final_tid->tid);
  f.send(protocol::AskPackOrders{Tid{0}});
  auto orders = f.master->last_sent<protocol::AnswerPackOrders>();
  REQUIRE(orders);
  CHECK(orders->pack_list.empty());
  f.send(protocol::Ping{});
  CHECK(f.master->last_sent<protocol::Pong>());
  CHECK(f.events.fatals.empty());
}

TEST_CASE("malformed and unexpected master packets are refused without crashing",
          "[storage][node]") {
  Fixture f;
  f.master->set_msg_id(9);
  f.handler.on_packet(*f.master, {9, protocol::AskRecovery::kCode, std::string("\x91\x01", 2)});
  auto error = f.master->last_sent<protocol::Error>();
  REQUIRE(error);
  CHECK(error->code == static_cast<int>(errc::protocol_error));
  CHECK(f.master->aborted);
  Fixture g;
  g.send(protocol::AskObject{neo::Oid{1}, std::nullopt, std::nullopt});
  auto unexpected = g.master->last_sent<protocol::Error>();
  REQUIRE(unexpected);
  CHECK(unexpected->code == static_cast<int>(errc::protocol_error));
  CHECK(g.master->aborted);
  g.handler.on_packet(*g.master, {10, 0x7777, std::string("\x90", 1)});
}

TEST_CASE("identification of nodes connecting to the storage", "[storage][node]") {
  using Kind = StorageState::Identification::Kind;
  Fixture f;
  protocol::RequestIdentification request{.node_type = NodeType::Client,
                                          .nid = kC1,
                                          .address = std::nullopt,
                                          .name = "test",
                                          .id_timestamp = 5.0};
  SECTION("not operational: NOT_READY") {
    auto d = f.state.identify(request);
    CHECK(d.kind == Kind::Reject);
    CHECK(d.code == errc::not_ready);
  }
  f.run_to_operation();  // last notification at t=1
  SECTION("another cluster") {
    request.name = "other";
    auto d = f.state.identify(request);
    CHECK(d.kind == Kind::Reject);
    CHECK(d.code == errc::protocol_error);
    CHECK(d.message == "invalid cluster name");
  }
  SECTION("announced later by the master: delayed, then accepted") {
    CHECK(f.state.identify(request).kind == Kind::Delay);
    f.announce(5, {info(NodeType::Client, kC1, NodeState::Running, 0, 5.0)});
    auto d = f.state.identify(request);
    REQUIRE(d.kind == Kind::Accept);
    CHECK(d.peer == NodeType::Client);
    CHECK(d.answer.node_type == NodeType::Storage);
    CHECK(d.answer.nid == kS1);
    CHECK(d.answer.your_nid == kC1);
  }
  SECTION("unknown by master") {
    f.announce(6, {info(NodeType::Client, kC1, NodeState::Running, 0, 4.0)});
    auto d = f.state.identify(request);
    CHECK(d.kind == Kind::Reject);
    CHECK(d.code == errc::not_ready);
    CHECK(d.message == "unknown by master");
  }
  SECTION("our own id") {
    request.nid = kS1;
    CHECK(f.state.identify(request).message == "uuid conflict or loopback connection");
  }
  SECTION("the id of a node of another type") {
    request.nid = kS2;
    f.announce(5, {info(NodeType::Storage, kS2, NodeState::Running, 0, 5.0)});
    auto d = f.state.identify(request);
    CHECK(d.kind == Kind::Reject);
    CHECK(d.code == errc::protocol_error);
    CHECK(d.message == "invalid node id S2 for a CLIENT");
  }
  SECTION("anonymous: only storages") {
    request.nid.reset();
    CHECK(f.state.identify(request).message == "reject anonymous non-storage node");
    request.node_type = NodeType::Storage;
    auto d = f.state.identify(request);
    CHECK(d.kind == Kind::Accept);
    CHECK_FALSE(d.answer.nid);
    CHECK_FALSE(d.answer.your_nid);
  }
  SECTION("admins are refused") {
    request.node_type = NodeType::Admin;
    f.announce(5, {info(NodeType::Client, kC1, NodeState::Running, 0, 5.0)});
    CHECK(f.state.identify(request).message == "reject non-client-or-storage node");
  }
}

TEST_CASE("AskObject is answered from the database", "[storage][node]") {
  Fixture f;
  f.run_to_operation();
  const std::string checksum(20, '\x11');
  auto data_id = f.db->store_data(checksum, neo::Oid{4}, "pickle", 0, std::nullopt);
  REQUIRE(data_id);
  const neo::storage::ObjectRef ref{neo::Oid{4}, *data_id, std::nullopt};
  REQUIRE_FALSE(f.db->store_transaction(Tid{100}, std::span(&ref, 1), nullptr, false));
  REQUIRE_FALSE(f.db->commit());
  std::string message;
  auto answer = f.state.load_object({neo::Oid{4}, std::nullopt, std::nullopt}, message);
  REQUIRE(answer);
  CHECK(answer->serial == Tid{100});
  CHECK_FALSE(answer->next_serial);
  CHECK(answer->compression == 0);
  CHECK(answer->checksum == checksum);
  CHECK(answer->data == "pickle");
  auto missing = f.state.load_object({neo::Oid{7}, std::nullopt, std::nullopt}, message);
  REQUIRE_FALSE(missing);
  CHECK(missing.error() == errc::oid_does_not_exist);
  CHECK(message == "0000000000000007");
  auto before = f.state.load_object({neo::Oid{4}, std::nullopt, Tid{100}}, message);
  REQUIRE_FALSE(before);
  CHECK(before.error() == errc::oid_not_found);
}

TEST_CASE("client reads: TIDs, transaction information, object history", "[storage][node]") {
  Fixture f;
  f.run_to_operation();
  const std::string checksum(20, '\x22');
  auto data_id = f.db->store_data(checksum, neo::Oid{3}, "v1", 0, std::nullopt);
  REQUIRE(data_id);
  const neo::storage::ObjectRef ref{neo::Oid{3}, *data_id, std::nullopt};
  neo::storage::TransactionMeta meta{.oids = {neo::Oid{3}},
                                     .user = "u",
                                     .description = "d",
                                     .extension = "e",
                                     .packed = false,
                                     .ttid = Tid{200}};
  REQUIRE_FALSE(f.db->store_transaction(Tid{201}, std::span(&ref, 1), &meta, false));
  REQUIRE_FALSE(f.db->commit());
  std::string message;
  auto tids = f.state.tids({0, 10, 0xffffffff}, message);
  REQUIRE(tids);
  CHECK(tids->tid_list == std::vector<Tid>{Tid{201}});
  auto invalid = f.state.tids({5, 5, 0xffffffff}, message);
  REQUIRE_FALSE(invalid);
  CHECK(invalid.error() == errc::protocol_error);
  CHECK(message == "invalid offsets");
  auto info = f.state.transaction_information(Tid{201}, message);
  REQUIRE(info);
  CHECK(info->user == "u");
  CHECK(info->description == "d");
  CHECK(info->extension == "e");
  CHECK(info->oid_list == std::vector<neo::Oid>{neo::Oid{3}});
  auto unknown = f.state.transaction_information(Tid{202}, message);
  REQUIRE_FALSE(unknown);
  CHECK(unknown.error() == errc::tid_not_found);
  CHECK(message == "00000000000000ca does not exist");
  auto history = f.state.object_history({neo::Oid{3}, 0, 5}, message);
  REQUIRE(history);
  REQUIRE(history->history_list.size() == 1);
  CHECK(history->history_list[0].serial == Tid{201});
  CHECK(history->history_list[0].size == 2);
  auto none = f.state.object_history({neo::Oid{9}, 0, 5}, message);
  REQUIRE_FALSE(none);
  CHECK(none.error() == errc::oid_not_found);
}
