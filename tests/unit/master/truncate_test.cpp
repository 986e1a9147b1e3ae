// neoctl truncate on the master, with fake peers: the refusals (NEO/py's
// texts), the packets of an accepted truncation, and the recovery that
// follows: it waits for every node of the table and sends Truncate again to
// the storages that did not record it; verification ends it.
#include <catch2/catch.hpp>

#include "tests/unit/master/master_fixture.hpp"

namespace protocol = neo::protocol;
using neo::errc;
using neo::NodeId;
using neo::Oid;
using neo::Tid;
using neo::master::test::FakePeer;
using neo::master::test::MasterFixture;
using protocol::CellState;
using protocol::ClusterState;
using protocol::NodeState;
using protocol::NodeType;

namespace {

// The last Error answer `peer` got: (code, message).
std::pair<std::int64_t, std::string> last_error(const FakePeer& peer) {
  std::optional<protocol::Error> error = peer.last<protocol::Error>();
  REQUIRE(error);
  return {error->code, error->message};
}
std::pair<std::int64_t, std::string> denied(std::string message) {
  return {static_cast<std::int64_t>(errc::denied), std::move(message)};
}
const std::pair<std::int64_t, std::string> kAck{static_cast<std::int64_t>(errc::ack), ""};

NodeId nid_of(const FakePeer& storage) {
  return *storage.last<protocol::AcceptIdentification>()->your_nid;
}

// Codes of the packets sent since the `from`-th one.
std::vector<std::uint16_t> codes_from(const FakePeer& peer, std::size_t from) {
  std::vector<std::uint16_t> codes = peer.codes();
  return {codes.begin() + static_cast<std::ptrdiff_t>(std::min(from, codes.size())), codes.end()};
}

}  // namespace

TEST_CASE("truncate: refused unless RUNNING, between first and last TID, before any pack",
          "[master][truncate]") {
  MasterFixture m(MasterFixture::Options{.autostart = std::nullopt});
  auto admin = m.connect(NodeType::Admin, 21020);
  m.send(*admin, protocol::Truncate{Tid{8}});
  CHECK(last_error(*admin) == denied("truncate RPC can not be used in RECOVERING state"));

  // Last TID 0x10, first TID 2, a pack approved at 8 and one rejected at 12.
  auto s = m.connect(NodeType::Storage, 21011);
  MasterFixture::recover({s.get()});
  m.send(*admin, protocol::SetClusterState{ClusterState::Verifying});
  REQUIRE(s->reply<protocol::AskLockedTransactions>({}));
  REQUIRE(s->reply<protocol::AskLastIDs>({Tid{0x10}, Oid{3}, Tid{2}}));
  REQUIRE(s->reply<protocol::AskPackOrders>(
      {{{.pack_id = Tid{8}, .approved = true, .pack_tid = Tid{8}},
        {.pack_id = Tid{12}, .approved = false, .pack_tid = Tid{12}}}}));
  REQUIRE(m.master->cluster_state() == ClusterState::Running);

  m.send(*admin, protocol::Truncate{Tid{0x10}});
  CHECK(last_error(*admin) == denied("Truncating after last transaction does nothing"));
  m.send(*admin, protocol::Truncate{Tid{0x11}});
  CHECK(last_error(*admin) == denied("Truncating after last transaction does nothing"));
  m.send(*admin, protocol::Truncate{Tid{1}});
  CHECK(last_error(*admin) ==
        denied("Truncating before first transaction is probably not what you intended to do"));
  m.send(*admin, protocol::Truncate{Tid{7}});
  CHECK(last_error(*admin) == denied("Can not truncate before an approved pack"));
  CHECK(m.master->cluster_state() == ClusterState::Running);
  CHECK_FALSE(s->last<protocol::Truncate>());
  CHECK_FALSE(s->last<protocol::StopOperation>());

  m.send(*admin, protocol::Truncate{Tid{8}});  // the rejected pack does not matter
  CHECK(last_error(*admin) == kAck);
  CHECK(m.master->cluster_state() == ClusterState::Recovering);
}

TEST_CASE("truncate: storages and clients stopped, storages told to truncate, recovery asked",
          "[master][truncate]") {
  MasterFixture m(MasterFixture::Options{.autostart = 2, .replicas = 1});
  auto storages = m.run(2);
  auto admin = m.connect(NodeType::Admin, 21020);
  auto client = m.connect(NodeType::Client, 0);
  REQUIRE(client->last<protocol::AcceptIdentification>());
  std::vector<std::size_t> before;
  for (auto& s : storages) before.push_back(s->sent.size());

  m.send(*admin, protocol::Truncate{Tid{8}}, 30);
  CHECK(last_error(*admin) == kAck);
  for (const FakePeer::Sent& sent : admin->sent)  // the ACK answers the request
    if (sent.code == protocol::Error::kCode) CHECK(sent.msg_id == 30);
  CHECK_FALSE(admin->aborted);
  CHECK(m.master->cluster_state() == ClusterState::Recovering);
  CHECK(client->last<protocol::StopOperation>());
  CHECK(client->aborted);
  for (std::size_t i = 0; i < storages.size(); ++i) {
    const FakePeer& s = *storages[i];
    CHECK_FALSE(s.aborted);
    CHECK(m.master->nodes().state_of(nid_of(s)) == NodeState::Pending);
    const std::vector<std::uint16_t> codes = codes_from(s, before[i]);
    REQUIRE(codes.size() >= 3);
    CHECK(codes[0] == protocol::StopOperation::kCode);
    CHECK(codes[1] == protocol::Truncate::kCode);
    CHECK(codes.back() == protocol::AskRecovery::kCode);
    CHECK(s.last<protocol::Truncate>()->tid == Tid{8});
  }
  // The table is not reloaded yet: nothing recorded is known.
  m.send(*admin, protocol::AskRecovery{}, 31);
  CHECK_FALSE(admin->last_sent<protocol::AnswerRecovery>()->truncate_tid);
}

TEST_CASE("truncate: recovery waits for every node of the table and sends Truncate again",
          "[master][truncate]") {
  MasterFixture m(MasterFixture::Options{.autostart = 2, .replicas = 1});
  auto storages = m.run(2);
  auto admin = m.connect(NodeType::Admin, 21020);
  const NodeId s1 = nid_of(*storages[0]), s2 = nid_of(*storages[1]);
  const std::int64_t ptid = *m.master->pt().ptid();
  m.send(*admin, protocol::Truncate{Tid{8}});
  REQUIRE(last_error(*admin) == kAck);

  // S2 leaves before answering. S1 recorded the truncation; its table has
  // S2's cells OUT_OF_DATE: S1 alone would be enough to start, but S2 may
  // have data after the TID.
  m.master->on_closed(*storages[1]);
  auto& a = *storages[0];
  REQUIRE(a.reply<protocol::AskRecovery>({.ptid = ptid, .truncate_tid = Tid{8}}));
  REQUIRE(a.reply<protocol::AskPartitionTable>(
      {.ptid = ptid,
       .num_replicas = 1,
       .row_list = protocol::RowList(4, {{s1, CellState::UpToDate}, {s2, CellState::OutOfDate}})}));
  CHECK(m.master->state().truncate_tid() == Tid{8});
  CHECK(m.master->cluster_state() == ClusterState::Recovering);
  CHECK_FALSE(a.has_pending());
  m.send(*admin, protocol::AskRecovery{});
  CHECK(admin->last_sent<protocol::AnswerRecovery>()->truncate_tid == Tid{8});

  // S2 is back without having recorded it: Truncate again, then asked again.
  auto b = m.connect(NodeType::Storage, 21012, s2);
  const std::size_t before = b->sent.size();
  REQUIRE(b->reply<protocol::AskRecovery>({.ptid = ptid}));
  CHECK(m.master->cluster_state() == ClusterState::Recovering);
  const std::vector<std::uint16_t> codes = codes_from(*b, before);
  REQUIRE(codes.size() == 2);
  CHECK(codes[0] == protocol::Truncate::kCode);
  CHECK(codes[1] == protocol::AskRecovery::kCode);
  CHECK(b->last<protocol::Truncate>()->tid == Tid{8});
  CHECK(a.all<protocol::Truncate>().size() == 1);  // S1 had recorded it

  // A later truncation recorded is not enough either.
  REQUIRE(b->reply<protocol::AskRecovery>({.ptid = ptid, .truncate_tid = Tid{9}}));
  CHECK(m.master->cluster_state() == ClusterState::Recovering);
  CHECK(b->last_sent<protocol::AskRecovery>());
  REQUIRE(b->reply<protocol::AskRecovery>({.ptid = ptid, .truncate_tid = Tid{8}}));
  REQUIRE(m.master->cluster_state() == ClusterState::Verifying);

  // The storages truncate when asked their last ids: the last TID is the
  // truncation's, which is then forgotten.
  for (FakePeer* s : {&a, b.get()}) s->reply<protocol::AskLockedTransactions>({});
  for (FakePeer* s : {&a, b.get()}) s->reply<protocol::AskLastIDs>({Tid{8}, Oid{3}, Tid{1}});
  CHECK_FALSE(m.master->state().truncate_tid());
  for (FakePeer* s : {&a, b.get()}) s->reply<protocol::AskPackOrders>({});
  CHECK(m.master->cluster_state() == ClusterState::Running);
  CHECK(m.master->last_transaction() == Tid{8});
  m.send(*admin, protocol::AskLastTransaction{});
  CHECK(admin->last_sent<protocol::AnswerLastTransaction>()->tid == Tid{8});
}

TEST_CASE("truncate: a storage lost in verification before truncating stops the cluster again",
          "[master][truncate]") {
  MasterFixture m(MasterFixture::Options{.autostart = 2, .replicas = 1});
  auto storages = m.run(2);
  auto admin = m.connect(NodeType::Admin, 21020);
  const std::int64_t ptid = *m.master->pt().ptid();
  const protocol::RowList rows(4, {{nid_of(*storages[0]), CellState::UpToDate},
                                   {nid_of(*storages[1]), CellState::UpToDate}});
  m.send(*admin, protocol::Truncate{Tid{8}});
  REQUIRE(last_error(*admin) == kAck);
  for (auto& s : storages) s->reply<protocol::AskRecovery>({.ptid = ptid, .truncate_tid = Tid{8}});
  for (auto& s : storages)
    s->reply<protocol::AskPartitionTable>({.ptid = ptid, .num_replicas = 1, .row_list = rows});
  REQUIRE(m.master->cluster_state() == ClusterState::Verifying);

  // S2 lost: with replicas S1 would do, but S2 has not truncated yet.
  m.master->on_closed(*storages[1]);
  CHECK(m.master->cluster_state() == ClusterState::Recovering);
  REQUIRE(storages[0]->reply<protocol::AskRecovery>({.ptid = ptid, .truncate_tid = Tid{8}}));
  REQUIRE(storages[0]->reply<protocol::AskPartitionTable>(
      {.ptid = ptid, .num_replicas = 1, .row_list = rows}));
  CHECK(m.master->cluster_state() == ClusterState::Recovering);  // waiting for S2
}
