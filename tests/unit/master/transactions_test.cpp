// The master's handling of client transactions, driven with fake peers.
#include <catch2/catch.hpp>

#include "nodes/master/master.hpp"
#include "tests/support/fake_peer.hpp"

namespace protocol = neo::protocol;
using neo::errc;
using neo::NodeId;
using neo::Oid;
using neo::Tid;
using neo::master::Master;
using neo::master::MasterConfig;
using neo::test::FakePeer;
using neo::test::frame_of;
using protocol::ClusterState;
using protocol::NodeType;

namespace {

const NodeId S1{1}, S2{2};

// A RUNNING cluster: `storages` storages (replicas = storages - 1), ready.
struct Running {
  explicit Running(int storages = 1) {
    MasterConfig config;
    config.cluster = "test";
    config.bind = {"127.0.0.1", 21000};
    config.autostart = storages;
    config.partitions = 4;
    config.replicas = static_cast<std::uint32_t>(storages - 1);
    neo::master::Hooks hooks;
    hooks.exit = [this](int status) { exit_status = status; };
    master = std::make_shared<Master>(config, hooks, [this] { return now += 1; },
                                      [this] { return tid_now; });
    master->start();
    admin = connect(NodeType::Admin, 21020);
    for (int i = 0; i < storages; ++i) s.push_back(connect(NodeType::Storage, 21011 + i));
    for (auto& p : s) p->reply<protocol::AskRecovery>({std::nullopt, std::nullopt, std::nullopt});
    for (auto& p : s) p->reply<protocol::AskLockedTransactions>({});
    for (auto& p : s) p->reply<protocol::AskLastIDs>({Tid{0x10}, Oid{3}, Tid{1}});
    for (auto& p : s) p->reply<protocol::AskPackOrders>({});
    REQUIRE(master->cluster_state() == ClusterState::Running);
  }

  std::shared_ptr<FakePeer> connect(NodeType type, std::uint16_t port,
                                    std::vector<std::pair<std::string, protocol::Value>> extra = {}) {
    auto peer = std::make_shared<FakePeer>("127.0.0.1:" + std::to_string(port));
    protocol::RequestIdentification r;
    r.node_type = type;
    if (type != NodeType::Client) r.address = protocol::Address{"127.0.0.1", port};
    r.name = "test";
    r.extra = std::move(extra);
    master->on_packet(*peer, frame_of(r));
    return peer;
  }
  void ready() {
    for (auto& p : s) master->on_packet(*p, frame_of(protocol::NotifyReady{}));
  }
  Tid begin(FakePeer& client, std::uint32_t msg_id = 11) {
    master->on_packet(client, frame_of(protocol::AskBeginTransaction{}, msg_id));
    auto answer = client.last<protocol::AnswerBeginTransaction>();
    REQUIRE(answer);
    return answer->ttid;
  }
  void finish(FakePeer& client, Tid ttid, std::vector<Oid> oids, std::uint32_t msg_id = 12) {
    protocol::AskFinishTransaction p;
    p.ttid = ttid;
    p.oid_list = std::move(oids);
    master->on_packet(client, frame_of(p, msg_id));
  }

  std::shared_ptr<Master> master;
  std::shared_ptr<FakePeer> admin;
  std::vector<std::shared_ptr<FakePeer>> s;
  double now = 1000;
  double tid_now = 1700000000.0;
  std::optional<int> exit_status;
};

}  // namespace

TEST_CASE("commit: lock, answer, invalidations, unlock", "[master][transactions]") {
  Running c;
  c.ready();
  auto c1 = c.connect(NodeType::Client, 0);
  auto c2 = c.connect(NodeType::Client, 0);
  const Tid ttid = c.begin(*c1);
  CHECK(ttid == neo::tid_from_time(c.tid_now));
  c.finish(*c1, ttid, {Oid{4}, Oid{5}});
  auto lock = c.s[0]->last<protocol::AskLockInformation>();
  REQUIRE(lock);
  CHECK(lock->ttid == ttid);
  CHECK(lock->tid.value % 4 == ttid.value % 4);
  CHECK_FALSE(c1->last<protocol::AnswerTransactionFinished>());
  REQUIRE(c.s[0]->reply<protocol::AskLockInformation>({ttid}));
  auto finished = c1->last<protocol::AnswerTransactionFinished>();
  REQUIRE(finished);
  CHECK(finished->ttid == ttid);
  CHECK(finished->tid == lock->tid);
  CHECK(c1->sent.back().msg_id == 12);  // answers the AskFinishTransaction
  auto invalidate = c2->last<protocol::InvalidateObjects>();
  REQUIRE(invalidate);
  CHECK(invalidate->tid == lock->tid);
  CHECK(invalidate->oid_list == std::vector<Oid>{Oid{4}, Oid{5}});
  CHECK_FALSE(c1->last<protocol::InvalidateObjects>());
  CHECK(c.s[0]->last<protocol::NotifyUnlockInformation>()->ttid == ttid);
  CHECK(c.master->last_transaction() == lock->tid);
  c.master->on_packet(*c2, frame_of(protocol::AskLastTransaction{}));
  CHECK(c2->last<protocol::AnswerLastTransaction>()->tid == lock->tid);
  // AskFinalTID of a committed transaction: ask the storages (MAX_TID)
  c.master->on_packet(*c1, frame_of(protocol::AskFinalTID{ttid}));
  CHECK(c1->last<protocol::AnswerFinalTID>()->tid == neo::kMaxTid);
}

TEST_CASE("begin waits for starting storages", "[master][transactions]") {
  Running c;
  auto c1 = c.connect(NodeType::Client, 0);
  c.master->on_packet(*c1, frame_of(protocol::AskBeginTransaction{}, 21));
  CHECK_FALSE(c1->last<protocol::AnswerBeginTransaction>());
  c.ready();
  REQUIRE(c1->last<protocol::AnswerBeginTransaction>());
  CHECK(c1->sent.back().msg_id == 21);
}

TEST_CASE("a client lost aborts its transaction on the storages", "[master][transactions]") {
  Running c;
  c.ready();
  auto c1 = c.connect(NodeType::Client, 0);
  const Tid ttid = c.begin(*c1);
  c.master->on_packet(*c.s[0], frame_of(protocol::AskUnfinishedTransactions{{}}));
  CHECK(c.s[0]->last<protocol::AnswerUnfinishedTransactions>()->ttid_list ==
        std::vector<Tid>{ttid});
  c.master->on_closed(*c1);
  auto abort = c.s[0]->last<protocol::AbortTransaction>();
  REQUIRE(abort);
  CHECK(abort->ttid == ttid);
  CHECK_FALSE(c.master->tm().has_pending());
}

TEST_CASE("abort from the client; abort after finish is a protocol error",
          "[master][transactions]") {
  Running c;
  c.ready();
  auto c1 = c.connect(NodeType::Client, 0);
  const Tid a = c.begin(*c1);
  c.master->on_packet(*c1, frame_of(protocol::AbortTransaction{a, {S1}}));
  CHECK(c.s[0]->last<protocol::AbortTransaction>()->ttid == a);
  const Tid b = c.begin(*c1);
  c.finish(*c1, b, {});
  c.master->on_packet(*c1, frame_of(protocol::AbortTransaction{b, {}}));
  CHECK(c1->last<protocol::Error>()->code == static_cast<int>(errc::protocol_error));
  CHECK(c1->aborted);
}

TEST_CASE("read-only clients cannot write", "[master][transactions]") {
  Running c;
  c.ready();
  auto ro = c.connect(NodeType::Client, 0, {{"read_only", protocol::Value::boolean(true)}});
  REQUIRE(ro->last<protocol::AcceptIdentification>());
  c.master->on_packet(*ro, frame_of(protocol::AskBeginTransaction{}));
  CHECK(ro->last<protocol::Error>()->code == static_cast<int>(errc::read_only_access));
  c.master->on_packet(*ro, frame_of(protocol::AskNewOIDs{1}));
  CHECK(ro->all<protocol::Error>().size() == 2);
  c.master->on_packet(*ro, frame_of(protocol::AskLastTransaction{}));
  CHECK(ro->last<protocol::AnswerLastTransaction>());
  CHECK_FALSE(ro->aborted);
}

TEST_CASE("AskFinalTID during the commit is answered once unlocked", "[master][transactions]") {
  Running c;
  c.ready();
  auto c1 = c.connect(NodeType::Client, 0);
  auto c2 = c.connect(NodeType::Client, 0);
  const Tid ttid = c.begin(*c1);
  c.finish(*c1, ttid, {Oid{4}});
  c.master->on_packet(*c2, frame_of(protocol::AskFinalTID{ttid}, 33));
  CHECK_FALSE(c2->last<protocol::AnswerFinalTID>());
  // an unknown future ttid: None
  c.master->on_packet(*c2, frame_of(protocol::AskFinalTID{Tid{neo::kMaxTid.value - 1}}, 34));
  CHECK(c2->last<protocol::AnswerFinalTID>()->tid == std::nullopt);
  c.s[0]->reply<protocol::AskLockInformation>({ttid});
  auto final_tid = c2->last<protocol::AnswerFinalTID>();
  CHECK(final_tid->tid == c1->last<protocol::AnswerTransactionFinished>()->tid);
  CHECK(c2->sent.back().msg_id == 33);
}

TEST_CASE("a storage lost during the commit", "[master][transactions]") {
  Running c(2);
  c.ready();
  auto c1 = c.connect(NodeType::Client, 0);
  const Tid ttid = c.begin(*c1);
  c.finish(*c1, ttid, {Oid{4}});
  REQUIRE(c.s[0]->last<protocol::AskLockInformation>());
  REQUIRE(c.s[1]->last<protocol::AskLockInformation>());
  c.s[0]->reply<protocol::AskLockInformation>({ttid});
  CHECK_FALSE(c1->last<protocol::AnswerTransactionFinished>());
  c.master->on_closed(*c.s[1]);
  CHECK(c.master->cluster_state() == ClusterState::Running);
  REQUIRE(c1->last<protocol::AnswerTransactionFinished>());
  CHECK(c.s[0]->last<protocol::NotifyUnlockInformation>());
}

TEST_CASE("STOPPING waits for the transactions in progress", "[master][transactions]") {
  Running c;
  c.ready();
  auto c1 = c.connect(NodeType::Client, 0);
  const Tid ttid = c.begin(*c1);
  c.finish(*c1, ttid, {Oid{4}});
  c.master->on_packet(*c.admin, frame_of(protocol::SetClusterState{ClusterState::Stopping}));
  CHECK(c.master->cluster_state() == ClusterState::Stopping);
  CHECK(c.master->stop_requested());
  CHECK_FALSE(c.exit_status);
  // no new transaction meanwhile
  auto c2 = c.connect(NodeType::Client, 0);
  CHECK(c2->last<protocol::Error>()->code == static_cast<int>(errc::not_ready));
  c.s[0]->reply<protocol::AskLockInformation>({ttid});
  CHECK(c1->last<protocol::AnswerTransactionFinished>());
  CHECK(c.exit_status == 0);
  CHECK(c.master->stopping());
}

TEST_CASE("a malformed client request is an error, not a crash", "[master][transactions]") {
  Running c;
  c.ready();
  auto c1 = c.connect(NodeType::Client, 0);
  c.master->on_packet(*c1, protocol::Frame{5, protocol::AskFinishTransaction::kCode, "\x91\xc0"});
  CHECK(c1->aborted);
  auto c2 = c.connect(NodeType::Client, 0);
  c.finish(*c2, Tid{12345}, {});  // unknown ttid
  CHECK(c2->last<protocol::Error>()->code == static_cast<int>(errc::protocol_error));
}

TEST_CASE("pack: approved with the commit, signed, completed, waited for",
          "[master][transactions][pack]") {
  Running c;
  c.ready();
  auto c1 = c.connect(NodeType::Client, 0);
  // commit something first: the pack time must not be after the last TID
  const Tid t0 = c.begin(*c1);
  c.finish(*c1, t0, {Oid{4}});
  c.s[0]->reply<protocol::AskLockInformation>({t0});
  const Tid last = c.master->last_transaction();
  const Tid ttid = c.begin(*c1);
  protocol::AskFinishTransaction p;
  p.ttid = ttid;
  p.pack = protocol::PackRequest{std::nullopt, Tid{last.value + 1}};  // after the last TID
  c.master->on_packet(*c1, frame_of(p, 40));
  CHECK(c1->last<protocol::Error>()->code == static_cast<int>(errc::protocol_error));
  auto c2 = c.connect(NodeType::Client, 0);
  auto backup = c.connect(NodeType::Client, 0, {{"backup", protocol::Value::bin("backup")}});
  const Tid ttid2 = c.begin(*c2);
  p.ttid = ttid2;
  p.pack = protocol::PackRequest{std::nullopt, last};
  c.master->on_packet(*c2, frame_of(p, 41));
  auto lock = c.s[0]->last<protocol::AskLockInformation>();
  REQUIRE(lock->ttid == ttid2);
  CHECK(lock->pack);
  c.s[0]->reply<protocol::AskLockInformation>({ttid2});
  const Tid tid = c2->last<protocol::AnswerTransactionFinished>()->tid;
  auto signed_pack = c.s[0]->last<protocol::NotifyPackSigned>();
  REQUIRE(signed_pack);
  CHECK(signed_pack->approved == std::vector<Tid>{tid});
  // backup clusters follow it; other clients are not told
  REQUIRE(backup->last<protocol::NotifyPackSigned>());
  CHECK(backup->last<protocol::NotifyPackSigned>()->approved == std::vector<Tid>{tid});
  CHECK_FALSE(c2->last<protocol::NotifyPackSigned>());
  // the storage asks for its orders
  c.master->on_packet(*c.s[0], frame_of(protocol::AskPackOrders{neo::kZeroTid}));
  auto orders = c.s[0]->last<protocol::AnswerPackOrders>();
  REQUIRE(orders->pack_list.size() == 1);
  CHECK(orders->pack_list[0].pack_id == tid);
  CHECK(orders->pack_list[0].pack_tid == last);
  CHECK(orders->pack_list[0].approved == true);
  // the client waits for the pack until the storage completed it
  c.master->on_packet(*c2, frame_of(protocol::WaitForPack{tid}, 42));
  CHECK_FALSE(c2->last<protocol::WaitedForPack>());
  c.master->on_packet(*c.s[0], frame_of(protocol::NotifyPackCompleted{tid}));
  REQUIRE(c2->last<protocol::WaitedForPack>());
  CHECK(c2->sent.back().msg_id == 42);
  // a completed (unknown) pack is not waited for
  c.master->on_packet(*c2, frame_of(protocol::WaitForPack{tid}, 43));
  CHECK(c2->sent.back().msg_id == 43);
}

TEST_CASE("failed vote: the failed storage is disconnected, the commit goes on",
          "[master][transactions]") {
  Running c(2);
  c.ready();
  auto c1 = c.connect(NodeType::Client, 0);
  const Tid ttid = c.begin(*c1);
  c.master->on_packet(*c1, frame_of(protocol::FailedVote{ttid, {S2}}, 50));
  auto ack = c1->last<protocol::Error>();
  REQUIRE(ack);
  CHECK(ack->code == static_cast<int>(errc::ack));
  c.finish(*c1, ttid, {Oid{4}});
  CHECK(c.s[1]->closed());
  CHECK_FALSE(c.s[1]->last<protocol::AskLockInformation>());
  CHECK(c.master->nodes().state_of(S2) == protocol::NodeState::Down);
  REQUIRE(c.s[0]->reply<protocol::AskLockInformation>({ttid}));
  CHECK(c1->last<protocol::AnswerTransactionFinished>());
  CHECK(c.master->cluster_state() == ClusterState::Running);
  // both failing: incomplete
  const Tid t2 = c.begin(*c1);
  c.master->on_packet(*c1, frame_of(protocol::FailedVote{t2, {S1}}, 51));
  CHECK(c1->last<protocol::Error>()->code == static_cast<int>(errc::incomplete_transaction));
}
