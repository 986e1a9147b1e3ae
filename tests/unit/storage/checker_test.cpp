// The Checker (nodes/storage/checker.hpp) with fake peers standing for the
// other replicas: each fake answers AskCheck*Range from a database of its
// own, as a real storage would; the corrupted one lacks a row. Also the
// serving side (OperationHandler for an identified storage).
#include "nodes/storage/checker.hpp"

#include <catch2/catch.hpp>
#include <map>

#include "nodes/storage/database/database_logic.hpp"
#include "nodes/storage/master_handler.hpp"
#include "tests/support/fake_peer.hpp"
#include "tests/unit/storage/operational_storage.hpp"
#include "tests/unit/storage/storage_node_support.hpp"
#include "tests/unit/storage/storage_test_support.hpp"

namespace protocol = neo::protocol;
using namespace neo;
using namespace neo::storage;
using namespace neo::storage::test;
using neo::test::FakePeer;
using neo::test::frame_of;
using protocol::CellState;
using protocol::NodeState;
using protocol::NodeType;

namespace {

const NodeId kM1 = make_node_id(0, 1);
const NodeId kS2 = make_node_id(1, 2);
const NodeId kS3 = make_node_id(1, 3);
constexpr std::uint16_t kPort1 = 21510;  // S1 (us), S2 and S3 follow

// Committed as replication does: transactions 10, 12, 14, 20 in partition 0
// (2 partitions), 11 in partition 1; objects of even oids in partition 0.
void fill(Database& db) {
  auto commit = [&](Tid tid, std::vector<Oid> oids) {
    std::vector<ObjectRef> refs;
    for (Oid oid : oids) {
      const std::string value = "v" + std::to_string(oid.value);
      auto id = db.store_data(sha1(value), oid, value, 0, std::nullopt);
      REQUIRE(id);
      refs.push_back({oid, *id, std::nullopt});
    }
    const TransactionMeta meta{oids, "", "", "", false, tid};
    REQUIRE_FALSE(db.store_transaction(tid, refs, &meta, false));
  };
  commit(Tid{10}, {Oid{2}, Oid{4}});
  commit(Tid{11}, {Oid{1}});
  commit(Tid{12}, {Oid{2}});
  commit(Tid{14}, {Oid{6}});
  commit(Tid{20}, {Oid{0}, Oid{4}, Oid{8}});
  REQUIRE_FALSE(db.commit());
}

// S1 (us) operational with S2 and S3 (if `three`) holding every partition too.
struct Fixture {
  explicit Fixture(bool three = false, std::int64_t check_count = Checker::kCheckCount) {
    state.load_configuration(std::nullopt);
    REQUIRE_FALSE(state.identified(kS1));
    std::vector<protocol::NodeInfo> nodes{
        {NodeType::Master, protocol::Address{"127.0.0.1", 21500}, kM1, NodeState::Running, {}},
        {NodeType::Storage, protocol::Address{"127.0.0.1", kPort1}, kS1, NodeState::Running, 1.5}};
    std::vector<protocol::CellInfo> row{{kS1, CellState::UpToDate}, {kS2, CellState::UpToDate}};
    for (NodeId nid : three ? std::vector{kS2, kS3} : std::vector{kS2}) {
      const auto port = static_cast<std::uint16_t>(kPort1 + (nid == kS2 ? 1 : 2));
      nodes.push_back(
          {NodeType::Storage, protocol::Address{"127.0.0.1", port}, nid, NodeState::Running, 2.0});
    }
    if (three) row.push_back({kS3, CellState::UpToDate});
    send(protocol::NotifyNodeInformation{1, nodes});
    send(protocol::SendPartitionTable{1, three ? 2 : 1, protocol::RowList(2, row)});
    send(protocol::AskLastIDs{});
    send(protocol::StartOperation{false});
    REQUIRE(state.operational());
    fill(*db);
    for (const char* name : {"s2.db", "s3.db"}) {
      replicas.push_back(open_fast(dir.file(name)));
      give_partitions(*replicas.back(), 2);
      fill(*replicas.back());
    }
    checker = std::make_unique<Checker>(state, host(), check_count);
  }

  Checker::Host host() {
    return {
        .open =
            [this](const protocol::Address& address, const protocol::RequestIdentification& request,
                   net::AnswerCallback<protocol::AcceptIdentification> on_identified) {
              auto peer = std::make_shared<FakePeer>("127.0.0.1:" + std::to_string(address.port));
              peer->on_close = [this](FakePeer& p) { checker->connection_lost(p); };
              peer->ask(request, std::move(on_identified));
              peers[address.port] = peer;
              return std::static_pointer_cast<net::Peer>(peer);
            },
        .identification =
            [this] {
              return protocol::RequestIdentification{
                  .node_type = NodeType::Storage,
                  .nid = kS1,
                  .address = protocol::Address{"127.0.0.1", kPort1},
                  .name = "test",
                  .id_timestamp = state.nodes().by_nid(kS1)->id_timestamp,
                  .extra = {}};
            },
        .notify_master =
            [this](const protocol::NotifyPartitionCorrupted& p) { reports.push_back(p); },
        .fatal = [this](const std::string& what) { fatals.push_back(what); }};
  }

  template <class P>
  void send(const P& packet) {
    master->set_msg_id(7);
    handler.on_packet(*master, frame_of(packet));
  }
  static std::uint16_t port_of(NodeId nid) { return nid == kS2 ? kPort1 + 1 : kPort1 + 2; }
  FakePeer& peer(NodeId nid) { return *peers.at(port_of(nid)); }
  Database& replica(NodeId nid) { return *replicas[nid == kS2 ? 0 : 1]; }
  void accept(NodeId nid) {
    REQUIRE(peer(nid).reply<protocol::RequestIdentification>(
        protocol::AcceptIdentification{NodeType::Storage, nid, kS1}));
  }
  // Answers the next pending check request of `nid` from its database, as a
  // storage would; false if none is pending.
  bool serve(NodeId nid) {
    FakePeer& p = peer(nid);
    for (const FakePeer::Sent& s : p.sent) {
      if (!p.callbacks.count(s.msg_id)) continue;
      if (s.code == protocol::AskCheckTIDRange::kCode) {
        auto ask = protocol::decode_args<protocol::AskCheckTIDRange>(s.args);
        auto r = replica(nid).check_tid_range(static_cast<std::uint32_t>(ask->partition),
                                              ask->length, ask->min_tid, ask->max_tid);
        p.reply(s.msg_id, protocol::AnswerCheckTIDRange{r->count, r->checksum, r->max_tid});
        return true;
      }
      if (s.code == protocol::AskCheckSerialRange::kCode) {
        auto ask = protocol::decode_args<protocol::AskCheckSerialRange>(s.args);
        auto r =
            replica(nid).check_serial_range(static_cast<std::uint32_t>(ask->partition), ask->length,
                                            ask->min_tid, ask->max_tid, ask->min_oid);
        p.reply(s.msg_id, protocol::AnswerCheckSerialRange{r->count, r->tid_checksum, r->max_tid,
                                                           r->oid_checksum, r->max_oid});
        return true;
      }
    }
    return false;
  }
  // The nodes answer until none has a request pending; returns the count.
  int serve_all(std::vector<NodeId> nids) {
    int answered = 0;
    for (bool more = true; more;) {
      more = false;
      for (NodeId nid : nids)
        if (peers.count(port_of(nid)) && serve(nid)) {
          more = true;
          ++answered;
        }
    }
    return answered;
  }
  static protocol::CheckPartition check(std::int64_t partition,
                                        std::optional<std::uint16_t> source = {}) {
    protocol::CheckPartition p{
        .partition = partition, .source = {}, .min_tid = Tid{0}, .max_tid = Tid{100}};
    if (source) p.source.address = protocol::Address{"127.0.0.1", *source};
    return p;
  }

  TempDir dir;
  std::unique_ptr<SqliteDatabase> db = open_fast(dir.file("s1.db"));
  StorageState state{*db, {.cluster = "test"}};
  FakeEvents events;
  MasterHandler handler{state, events, [](std::error_code) {}};
  std::shared_ptr<FakePeer> master = std::make_shared<FakePeer>();
  std::vector<std::unique_ptr<SqliteDatabase>> replicas;
  std::map<std::uint16_t, std::shared_ptr<FakePeer>> peers;  // by port
  std::vector<protocol::NotifyPartitionCorrupted> reports;
  std::vector<std::string> fatals;
  std::unique_ptr<Checker> checker;
};

}  // namespace

TEST_CASE("checker: identical replicas, every range compared, nothing reported",
          "[storage][check]") {
  Fixture f(false, 2);  // chunks of 2 records: several ranges of each kind
  f.checker->check(Fixture::check(0));
  CHECK(f.checker->current() == 0u);
  auto request = f.peer(kS2).last<protocol::RequestIdentification>();
  REQUIRE(request);
  CHECK(request->node_type == NodeType::Storage);
  CHECK(request->nid == kS1);
  CHECK(request->address == protocol::Address{"127.0.0.1", kPort1});
  CHECK(request->name == "test");
  CHECK(request->id_timestamp == 1.5);
  CHECK(request->extra.empty());
  CHECK_FALSE(f.peer(kS2).last<protocol::AskCheckTIDRange>());  // not before identification
  f.accept(kS2);
  auto first = f.peer(kS2).last<protocol::AskCheckTIDRange>();
  REQUIRE(first);
  CHECK(first->partition == 0);
  CHECK(first->length == 2);
  CHECK(first->min_tid == Tid{0});
  CHECK(first->max_tid == Tid{100});
  // TIDs 10 12 | 14 20 | none; object records (10,2) (10,4) | (12,2) (14,6) | (20,0) (20,4) |
  // (20,8)
  CHECK(f.serve_all({kS2}) == 3 + 4);
  auto tids = f.peer(kS2).all<protocol::AskCheckTIDRange>();
  REQUIRE(tids.size() == 3);
  CHECK(tids[1].min_tid == Tid{13});
  CHECK(tids[2].min_tid == Tid{21});
  auto serials = f.peer(kS2).all<protocol::AskCheckSerialRange>();
  REQUIRE(serials.size() == 4);
  CHECK(serials[0].min_tid == Tid{0});
  CHECK(serials[0].min_oid == Oid{0});
  CHECK(serials[1].min_tid == Tid{10});
  CHECK(serials[1].min_oid == Oid{5});
  CHECK(f.reports.empty());
  CHECK_FALSE(f.checker->current());
  CHECK(f.peer(kS2).closed());
  CHECK(f.fatals.empty());
}

TEST_CASE("checker: a missing row is reported, with and without a reference", "[storage][check]") {
  SECTION("no reference: every node is reported, the queue is dropped") {
    Fixture f;
    sql_exec(f.dir.file("s2.db"), "DELETE FROM obj WHERE tid=14");
    f.checker->check(Fixture::check(0));
    f.checker->check(Fixture::check(1));
    f.accept(kS2);
    f.serve_all({kS2});
    REQUIRE(f.reports.size() == 1);
    CHECK(f.reports[0].partition == 0);
    CHECK(f.reports[0].nid_list == std::vector<NodeId>{kS1, kS2});
    CHECK_FALSE(f.checker->current());  // partition 1 not checked (NEO/py's behaviour)
    CHECK(f.peer(kS2).all<protocol::AskCheckTIDRange>().size() == 1);
  }
  SECTION("reference S2 among three replicas: only S3 is reported, the check goes on") {
    Fixture f(true);
    sql_exec(f.dir.file("s3.db"), "DELETE FROM obj WHERE tid=20 AND oid=8");
    f.checker->check(Fixture::check(0, kPort1 + 1));
    f.accept(kS2);
    f.accept(kS3);
    f.serve_all({kS2, kS3});
    REQUIRE(f.reports.size() == 1);
    CHECK(f.reports[0].nid_list == std::vector<NodeId>{kS3});
    CHECK(f.peer(kS3).closed());
    CHECK(f.peer(kS2).all<protocol::AskCheckSerialRange>().size() == 1);
    CHECK_FALSE(f.checker->current());  // finished with S2
  }
  SECTION("reference is ourselves: the other replica is reported") {
    Fixture f;
    sql_exec(f.dir.file("s2.db"), "DELETE FROM trans WHERE tid=12");
    f.checker->check(Fixture::check(0, kPort1));
    f.accept(kS2);
    f.serve_all({kS2});
    REQUIRE(f.reports.size() == 1);
    CHECK(f.reports[0].nid_list == std::vector<NodeId>{kS2});
    CHECK(f.peer(kS2).all<protocol::AskCheckSerialRange>().empty());  // found on the TIDs
  }
}

TEST_CASE("checker: a node lost or answering CHECKING_ERROR leaves the check", "[storage][check]") {
  SECTION("two replicas left: the check goes on") {
    Fixture f(true);
    f.checker->check(Fixture::check(0));
    f.accept(kS2);
    f.accept(kS3);
    FakePeer& s3 = f.peer(kS3);
    s3.reply(s3.sent.back().msg_id,
             protocol::Error{static_cast<int>(errc::checking_error), "partition 0 not readable"});
    CHECK(s3.closed());
    f.serve_all({kS2});
    CHECK(f.reports.empty());
    CHECK(f.peer(kS2).all<protocol::AskCheckSerialRange>().size() == 1);
    CHECK_FALSE(f.checker->current());
  }
  SECTION("no replica left: aborted, the next queued partition starts") {
    Fixture f;
    f.checker->check(Fixture::check(0));
    f.checker->check(Fixture::check(1));
    auto first = f.peers.at(kPort1 + 1);
    first->close({});  // before identification
    CHECK(f.checker->current() == 1u);
    REQUIRE(f.peers.at(kPort1 + 1) != first);  // a new connection for partition 1
    f.accept(kS2);
    f.serve_all({kS2});
    CHECK(f.reports.empty());
    CHECK_FALSE(f.checker->current());
  }
  SECTION("an unknown reference: not started") {
    Fixture f;
    f.checker->check(Fixture::check(0, 9999));
    CHECK_FALSE(f.checker->current());
  }
  SECTION("reset (master lost) closes and forgets everything") {
    Fixture f;
    f.checker->check(Fixture::check(0));
    f.checker->check(Fixture::check(1));
    f.checker->reset();
    CHECK(f.peer(kS2).closed());
    CHECK_FALSE(f.checker->current());
  }
}

TEST_CASE("a storage answers another storage's check requests", "[storage][check]") {
  Operational o;
  fill(o.app->state().db());
  OperationHandler storage(*o.app, NodeType::Storage);
  auto peer = std::make_shared<FakePeer>();
  o.deliver(storage, *peer, frame_of(protocol::AskCheckTIDRange{0, 40000, Tid{0}, Tid{100}}));
  auto tids = peer->last_sent<protocol::AnswerCheckTIDRange>();
  REQUIRE(tids);
  auto expected = o.app->state().db().check_tid_range(0, 40000, Tid{0}, Tid{100});
  CHECK(tids->count == 4);
  CHECK(tids->tid_checksum == expected->checksum);
  CHECK(tids->max_tid == Tid{20});
  o.deliver(storage, *peer,
            frame_of(protocol::AskCheckSerialRange{1, 40000, Tid{0}, Tid{100}, Oid{0}}));
  auto serials = peer->last_sent<protocol::AnswerCheckSerialRange>();
  REQUIRE(serials);
  CHECK(serials->count == 1);  // (11, 1)
  CHECK(serials->max_oid == Oid{1});
  CHECK_FALSE(peer->closed());

  // A client may not ask them.
  OperationHandler client(*o.app, NodeType::Client);
  auto c = std::make_shared<FakePeer>();
  o.deliver(client, *c, frame_of(protocol::AskCheckTIDRange{0, 40000, Tid{0}, Tid{100}}));
  CHECK(c->aborted);

  // An out-of-date cell: CHECKING_ERROR, the connection stays.
  std::string message;
  REQUIRE(o.app->state().change_partitions(
      protocol::NotifyPartitionChanges{2, 0, {{1, kS1, CellState::OutOfDate}}}, message));
  o.deliver(storage, *peer, frame_of(protocol::AskCheckTIDRange{1, 40000, Tid{0}, Tid{100}}));
  auto error = peer->last_sent<protocol::Error>();
  REQUIRE(error);
  CHECK(error->code == static_cast<int>(errc::checking_error));
  CHECK(error->message == "partition 1 not readable");
  CHECK_FALSE(peer->closed());
}
