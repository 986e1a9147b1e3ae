// What a hostile or broken peer may send the master to identify (issue 20,
// finding 3): a node id of another type, an address that is none, a bad
// new_nid or devpath are refused with a reason, and change neither the node
// list nor the partition table; masters at addresses not configured are
// remembered within a bound; clones (new_nid) too.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "tests/unit/master/master_fixture.hpp"

namespace protocol = neo::protocol;
using neo::errc;
using neo::NodeId;
using neo::master::test::FakePeer;
using neo::master::test::MasterFixture;
using protocol::NodeType;
using protocol::Value;

namespace {

// The partition table, to compare before and after.
std::pair<std::optional<std::uint64_t>, protocol::RowList> pt_of(const MasterFixture& m) {
  return {m.master->pt().ptid(), m.master->pt().row_list()};
}

// `r` is refused with PROTOCOL_ERROR and a reason; returns the reason.
std::string refused(MasterFixture& m, const protocol::RequestIdentification& r) {
  auto peer = m.connect(r);
  std::optional<protocol::Error> error = peer->last_sent<protocol::Error>();
  REQUIRE(error);
  CHECK(error->code == static_cast<int>(errc::protocol_error));
  CHECK(peer->aborted);
  CHECK_FALSE(error->message.empty());
  return error->message;
}

Value ints(std::vector<std::int64_t> items) {
  Value::Array out;
  for (std::int64_t i : items) out.push_back(Value::integer(i));
  return Value::array(std::move(out));
}

}  // namespace

TEST_CASE("identification with a bad id, address, new_nid or devpath is refused", "[master]") {
  MasterFixture m;
  m.run();
  const auto pt_before = pt_of(m);
  const std::size_t nodes_before = m.master->nodes().size();
  auto clone = [&](Value new_nid) {
    protocol::RequestIdentification r = m.request(NodeType::Storage, 0);
    r.extra = {{"new_nid", std::move(new_nid)}};
    return r;
  };
  auto with_nid = [&](NodeType type, std::uint16_t port, std::int32_t nid) {
    return m.request(type, port, NodeId{nid});
  };
  CHECK(refused(m, with_nid(NodeType::Storage, 21030, static_cast<std::int32_t>(0xe0000001))) ==
        "invalid node id C1 for a STORAGE");
  CHECK(refused(m, with_nid(NodeType::Storage, 21030, 0)) == "invalid node id 0 for a STORAGE");
  CHECK(refused(m, with_nid(NodeType::Client, 0, 5)) == "invalid node id S5 for a CLIENT");
  CHECK(refused(m, with_nid(NodeType::Master, 21031, -1)) ==
        "invalid node id ?-1:16777215 for a MASTER");
  protocol::RequestIdentification r = m.request(NodeType::Storage, 21032);
  r.address->host = "";
  CHECK(refused(m, r) == "invalid address");
  r = m.request(NodeType::Storage, 21032);
  r.address->port = 0;
  CHECK(refused(m, r) == "invalid address");
  CHECK(refused(m, m.request(NodeType::Master, 0)) == "a master must have an address");
  const std::string bad_new_nid = "invalid new_nid: not a list of distinct partitions";
  for (const Value& v : {ints({99999}), ints({-1}), Value::bin("zz"), ints({0, 0}), ints({4})}) {
    CHECK(refused(m, clone(v)) == bad_new_nid);
  }
  std::vector<std::int64_t> huge(100000);
  for (std::size_t i = 0; i < huge.size(); ++i) huge[i] = static_cast<std::int64_t>(i);
  CHECK(refused(m, clone(ints(huge))) == bad_new_nid);
  r = m.request(NodeType::Storage, 21033);
  r.extra = {{"new_nid", ints({1})}};
  CHECK(refused(m, r) == "new_nid is only for a new storage without address");
  r = m.request(NodeType::Client, 0);
  r.extra = {{"new_nid", ints({1})}};
  CHECK(refused(m, r) == "new_nid is only for a new storage without address");
  r = m.request(NodeType::Storage, 21034);
  r.extra = {{"devpath", Value::array(Value::Array(100, Value::bin("rack")))}};
  CHECK(refused(m, r) == "invalid devpath");
  // A storage without address and without partitions: refused, with a reason.
  CHECK(refused(m, clone(Value::array({}))) == "a storage without address must be a new clone");
  CHECK(pt_of(m) == pt_before);
  CHECK(m.master->nodes().size() == nodes_before);
}

TEST_CASE("clones (new_nid) join DOWN with their partitions, a few at a time", "[master]") {
  MasterFixture m;
  m.run();
  auto clone = m.request(NodeType::Storage, 0);
  clone.extra = {{"new_nid", ints({0, 2})}};
  for (int i = 0; i < 4; ++i) {
    auto peer = m.connect(clone);
    REQUIRE(peer->last<protocol::AcceptIdentification>());
    const NodeId nid = *peer->last<protocol::AcceptIdentification>()->your_nid;
    CHECK(m.master->nodes().by_nid(nid)->is_down());
    CHECK(m.master->pt().cells(0).size() == static_cast<std::size_t>(2 + i));
    m.master->on_closed(*peer);
  }
  const auto pt_before = pt_of(m);
  CHECK(refused(m, clone) == "too many new clones that never started");
  CHECK(pt_of(m) == pt_before);
}

TEST_CASE("masters at addresses not configured are remembered within a bound", "[master]") {
  MasterFixture m;
  auto admin = m.connect(NodeType::Admin, 21020);
  m.run();
  const std::size_t masters_before = m.master->nodes().list(NodeType::Master).size();
  for (std::uint16_t i = 0; i < 200; ++i) {
    auto fake = m.connect(NodeType::Master, static_cast<std::uint16_t>(40000 + i));
    REQUIRE(fake->last<protocol::AcceptIdentification>());
    m.master->on_closed(*fake);
  }
  CHECK(m.master->nodes().list(NodeType::Master).size() <= masters_before + 4);
  // The forgotten ones were announced UNKNOWN.
  std::size_t unknown = 0;
  for (const auto& notify : admin->all<protocol::NotifyNodeInformation>())
    for (const protocol::NodeInfo& info : notify.node_list)
      unknown += info.node_type == NodeType::Master && info.state == protocol::NodeState::Unknown;
  CHECK(unknown >= 196);

  SECTION("connected ones are not forgotten: a new one is refused") {
    std::vector<std::shared_ptr<FakePeer>> connected;
    for (std::uint16_t i = 0; i < 4; ++i) {
      connected.push_back(m.connect(NodeType::Master, static_cast<std::uint16_t>(41000 + i)));
      REQUIRE(connected.back()->last<protocol::AcceptIdentification>());
    }
    CHECK(refused(m, m.request(NodeType::Master, 42000)) == "too many masters not configured");
    m.master->on_closed(*connected[0]);
    CHECK(m.connect(NodeType::Master, 42000)->last<protocol::AcceptIdentification>());
  }
}
