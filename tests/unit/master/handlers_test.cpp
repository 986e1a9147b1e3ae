// The master's handlers, one per peer type and state: each rejects a
// malformed packet and a packet it does not expect with
// Error(PROTOCOL_ERROR) and aborts the connection (net::dispatch's policy),
// the election included.
#include <catch2/catch.hpp>

#include "tests/unit/master/master_fixture.hpp"

namespace protocol = neo::protocol;
using neo::NodeId;
using neo::master::test::check_rejected;
using neo::master::test::FakePeer;
using neo::master::test::MasterFixture;
using protocol::ClusterState;
using protocol::NodeType;

namespace {

// A master that lost the election to 127.0.0.1:21001: `primary` is its
// connection to the primary.
struct Secondary : MasterFixture {
  Secondary() : MasterFixture(Options{.masters = {{"127.0.0.1", 21001}}}) {
    REQUIRE(outgoing.size() == 1);
    REQUIRE(outgoing[0]->reply<protocol::RequestIdentification>({NodeType::Master, M1, {}}));
    REQUIRE(master->secondary());
    primary = outgoing.back();
  }
  static constexpr NodeId M1{static_cast<std::int32_t>(0xf0000001)};
  std::shared_ptr<FakePeer> primary;
};

}  // namespace

TEST_CASE("IdentificationHandler rejects a malformed or an unexpected packet", "[master]") {
  MasterFixture m;
  FakePeer malformed, unexpected;
  m.send_malformed<protocol::RequestIdentification>(malformed);
  check_rejected(malformed, "malformed RequestIdentification");
  m.send(unexpected, protocol::AskLastIDs{});
  check_rejected(unexpected, "unexpected packet: AskLastIDs in IdentificationHandler");
  CHECK(m.master->nodes().list(NodeType::Storage).empty());
}

TEST_CASE("RecoveryHandler, VerificationHandler, StorageServiceHandler reject", "[master]") {
  MasterFixture m;
  auto s = m.connect(NodeType::Storage, 21011);
  m.send_malformed<protocol::AskLastIDs>(*s);
  check_rejected(*s, "malformed AskLastIDs");
  m.master->on_closed(*s);
  s = m.connect(NodeType::Storage, 21012);
  m.send(*s, protocol::NotifyReady{});
  check_rejected(*s, "unexpected packet: NotifyReady in RecoveryHandler");
  m.master->on_closed(*s);

  s = m.connect(NodeType::Storage, 21013);
  MasterFixture::recover({s.get()});
  REQUIRE(m.master->cluster_state() == ClusterState::Verifying);
  auto other = m.connect(NodeType::Storage, 21014);
  m.send(*other, protocol::NotifyReady{});
  check_rejected(*other, "unexpected packet: NotifyReady in VerificationHandler");
  m.master->on_closed(*other);
  other = m.connect(NodeType::Storage, 21015);
  m.send(*other, protocol::NotifyPackCompleted{});  // expected
  CHECK_FALSE(other->aborted);
  m.send_malformed<protocol::NotifyPackCompleted>(*other);
  check_rejected(*other, "malformed NotifyPackCompleted");
  m.master->on_closed(*other);

  MasterFixture::verify({s.get()});
  REQUIRE(m.master->cluster_state() == ClusterState::Running);
  other = m.connect(NodeType::Storage, 21016);
  m.send_malformed<protocol::NotifyReplicationDone>(*other);
  check_rejected(*other, "malformed NotifyReplicationDone");
  m.send(*s, protocol::AskBeginTransaction{});
  check_rejected(*s, "unexpected packet: AskBeginTransaction in StorageServiceHandler");
}

TEST_CASE("ClientServiceHandler and ClientReadOnlyServiceHandler reject", "[master]") {
  MasterFixture m;
  m.run();
  auto client = m.connect(NodeType::Client, 0);
  m.send_malformed<protocol::AskFinishTransaction>(*client);
  check_rejected(*client, "malformed AskFinishTransaction");
  client = m.connect(NodeType::Client, 0);
  m.send(*client, protocol::NotifyReady{});
  check_rejected(*client, "unexpected packet: NotifyReady in ClientServiceHandler");

  protocol::RequestIdentification r = m.request(NodeType::Client, 0);
  r.extra = {{"read_only", protocol::Value::boolean(true)}};
  auto ro = m.connect(r);
  m.send_malformed<protocol::AskBeginTransaction>(*ro);
  check_rejected(*ro, "malformed AskBeginTransaction");
  ro = m.connect(r);
  m.send(*ro, protocol::SetClusterState{ClusterState::Stopping});
  check_rejected(*ro, "unexpected packet: SetClusterState in ClientReadOnlyServiceHandler");
  CHECK(m.master->cluster_state() == ClusterState::Running);
}

// The admin relays neoctl's requests: a malformed one is answered as an
// error, the admin's link is kept (issue 20, finding 2).
TEST_CASE("AdministrationHandler answers a malformed request but keeps the admin", "[master]") {
  MasterFixture m;
  auto admin = m.connect(NodeType::Admin, 21020);
  for (auto send : {&MasterFixture::send_malformed<protocol::SetNodeState>,
                    &MasterFixture::send_malformed<protocol::SetClusterState>,
                    &MasterFixture::send_malformed<protocol::AddPendingNodes>,
                    &MasterFixture::send_malformed<protocol::SetNumReplicas>,
                    &MasterFixture::send_malformed<protocol::Repair>}) {
    admin->clear();
    (m.*send)(*admin);
    std::optional<protocol::Error> error = admin->last_sent<protocol::Error>();
    REQUIRE(error);
    CHECK(error->code == static_cast<int>(neo::errc::protocol_error));
    CHECK(error->message.starts_with("malformed "));
    CHECK(admin->sent.back().msg_id == 9);
    CHECK_FALSE(admin->aborted);
  }
  m.send(*admin, protocol::AskClusterState{});
  CHECK(admin->last_sent<protocol::AnswerClusterState>());
  CHECK(m.master->nodes().list(NodeType::Admin).size() == 1);
}

TEST_CASE("AdministrationHandler rejects an unexpected packet", "[master]") {
  MasterFixture m;
  auto admin = m.connect(NodeType::Admin, 21021);
  m.send(*admin, protocol::AskBeginTransaction{});
  check_rejected(*admin, "unexpected packet: AskBeginTransaction in AdministrationHandler");
}

TEST_CASE("SecondaryHandler: an identified master may only send common packets", "[master]") {
  MasterFixture m;
  protocol::RequestIdentification r = m.request(NodeType::Master, 21001);
  r.id_timestamp = m.now + 100;  // later than us: it yields
  auto later = m.connect(r);
  REQUIRE(later->last<protocol::AcceptIdentification>());
  m.send(*later, protocol::AskClusterState{});
  CHECK(later->last_sent<protocol::AnswerClusterState>()->state == ClusterState::Recovering);
  m.send_malformed<protocol::AskClusterState>(*later);
  check_rejected(*later, "malformed AskClusterState");
  m.master->on_closed(*later);
  r.address->port = 21002;
  later = m.connect(r);
  m.send(*later, protocol::AskNodeList{});
  check_rejected(*later, "unexpected packet: AskNodeList in SecondaryHandler");
}

TEST_CASE("ElectionHandler: a malformed NotPrimaryMaster is rejected, not ignored", "[master]") {
  MasterFixture m(MasterFixture::Options{.masters = {{"127.0.0.1", 21001}, {"127.0.0.1", 21002}}});
  REQUIRE(m.outgoing.size() == 2);
  m.send_malformed<protocol::NotPrimaryMaster>(*m.outgoing[0]);
  check_rejected(*m.outgoing[0], "malformed NotPrimaryMaster");
  m.send(*m.outgoing[1], protocol::Ping{});
  check_rejected(*m.outgoing[1], "unexpected packet: Ping in ElectionHandler");
  CHECK_FALSE(m.master->secondary());
}

TEST_CASE("PrimaryHandler and SecondaryIdentificationHandler reject", "[master]") {
  Secondary m;
  m.send(*m.primary, protocol::Ping{}, 3);
  CHECK(m.primary->last_sent<protocol::Pong>());
  m.send(*m.primary, protocol::AskClusterState{});
  check_rejected(*m.primary, "unexpected packet: AskClusterState in PrimaryHandler");
  m.master->on_closed(*m.primary);  // plays primary again...
  REQUIRE_FALSE(m.master->secondary());
  // ...and loses again, to a new connection to the primary.
  REQUIRE(m.outgoing.back()->reply<protocol::RequestIdentification>(
      {NodeType::Master, Secondary::M1, {}}));
  REQUIRE(m.master->secondary());
  FakePeer& primary = *m.outgoing.back();
  m.send_malformed<protocol::NotifyNodeInformation>(primary);
  check_rejected(primary, "malformed NotifyNodeInformation");

  auto storage = m.connect(NodeType::Storage, 21011);
  CHECK(storage->last<protocol::NotPrimaryMaster>());
  FakePeer malformed, unexpected;
  m.send_malformed<protocol::RequestIdentification>(malformed);
  check_rejected(malformed, "malformed RequestIdentification");
  m.send(unexpected, protocol::Ping{});
  check_rejected(unexpected, "unexpected packet: Ping in SecondaryIdentificationHandler");
}
