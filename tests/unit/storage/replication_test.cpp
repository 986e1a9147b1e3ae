// Replication between two storage nodes without sockets: each node is its
// StorageState on a temporary SQLite database, driven by its MasterHandler
// (a fake master), and the replica's connections to the source are fake
// peers whose requests the test carries to the source's OperationHandler
// and whose packets it carries back. Also the lockless writes of a cell
// being replicated (TransactionManager) and the source's refusals.
#include <catch2/catch.hpp>

#include "core/util/record_data.hpp"
#include "nodes/storage/master_handler.hpp"
#include "nodes/storage/peer_handlers.hpp"
#include "nodes/storage/replicator.hpp"
#include "tests/support/fake_peer.hpp"
#include "tests/support/manual_scheduler.hpp"
#include "tests/unit/storage/storage_node_support.hpp"
#include "tests/unit/storage/storage_test_support.hpp"

namespace protocol = neo::protocol;
using neo::NodeId;
using neo::Oid;
using neo::Tid;
using neo::storage::Database;
using neo::storage::ObjectRef;
using neo::storage::TransactionMeta;
using neo::test::FakePeer;
using neo::test::frame_of;
using protocol::CellState;
using protocol::NodeState;
using protocol::NodeType;

namespace {

const NodeId kM1 = neo::make_node_id(0, 1);
const NodeId kS1 = neo::make_node_id(1, 1);  // the replica
const NodeId kS2 = neo::make_node_id(1, 2);  // the source
const NodeId kC1 = neo::make_node_id(2, 1);
constexpr std::uint32_t kPartitions = 2;

// A storage node without sockets.
struct Node : neo::storage::PeerHost {
  neo::storage::test::TempDir& dir;
  std::string file;
  std::unique_ptr<neo::storage::SqliteDatabase> db;
  neo::storage::StorageState st;
  neo::storage::test::FakeEvents ev;
  neo::test::ManualScheduler scheduler;
  std::shared_ptr<FakePeer> master = std::make_shared<FakePeer>();
  struct Link {
    std::shared_ptr<FakePeer> peer;
    std::shared_ptr<neo::net::Handler> handler;
  };
  std::vector<Link> links;  // connections the replicator opened
  neo::storage::Replicator replicator{
      st,
      scheduler,
      {.connect =
           [this](const protocol::Address&, std::shared_ptr<neo::net::Handler> handler) {
             links.push_back({std::make_shared<FakePeer>(), std::move(handler)});
             return std::static_pointer_cast<neo::net::Peer>(links.back().peer);
           },
       .master = [this]() -> neo::net::Peer* { return master.get(); },
       .fatal = [this](const std::string& what) { ev.fatal(what); },
       .server =
           [] {
             return protocol::Address{"127.0.0.1", 21510};
           }}};
  neo::storage::MasterHandler handler{st, ev, [](std::error_code) {}};

  Node(neo::storage::test::TempDir& d, const std::string& name, NodeId nid)
      : dir(d),
        file(d.file(name)),
        db(neo::storage::test::open_fast(file)),
        st(*db, {.cluster = "test"}) {
    st.load_configuration(std::nullopt);
    REQUIRE_FALSE(st.identified(nid));
    ev.replicator_of = &replicator;
    st.tm().on_replication_done = [this](const protocol::NotifyReplicationDone& p) {
      master->notify(p);
    };
  }
  void identify(neo::net::Peer&, const protocol::RequestIdentification&) override {}
  void peer_closed(neo::net::Peer&) override {}
  neo::storage::StorageState& state() override { return st; }
  neo::storage::StorageEvents& events() override { return ev; }

  template <class P>
  void send(const P& packet) {
    master->set_msg_id(7);
    handler.on_packet(*master, frame_of(packet));
  }
  // Both storages running, S2 up to date and S1 out of date everywhere.
  void start() {
    send(protocol::NotifyNodeInformation{
        1.0,
        {{NodeType::Master, protocol::Address{"127.0.0.1", 21500}, kM1, NodeState::Running, {}},
         {NodeType::Storage, protocol::Address{"127.0.0.1", 21510}, kS1, NodeState::Running, 1.0},
         {NodeType::Storage, protocol::Address{"127.0.0.1", 21520}, kS2, NodeState::Running,
          1.0}}});
    protocol::RowList rows(
        kPartitions,
        std::vector<protocol::CellInfo>{{kS1, CellState::OutOfDate}, {kS2, CellState::UpToDate}});
    send(protocol::SendPartitionTable{1, 1, rows});
    send(protocol::AskLastIDs{});
    send(protocol::StartOperation{false});
  }
  // Backup mode: S1 alone in the table, UP_TO_DATE everywhere (S2 stands
  // for an upstream storage, or for our primary cell).
  void start_backup() {
    send(protocol::NotifyNodeInformation{
        1.0,
        {{NodeType::Master, protocol::Address{"127.0.0.1", 21500}, kM1, NodeState::Running, {}},
         {NodeType::Storage, protocol::Address{"127.0.0.1", 21510}, kS1, NodeState::Running, 1.0},
         {NodeType::Storage, protocol::Address{"127.0.0.1", 21520}, kS2, NodeState::Running,
          1.0}}});
    protocol::RowList rows(kPartitions,
                           std::vector<protocol::CellInfo>{{kS1, CellState::UpToDate}});
    send(protocol::SendPartitionTable{1, 0, rows});
    send(protocol::AskLastIDs{});
    send(protocol::StartOperation{true});
  }
};

// Transaction `tid` storing one object in the tid's partition.
void put(Database& db, std::uint64_t tid, std::uint64_t oid, const std::string& value) {
  const std::string checksum = neo::sha1(value);
  auto id = db.store_data(checksum, Oid{oid}, value, 0, std::nullopt);
  REQUIRE(id);
  const ObjectRef object{Oid{oid}, *id, std::nullopt};
  const TransactionMeta meta{{Oid{oid}}, "user", "tid " + std::to_string(tid), "", false, Tid{tid}};
  REQUIRE_FALSE(db.store_transaction(Tid{tid}, std::span(&object, 1), &meta, false));
}

// `count` transactions: tid i stores oid (i % 2) + 2 * (i % 40).
void fill(Database& db, std::uint64_t count) {
  for (std::uint64_t tid = 1; tid <= count; ++tid)
    put(db, tid, tid % 2 + 2 * (tid % 40), "data of " + std::to_string(tid));
  REQUIRE_FALSE(db.commit());
}

std::vector<std::vector<std::string>> content(const std::string& file) {
  return neo::storage::test::sql_rows(
      file,
      "SELECT 'obj', partition, oid, tid, hex(hash), compression, value_tid FROM obj"
      " LEFT JOIN data ON data_id = data.id UNION ALL"
      " SELECT 'trans', partition, tid, hex(oids), user, description, ttid FROM trans"
      " ORDER BY 1, 2, 3, 4");
}

// Carries the replica's requests to the source and the source's packets
// back, until nothing is pending or `budget` requests were carried.
// Returns the number of AddObject packets carried.
std::size_t pump(Node& replica, Node& source, int budget = 1 << 30) {
  std::size_t objects = 0;
  neo::storage::OperationHandler feeder(source, NodeType::Storage);
  auto server = std::make_shared<FakePeer>();
  for (bool progress = true; progress && budget > 0;) {
    progress = false;
    for (std::size_t l = 0; l < replica.links.size(); ++l) {
      auto link = replica.links[l];
      for (std::size_t i = 0; i < link.peer->sent.size() && budget > 0; ++i) {
        const FakePeer::Sent request = link.peer->sent[i];
        if (!link.peer->callbacks.count(request.msg_id)) continue;
        progress = true;
        --budget;
        if (request.code == protocol::RequestIdentification::kCode) {
          link.peer->reply(request.msg_id,
                           protocol::AcceptIdentification{NodeType::Storage, kS2, kS1});
          continue;
        }
        server->clear();
        server->set_msg_id(request.msg_id);
        feeder.on_packet(*server, {request.msg_id, request.code, request.args});
        for (const FakePeer::Sent& packet : server->sent) {
          const protocol::Frame frame{packet.msg_id, packet.code, packet.args};
          if (packet.code & protocol::kResponseMask) {
            link.peer->reply_frame(packet.msg_id, frame);
          } else {
            objects += packet.code == protocol::AddObject::kCode;
            link.peer->set_msg_id(packet.msg_id);
            link.handler->on_packet(*link.peer, frame);
          }
        }
        replica.scheduler.run_posted();  // as the event loop goes on (the replicator's commits)
      }
    }
  }
  return objects;
}

}  // namespace

TEST_CASE("an out-of-date cell is replicated from a readable one, in chunks",
          "[storage][replication]") {
  neo::storage::test::TempDir dir;
  Node source(dir, "s2.db", kS2), replica(dir, "s1.db", kS1);
  source.start();
  fill(*source.db, 2500);
  replica.start();
  // Asks the master what is being committed, then connects to S2.
  const auto ask = replica.master->last<protocol::AskUnfinishedTransactions>();
  REQUIRE(ask);
  CHECK(ask->offset_list == std::vector<std::int64_t>{0, 1});
  REQUIRE(replica.master->reply<protocol::AskUnfinishedTransactions>({Tid{2500}, {}}));
  REQUIRE(replica.links.size() == 1);
  CHECK(pump(replica, source) == 2500);
  CHECK(replica.ev.fatals.empty());
  // Each partition: 1250 transactions and objects, in chunks of 1000.
  CHECK(replica.links[0].peer->all<protocol::AskFetchTransactions>().size() == 4);
  CHECK(replica.links[0].peer->all<protocol::AskFetchObjects>().size() == 4);
  const auto done = replica.master->all<protocol::NotifyReplicationDone>();
  REQUIRE(done.size() == 2);
  CHECK(done[0].tid == Tid{2500});
  CHECK(content(replica.file) == content(source.file));
  // The progress is recorded: both cells are complete up to 2500.
  for (const auto& row : neo::storage::test::sql_rows(
           replica.file, "SELECT tid FROM pt WHERE nid=" + std::to_string(kS1.value)))
    CHECK(row[0] == "2500");
}

TEST_CASE("an interrupted replication resumes where it stopped", "[storage][replication]") {
  neo::storage::test::TempDir dir;
  Node source(dir, "s2.db", kS2);
  source.start();
  fill(*source.db, 5000);
  std::size_t first = 0;
  {
    Node replica(dir, "s1.db", kS1);
    replica.start();
    REQUIRE(replica.master->reply<protocol::AskUnfinishedTransactions>({Tid{5000}, {}}));
    // Identification, 3 transaction chunks and 2 object chunks of the first partition.
    first = pump(replica, source, 6);
    CHECK(first == 2000);
  }  // killed: what was not committed is lost
  Node replica(dir, "s1.db", kS1);
  replica.start();
  REQUIRE(replica.master->reply<protocol::AskUnfinishedTransactions>({Tid{5000}, {}}));
  const std::size_t second = pump(replica, source);
  CHECK(content(replica.file) == content(source.file));
  // The chunks committed before the kill are not fetched again: all but the
  // last one, whose commit waited for the source's next packet.
  CHECK(second == 4000);
}

namespace {

// A store of `oid` by `ttid` through the TransactionManager; the conflict field answered.
std::optional<std::optional<Tid>> store(Node& node, std::uint64_t ttid, std::uint64_t oid) {
  std::optional<std::optional<Tid>> answer;
  const std::string data = "lockless " + std::to_string(oid);
  protocol::AskStoreObject ask{Oid{oid}, Tid{}, 0, neo::sha1(data), data, std::nullopt, Tid{ttid}};
  node.st.tm().store_object({kC1, [] { return true; }}, ask,
                            [&](neo::Result<std::optional<Tid>> r, const std::string&) {
                              REQUIRE(r);
                              answer = *r;
                            });
  return answer;
}

}  // namespace

TEST_CASE("writes to a cell being replicated are lockless; done once no lockless write is left",
          "[storage][replication]") {
  neo::storage::test::TempDir dir;
  Node source(dir, "s2.db", kS2), replica(dir, "s1.db", kS1);
  source.start();
  replica.start();
  // Two transactions store oid 2 (partition 0) without lock: answered ZERO_TID.
  CHECK(store(replica, 100, 2) == std::optional<Tid>(neo::kZeroTid));
  CHECK(store(replica, 101, 2) == std::optional<Tid>(neo::kZeroTid));
  CHECK_FALSE(replica.st.tm().write_locker(Oid{2}));
  REQUIRE(replica.master->reply<protocol::AskUnfinishedTransactions>({Tid{50}, {}}));
  pump(replica, source);
  // Partition 1 is done; partition 0 waits: two transactions rely on a lockless store.
  auto done = replica.master->all<protocol::NotifyReplicationDone>();
  REQUIRE(done.size() == 1);
  CHECK(done[0].offset == 1);
  CHECK(replica.st.tm().write_locker(Oid{2}) == Tid{101});  // the youngest delays new ones
  REQUIRE_FALSE(replica.st.tm().abort(Tid{100}));
  done = replica.master->all<protocol::NotifyReplicationDone>();
  REQUIRE(done.size() == 2);
  CHECK(done[1].offset == 0);
  CHECK(done[1].tid == Tid{50});
  CHECK(replica.st.tm().write_locker(Oid{2}) == Tid{101});  // now an ordinary lock
  // Stores after that take locks.
  const auto locked = store(replica, 102, 4);
  REQUIRE(locked);
  CHECK_FALSE(*locked);  // nil: locked
  CHECK(replica.st.tm().write_locker(Oid{4}) == Tid{102});
}

TEST_CASE("a storage feeds only readable cells; packets of another request are dropped",
          "[storage][replication]") {
  neo::storage::test::TempDir dir;
  Node source(dir, "s2.db", kS2), replica(dir, "s1.db", kS1);
  source.start();
  fill(*source.db, 10);
  replica.start();
  // The replica's cells are out of date: it cannot be a source.
  neo::storage::OperationHandler feeder(replica, NodeType::Storage);
  auto peer = std::make_shared<FakePeer>();
  peer->set_msg_id(3);
  feeder.on_packet(*peer,
                   frame_of(protocol::AskFetchTransactions{0, 1000, Tid{0}, Tid{10}, {}, true}, 3));
  const auto error = peer->last<protocol::Error>();
  REQUIRE(error);
  CHECK(error->code == static_cast<std::int64_t>(neo::errc::replication_error));
  CHECK(error->message == "partition 0 not readable");
  // An AddObject that answers no request of the replicator is ignored.
  REQUIRE(replica.master->reply<protocol::AskUnfinishedTransactions>({Tid{10}, {}}));
  REQUIRE(replica.links.size() == 1);
  auto& link = replica.links[0];
  const std::string data = "stray";
  link.peer->set_msg_id(4242);
  link.handler->on_packet(
      *link.peer,
      frame_of(protocol::AddObject{Oid{2}, Tid{5}, 0, neo::sha1(data), data, std::nullopt}, 4242));
  CHECK(neo::storage::test::sql_rows(replica.file, "SELECT COUNT(*) FROM obj")[0][0] == "0");
  pump(replica, source);
  CHECK(content(replica.file) == content(source.file));
}

TEST_CASE("the connection to the source is closed once nothing is left to replicate",
          "[storage][replication]") {
  neo::storage::test::TempDir dir;
  Node source(dir, "s2.db", kS2), replica(dir, "s1.db", kS1);
  source.start();
  fill(*source.db, 1500);
  replica.start();
  REQUIRE(replica.master->reply<protocol::AskUnfinishedTransactions>({Tid{1500}, {}}));
  // Identification and the first partition: the second one is still to fetch.
  pump(replica, source, 3);
  REQUIRE(replica.links.size() == 1);
  CHECK(replica.master->all<protocol::NotifyReplicationDone>().size() == 1);
  CHECK_FALSE(replica.links[0].peer->closed());
  pump(replica, source);
  CHECK(replica.master->all<protocol::NotifyReplicationDone>().size() == 2);
  // NEO/py's storages refuse a second connection from us (the Checker's) while it is open.
  CHECK(replica.links[0].peer->closed());
  CHECK(replica.links.size() == 1);
}

TEST_CASE("backup mode: Replicate fetches from an upstream storage, anonymously",
          "[storage][replication][backup]") {
  neo::storage::test::TempDir dir;
  Node source(dir, "s2.db", kS2), replica(dir, "s1.db", kS1);
  source.start();
  fill(*source.db, 1500);
  replica.start_backup();
  CHECK(replica.db->backup_tid() == neo::kZeroTid);
  const protocol::Address upstream{"127.0.0.1", 21520};
  replica.send(protocol::Replicate{Tid{1000}, "up", {{0, upstream}}});
  REQUIRE(replica.links.size() == 1);
  const auto id = replica.links[0].peer->last<protocol::RequestIdentification>();
  REQUIRE(id);
  CHECK_FALSE(id->nid);  // anonymous, under the upstream's name
  CHECK(id->name == "up");
  pump(replica, source);
  CHECK(replica.ev.fatals.empty());
  auto done = replica.master->all<protocol::NotifyReplicationDone>();
  REQUIRE(done.size() == 1);
  CHECK(done[0].offset == 0);
  CHECK(done[0].tid == Tid{1000});
  // Partition 0 holds the upstream's transactions up to 1000 (even TIDs).
  CHECK(neo::storage::test::sql_rows(replica.file, "SELECT tid FROM trans WHERE partition=0")
            .size() == 500);
  // Partition 1 is behind: the backup TID moves once it is told nothing is new.
  CHECK(replica.db->backup_tid() == neo::kZeroTid);
  replica.send(protocol::Replicate{Tid{1000}, "", {{1, std::nullopt}}});
  CHECK(replica.db->backup_tid() == Tid{1000});
  // Clients read up to the backup TID only.
  std::string message;
  CHECK(replica.st.transaction_information(Tid{1002}, message).error() == neo::errc::tid_not_found);
  CHECK(replica.st.transaction_information(Tid{1000}, message).has_value());

  // STOPPING_BACKUP cancels what is left to fetch from the upstream.
  replica.send(protocol::Replicate{Tid{1500}, "up", {{0, upstream}, {1, upstream}}});
  replica.send(protocol::NotifyClusterInformation{protocol::ClusterState::StoppingBackup});
  pump(replica, source);
  CHECK(replica.master->all<protocol::NotifyReplicationDone>().size() == 1);
  CHECK(replica.db->backup_tid() == Tid{1000});
}

TEST_CASE("backup mode: a secondary cell replicates from our primary cell",
          "[storage][replication][backup]") {
  neo::storage::test::TempDir dir;
  Node source(dir, "s2.db", kS2), replica(dir, "s1.db", kS1);
  source.start();
  fill(*source.db, 300);
  replica.start_backup();
  replica.send(protocol::Replicate{
      Tid{300},
      "",
      {{0, protocol::Address{"127.0.0.1", 21520}}, {1, protocol::Address{"127.0.0.1", 21520}}}});
  REQUIRE(replica.links.size() == 1);
  const auto id = replica.links[0].peer->last<protocol::RequestIdentification>();
  REQUIRE(id);
  CHECK(id->nid == kS1);  // one of ours: identified as usual
  CHECK(id->name == "test");
  pump(replica, source);
  CHECK(replica.master->all<protocol::NotifyReplicationDone>().size() == 2);
  CHECK(content(replica.file) == content(source.file));
  CHECK(replica.db->backup_tid() == Tid{300});
}

TEST_CASE("a source feeds no more while the requester does not read", "[storage][replication]") {
  neo::storage::test::TempDir dir;
  Node source(dir, "s2.db", kS2);
  source.start();
  fill(*source.db, 10);
  neo::storage::OperationHandler feeder(source, NodeType::Storage);
  auto peer = std::make_shared<FakePeer>();
  peer->queued = 16 << 20;  // a requester that stopped reading
  feeder.on_packet(*peer,
                   frame_of(protocol::AskFetchObjects{0, 1000, Tid{0}, Tid{10}, Oid{0}, {}}, 3));
  CHECK(peer->all<protocol::AddObject>().empty());
  CHECK_FALSE(peer->last<protocol::AnswerFetchObjects>());
  REQUIRE(source.ev.delayed.size() == 1);
  std::exchange(source.ev.delayed, {})[0]();  // still not reading
  CHECK(peer->all<protocol::AddObject>().empty());
  REQUIRE(source.ev.delayed.size() == 1);
  peer->queued = 0;  // it reads again
  std::exchange(source.ev.delayed, {})[0]();
  CHECK(peer->all<protocol::AddObject>().size() == 5);  // tids 2, 4, ... 10 in partition 0
  CHECK(peer->last<protocol::AnswerFetchObjects>());
  CHECK(source.ev.delayed.empty());
}

TEST_CASE("backup mode: a signature that comes before its order is applied once replicated",
          "[storage][replication][backup]") {
  neo::storage::test::TempDir dir;
  Node source(dir, "s2.db", kS2), replica(dir, "s1.db", kS1);
  source.start();
  fill(*source.db, 10);
  // The upstream's pack order of transaction 4 (partition 0), not signed there yet.
  REQUIRE_FALSE(source.db->store_pack_order(Tid{4}, std::nullopt, false, std::nullopt, Tid{2}));
  REQUIRE_FALSE(source.db->commit());
  replica.start_backup();
  replica.send(protocol::NotifyPackSigned{{Tid{4}}, {}});  // transaction 4 not here yet
  CHECK(neo::storage::test::sql_rows(replica.file, "SELECT tid FROM pack").empty());
  replica.send(protocol::Replicate{Tid{10}, "up", {{0, protocol::Address{"127.0.0.1", 21520}}}});
  pump(replica, source);
  CHECK(replica.ev.fatals.empty());
  CHECK(neo::storage::test::sql_rows(replica.file, "SELECT tid, approved FROM pack") ==
        std::vector<std::vector<std::string>>{{"4", "1"}});
}
