#include "core/node/node_manager.hpp"

#include <catch2/catch.hpp>
#include <vector>

using namespace neo;
using namespace neo::node;
using protocol::NodeInfo;

namespace {

constexpr NodeId S1{1}, S2{2}, S3{3};
constexpr NodeId M1{-0x10000000 + 1}, C1{-0x20000000 + 1}, C2{-0x20000000 + 2}, A1{-0x30000000 + 1};

Address local(std::uint16_t port) { return {"127.0.0.1", port}; }

NodeInfo info(NodeType type, std::optional<NodeId> nid, std::optional<Address> address,
              NodeState state, std::optional<double> id_timestamp = {}) {
  return {.node_type = type,
          .address = std::move(address),
          .nid = nid,
          .state = state,
          .id_timestamp = id_timestamp};
}

}  // namespace

TEST_CASE("nodes are found by id, address, type and state", "[node]") {
  NodeManager nm;
  Node* s1 = nm.create(NodeType::Storage, S1, local(21110), NodeState::Running).value();
  Node* m1 = nm.create(NodeType::Master, M1, local(21100), NodeState::Running).value();
  Node* c1 = nm.create(NodeType::Client, C1, std::nullopt).value();
  Node* master = nm.create(NodeType::Master, std::nullopt, local(21102)).value();
  CHECK(nm.size() == 4);
  CHECK(nm.by_nid(S1) == s1);
  CHECK(nm.by_address(local(21100)) == m1);
  CHECK(nm.by_address(local(21102)) == master);
  CHECK(nm.by_nid(C2) == nullptr);
  CHECK(nm.by_address(local(1)) == nullptr);
  CHECK(nm.list(NodeType::Master) == std::vector<Node*>{m1, master});
  CHECK(nm.list(NodeType::Master, NodeState::Running) == std::vector<Node*>{m1});
  CHECK(nm.by_state(NodeState::Down) == std::vector<Node*>{c1, master});
  CHECK(nm.list() == std::vector<Node*>{s1, m1, c1, master});
  CHECK(nm.state_of(S1) == NodeState::Running);
  CHECK(nm.state_of(S2) == NodeState::Unknown);
  CHECK(c1->info() == info(NodeType::Client, C1, std::nullopt, NodeState::Down));
  CHECK(s1->key() != m1->key());
}

TEST_CASE("create completes a known node and refuses contradictions", "[node]") {
  NodeManager nm;
  Node* master = nm.create(NodeType::Master, std::nullopt, local(21100)).value();
  // The master known by address gets its id.
  CHECK(nm.create(NodeType::Master, M1, local(21100)).value() == master);
  CHECK(master->nid() == M1);
  CHECK(nm.by_nid(M1) == master);
  // Known by id, gets an address.
  Node* s1 = nm.create(NodeType::Storage, S1, std::nullopt).value();
  CHECK(nm.create(NodeType::Storage, S1, local(21110)).value() == s1);
  CHECK(nm.by_address(local(21110)) == s1);
  // Contradictions.
  CHECK(nm.create(NodeType::Storage, S1, local(21100)).error() == errc::invalid_argument);
  CHECK(nm.create(NodeType::Storage, S2, local(21110)).error() == errc::invalid_argument);
  CHECK(nm.create(NodeType::Client, S1, std::nullopt).error() == errc::invalid_argument);
  CHECK(nm.create(NodeType::Storage, S2, std::nullopt, NodeState::Unknown).error() ==
        errc::invalid_argument);
  CHECK(nm.size() == 2);
}

TEST_CASE("ids and addresses are re-indexed; UNKNOWN forgets a node", "[node]") {
  NodeManager nm;
  Node* s1 = nm.create(NodeType::Storage, S1, local(21110)).value();
  Node* s2 = nm.create(NodeType::Storage, S2, local(21111)).value();
  CHECK(nm.set_address(*s1, local(21111)) == errc::invalid_argument);
  CHECK_FALSE(nm.set_address(*s1, local(21112)));
  CHECK(nm.by_address(local(21110)) == nullptr);
  CHECK(nm.by_address(local(21112)) == s1);
  CHECK(nm.set_nid(*s1, S2) == errc::invalid_argument);
  CHECK_FALSE(nm.set_nid(*s1, S3));
  CHECK(nm.by_nid(S1) == nullptr);
  CHECK(nm.by_nid(S3) == s1);
  nm.set_state(*s2, NodeState::Running);
  CHECK(s2->is_running());
  nm.set_state(*s2, NodeState::Unknown);
  CHECK(nm.by_nid(S2) == nullptr);
  CHECK(nm.by_address(local(21111)) == nullptr);
  CHECK(nm.size() == 1);
}

TEST_CASE("notifications must have strictly increasing timestamps", "[node]") {
  NodeManager nm;
  const std::vector<NodeInfo> nodes{
      info(NodeType::Storage, S1, local(21110), NodeState::Running, 5.5)};
  REQUIRE(nm.apply(10.0, nodes, {}));
  CHECK(nm.last_timestamp() == 10.0);
  CHECK(nm.apply(10.0, nodes, {}).error() == errc::protocol_error);
  CHECK(nm.apply(9.0, nodes, {}).error() == errc::protocol_error);
  CHECK(nm.apply(10.5, nodes, {}));
}

TEST_CASE("notifications create, update and forget nodes", "[node]") {
  NodeManager nm;
  const std::vector<NodeInfo> first{
      info(NodeType::Storage, S1, local(21110), NodeState::Pending, 100.25),
      info(NodeType::Master, M1, local(21100), NodeState::Running),
      info(NodeType::Client, C1, std::nullopt, NodeState::Running, 101.5)};
  auto applied = nm.apply(1.0, first, {.own_nid = S1});
  REQUIRE(applied);
  CHECK(applied->own_listed);
  CHECK(applied->own_id_timestamp == 100.25);
  CHECK(nm.size() == 3);
  CHECK(nm.by_nid(S1)->id_timestamp == 100.25);
  CHECK(nm.by_nid(M1)->is_running());

  const std::vector<NodeInfo> second{
      info(NodeType::Storage, S1, local(21110), NodeState::Running, 100.25),
      info(NodeType::Client, C1, std::nullopt, NodeState::Unknown, 101.5),
      info(NodeType::Client, C2, std::nullopt, NodeState::Unknown)};  // never known: ignored
  applied = nm.apply(2.0, second, {.own_nid = S2});
  REQUIRE(applied);
  CHECK_FALSE(applied->own_listed);
  CHECK(nm.by_nid(S1)->is_running());
  CHECK(nm.by_nid(C1) == nullptr);
  REQUIRE(applied->removed.size() == 1);
  CHECK(applied->removed[0] == info(NodeType::Client, C1, std::nullopt, NodeState::Running, 101.5));

  // A node listed with another type is a protocol error.
  const std::vector<NodeInfo> wrong{info(NodeType::Admin, S1, local(21110), NodeState::Running)};
  CHECK(nm.apply(3.0, wrong, {}).error() == errc::protocol_error);
}

TEST_CASE("a node changing address or id follows the master", "[node]") {
  NodeManager nm;
  const std::vector<NodeInfo> first{info(NodeType::Storage, S1, local(21110), NodeState::Running),
                                    info(NodeType::Storage, S2, local(21111), NodeState::Running)};
  REQUIRE(nm.apply(1.0, first, {}));
  // S1 restarted on another port.
  const std::vector<NodeInfo> moved{info(NodeType::Storage, S1, local(21115), NodeState::Running)};
  REQUIRE(nm.apply(2.0, moved, {}));
  CHECK(nm.by_address(local(21115)) == nm.by_nid(S1));
  CHECK(nm.by_address(local(21110)) == nullptr);
  // S3 now at S2's address while another node is known as S3: only a full
  // list (first notification after identification) may say so.
  Node* old_s3 = nm.create(NodeType::Storage, S3, std::nullopt).value();
  Node* at_address = nm.by_address(local(21111));
  const std::vector<NodeInfo> swap{info(NodeType::Storage, S3, local(21111), NodeState::Running)};
  CHECK(nm.apply(3.0, swap, {}).error() == errc::protocol_error);
  auto applied = nm.apply(4.0, swap, {.full = true});
  REQUIRE(applied);
  CHECK(nm.by_nid(S3) == at_address);
  CHECK(nm.by_nid(S2) == nullptr);
  CHECK(applied->removed.size() == 2);  // S1 and the former S3 node: unlisted
  (void)old_s3;
  // Outside a full list, a known address simply takes the new id.
  const std::vector<NodeInfo> renamed{
      info(NodeType::Storage, S1, local(21111), NodeState::Running)};
  REQUIRE(nm.apply(5.0, renamed, {}));
  CHECK(nm.by_nid(S1) == at_address);
}

TEST_CASE("the first notification forgets unlisted nodes, except storages in the table", "[node]") {
  NodeManager nm;
  nm.create(NodeType::Storage, S1, local(21110)).value();
  nm.create(NodeType::Storage, S2, local(21111)).value();
  nm.create(NodeType::Client, C1, std::nullopt).value();
  nm.create(NodeType::Master, M1, local(21100)).value();
  const std::vector<NodeInfo> full{
      info(NodeType::Storage, S3, local(21112), NodeState::Pending, 7.0),
      info(NodeType::Master, M1, local(21100), NodeState::Running)};
  std::vector<NodeId> asked;
  auto applied =
      nm.apply(1.0, full, {.own_nid = S3, .full = true, .forget_storage = [&](NodeId nid) {
                             asked.push_back(nid);
                             return nid == S2;  // S1 still has cells
                           }});
  REQUIRE(applied);
  CHECK(applied->own_id_timestamp == 7.0);
  CHECK(asked == std::vector<NodeId>{S1, S2});
  CHECK(nm.by_nid(S1) != nullptr);
  CHECK(nm.by_nid(S2) == nullptr);
  CHECK(nm.by_nid(C1) == nullptr);
  CHECK(nm.size() == 3);
  CHECK(applied->removed.size() == 2);
}

TEST_CASE("storages accept peers the master announced with the same id timestamp", "[node]") {
  NodeManager nm;
  const std::vector<NodeInfo> nodes{
      info(NodeType::Client, C1, std::nullopt, NodeState::Running, 50.0)};
  REQUIRE(nm.apply(60.0, nodes, {}));
  CHECK(nm.check_identification(C1, 50.0) == NodeManager::Check::Known);
  CHECK(nm.check_identification(C1, 70.0) == NodeManager::Check::Later);  // announcement to come
  CHECK(nm.check_identification(C1, 40.0) == NodeManager::Check::Unknown);
  CHECK(nm.check_identification(C2, 55.0) == NodeManager::Check::Unknown);
  CHECK(nm.check_identification(C2, 65.0) == NodeManager::Check::Later);
}

// Expected ids from NEO/py's Application.getNewUUID (neo/master/app.py), run
// on the same node list with Debian 12's python3.
TEST_CASE("the master allocates node ids as NEO/py does", "[node]") {
  NodeManager nm;
  nm.create(NodeType::Master, M1, local(21100)).value();
  nm.create(NodeType::Storage, S1, local(21110)).value();
  nm.create(NodeType::Storage, S3, local(21112)).value();
  nm.create(NodeType::Client, C1, std::nullopt).value();
  nm.create(NodeType::Client, C2, std::nullopt).value();
  nm.create(NodeType::Admin, A1, local(21101)).value();
  auto alloc = [&](NodeType type, std::optional<NodeId> proposed, std::optional<Address> address) {
    return to_string(nm.allocate_nid(type, proposed, address, M1).value());
  };
  CHECK(alloc(NodeType::Storage, std::nullopt, local(21113)) == "S2");
  CHECK(alloc(NodeType::Storage, S1, local(21110)) == "S1");  // same address: kept
  CHECK(alloc(NodeType::Storage, S1, local(21119)) == "S2");  // taken by another
  CHECK(alloc(NodeType::Storage, S3, std::nullopt) == "S2");
  CHECK(alloc(NodeType::Storage, NodeId{7}, local(21119)) == "S7");  // free: kept
  CHECK(alloc(NodeType::Storage, std::nullopt, local(21112)) == "S2");
  CHECK(alloc(NodeType::Client, std::nullopt, std::nullopt) == "C3");
  CHECK(alloc(NodeType::Client, C2, std::nullopt) == "C2");  // both without address
  CHECK(alloc(NodeType::Client, NodeId{-0x20000000 + 9}, std::nullopt) == "C9");
  CHECK(alloc(NodeType::Master, M1, local(21102)) == "M2");  // never the master's own id
  CHECK(alloc(NodeType::Master, std::nullopt, local(21102)) == "M2");
  CHECK(alloc(NodeType::Admin, std::nullopt, local(21101)) == "A1");  // same address
  CHECK(alloc(NodeType::Admin, std::nullopt, local(21103)) == "A2");
}

TEST_CASE("notification timestamps strictly increase even if the clock does not", "[node]") {
  double now = 1000.0;
  NodeManager nm([&] { return now; });
  CHECK(nm.next_timestamp() == 1000.0);
  CHECK(nm.next_timestamp() == 1000.001);  // NEO/py: last + 1e-3
  now = 999.0;                             // clock going back
  const double t = nm.next_timestamp();
  CHECK(t > 1000.001);
  now = 2000.0;
  CHECK(nm.next_timestamp() == 2000.0);
  double last = 0;
  for (int i = 0; i < 1000; ++i) {
    const double next = nm.next_timestamp();
    CHECK(next > last);
    last = next;
  }
  NodeManager real;
  CHECK(real.next_timestamp() > 1.7e9);
}

TEST_CASE("node lists for notifications", "[node]") {
  NodeManager nm;
  Node* s1 = nm.create(NodeType::Storage, S1, local(21110), NodeState::Running).value();
  s1->id_timestamp = 12.5;
  nm.create(NodeType::Client, C1, std::nullopt, NodeState::Running).value();
  CHECK(nm.infos() ==
        std::vector<NodeInfo>{info(NodeType::Storage, S1, local(21110), NodeState::Running, 12.5),
                              info(NodeType::Client, C1, std::nullopt, NodeState::Running)});
  CHECK(nm.infos([](const Node& n) { return n.type() == NodeType::Client; }).size() == 1);
  nm.clear();
  CHECK(nm.size() == 0);
  CHECK(nm.last_timestamp() == 0);
}

TEST_CASE("master address changes are reported for the dynamic master list", "[node]") {
  NodeManager nm([] { return 1000.0; });
  std::vector<std::pair<std::optional<Address>, std::optional<Address>>> changes;
  nm.on_master_address([&](const std::optional<Address>& old, const std::optional<Address>& now) {
    changes.emplace_back(old, now);
  });
  Node* master = *nm.create(NodeType::Master, std::nullopt, local(10000));
  (void)*nm.create(NodeType::Storage, S1, local(20000));  // not a master: nothing
  REQUIRE(changes.size() == 1);
  CHECK(changes[0] == std::pair{std::optional<Address>{}, std::optional{local(10000)}});
  REQUIRE(!nm.set_nid(*master, M1));  // the id alone changes nothing
  REQUIRE(!nm.set_address(*master, local(10001)));
  REQUIRE(changes.size() == 2);
  CHECK(changes[1] == std::pair{std::optional{local(10000)}, std::optional{local(10001)}});
  nm.set_state(*master, NodeState::Unknown);
  REQUIRE(changes.size() == 3);
  CHECK(changes[2] == std::pair{std::optional{local(10001)}, std::optional<Address>{}});
}
