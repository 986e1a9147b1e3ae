// The master's backup mode (master_backup.cpp; flows.md 12): RUNNING ->
// STARTING_BACKUP -> BACKINGUP -> STOPPING_BACKUP -> RECOVERING (truncation
// at the backup TID), with fake storages, admin and upstream master.
#include <catch2/catch.hpp>
#include <set>
#include <tuple>

#include "tests/unit/master/master_fixture.hpp"

using namespace neo;
using namespace neo::master;
using namespace neo::master::test;
using protocol::ClusterState;
using protocol::NodeType;

namespace {

const protocol::Address kUpstreamStorage{"127.0.0.2", 3000};

// Every Replicate a storage got and did not report yet, answered done
// (with `upstream_only`, those from our own cells are left for later).
using Reported = std::set<std::tuple<FakePeer*, std::size_t, std::int64_t>>;
int report_all(MasterFixture& m, const std::vector<std::shared_ptr<FakePeer>>& storages,
               Reported& reported, bool upstream_only = false) {
  int count = 0;
  for (const auto& s : storages) {
    const std::vector<protocol::Replicate> orders = s->all<protocol::Replicate>();
    for (std::size_t i = 0; i < orders.size(); ++i)
      for (const auto& [offset, source] : orders[i].source_dict) {
        if (upstream_only && source && orders[i].upstream_name.empty()) continue;
        if (!reported.insert({s.get(), i, offset}).second) continue;
        m.send(*s, protocol::NotifyReplicationDone{offset, orders[i].tid});
        ++count;
      }
  }
  return count;
}

struct Backing {
  MasterFixture m{{.replicas = 1, .upstream_cluster = "up"}};
  std::vector<std::shared_ptr<FakePeer>> storages = m.run(2);
  std::shared_ptr<FakePeer> admin = m.connect(NodeType::Admin, 0);
  std::shared_ptr<FakePeer> upstream = std::make_shared<FakePeer>("127.0.0.1:22000");
  Reported reported;

  // STARTING_BACKUP then identified to the upstream, which has committed
  // up to `upstream_last`.
  void start(Tid upstream_last) {
    m.send(*admin, protocol::SetClusterState{ClusterState::StartingBackup});
    REQUIRE(admin->last<protocol::Error>()->code == static_cast<int>(errc::ack));
    CHECK(m.master->cluster_state() == ClusterState::StartingBackup);
    for (const auto& s : storages) CHECK(s->last<protocol::StartOperation>()->backup);
    REQUIRE(m.upstream_identified);
    REQUIRE(m.upstream_request);
    CHECK(m.upstream_request->node_type == NodeType::Client);
    CHECK(m.upstream_request->name == "up");
    REQUIRE(m.upstream_request->extra.size() == 1);
    CHECK(m.upstream_request->extra[0].first == "backup");
    m.upstream_identified(upstream,
                          {NodeType::Master, make_node_id(static_cast<int>(NodeType::Master), 1),
                           make_node_id(static_cast<int>(NodeType::Client), 1)});
    CHECK(m.master->cluster_state() == ClusterState::BackingUp);
    protocol::NodeInfo info{NodeType::Storage, kUpstreamStorage, NodeId{1},
                            node::NodeState::Running, 1.0};
    m.send(*upstream, protocol::NotifyNodeInformation{1.0, {info}});
    protocol::RowList rows(4, {{NodeId{1}, protocol::CellState::UpToDate}});
    m.send(*upstream, protocol::SendPartitionTable{1, 0, rows});
    REQUIRE(upstream->reply<protocol::AskLastTransaction>({upstream_last}));
  }
  std::optional<Tid> backup_tid() {
    m.send(*admin, protocol::AskRecovery{});
    return admin->last_sent<protocol::AnswerRecovery>()->backup_tid;
  }
};

}  // namespace

TEST_CASE("STARTING_BACKUP is refused without upstream, with clients or when not running",
          "[master][backup]") {
  MasterFixture m;
  auto storages = m.run(1);
  auto admin = m.connect(NodeType::Admin, 0);
  m.send(*admin, protocol::SetClusterState{ClusterState::StoppingBackup});
  CHECK(admin->last<protocol::Error>()->code == static_cast<int>(errc::denied));
  m.send(*admin, protocol::SetClusterState{ClusterState::StartingBackup});
  CHECK(admin->last<protocol::Error>()->message ==
        "No upstream cluster to backup defined in configuration");

  MasterFixture b{{.upstream_cluster = "up"}};
  auto bs = b.run(1);
  auto badmin = b.connect(NodeType::Admin, 0);
  auto client = b.connect(NodeType::Client, 0);
  b.send(*badmin, protocol::SetClusterState{ClusterState::StartingBackup});
  CHECK(badmin->last<protocol::Error>()->code == static_cast<int>(errc::denied));
  CHECK(b.master->cluster_state() == ClusterState::Running);
}

TEST_CASE("a backup master follows the upstream and orders replications", "[master][backup]") {
  Backing b;
  b.start(Tid{0x20});  // the cluster's last TID was 0x10 (fixture)
  // Each partition is fetched from the upstream by its primary cell.
  int from_upstream = 0;
  for (const auto& s : b.storages)
    for (const protocol::Replicate& r : s->all<protocol::Replicate>()) {
      CHECK(r.tid == Tid{0x20});
      CHECK(r.upstream_name == "up");
      for (const auto& [offset, source] : r.source_dict) {
        CHECK(source == kUpstreamStorage);
        ++from_upstream;
      }
    }
  CHECK(from_upstream == 4);
  CHECK(b.backup_tid() == Tid{0x10});
  // Primaries done, then the other cells from them: 8 orders in all.
  int reports = 0;
  while (int n = report_all(b.m, b.storages, b.reported)) reports += n;
  CHECK(reports == 8);
  CHECK(b.backup_tid() == Tid{0x20});
  CHECK(b.m.master->state().backup_tid_min() == Tid{0x20});

  // Replicas checked up to what every cell has, against the upstream.
  b.m.send(*b.admin, protocol::CheckReplicas{{{2, std::nullopt}}, neo::kZeroTid, std::nullopt});
  CHECK(b.admin->last<protocol::Error>()->code == static_cast<int>(errc::ack));
  std::vector<protocol::CheckPartition> checks;
  for (const auto& s : b.storages)
    for (const protocol::CheckPartition& c : s->all<protocol::CheckPartition>())
      checks.push_back(c);
  REQUIRE(checks.size() == 1);
  CHECK(checks[0].partition == 2);
  CHECK(checks[0].max_tid == Tid{0x20});
  CHECK(checks[0].source.upstream_name == "up");
  CHECK(checks[0].source.address == kUpstreamStorage);

  // Read-only clients only, reading up to the backup TID.
  auto writer = b.m.connect(NodeType::Client, 0);
  CHECK(writer->last_sent<protocol::Error>()->code == static_cast<int>(errc::read_only_access));
  auto request = b.m.request(NodeType::Client, 0);
  request.extra = {{"read_only", protocol::Value::boolean(true)}};
  auto reader = b.m.connect(request);
  REQUIRE(reader->last<protocol::AcceptIdentification>());
  b.m.send(*reader, protocol::AskLastTransaction{});
  CHECK(reader->last_sent<protocol::AnswerLastTransaction>()->tid == Tid{0x20});
  b.m.send(*reader, protocol::AskBeginTransaction{});
  CHECK(reader->last_sent<protocol::Error>()->code == static_cast<int>(errc::read_only_access));

  // A commit upstream in partition 1 (0x30 % 4 == 0: partition 0 too).
  b.m.send(*b.upstream, protocol::InvalidatePartitions{Tid{0x30}, {1}});
  CHECK(b.m.master->last_transaction() == Tid{0x30});
  CHECK(b.backup_tid() == Tid{0x2f});
  CHECK(report_all(b.m, b.storages, b.reported, true) > 0);  // primaries, untouched
  CHECK(b.backup_tid() == Tid{0x30});
  CHECK(b.m.master->state().backup_tid_min() == Tid{0x2f});

  // Leaving: the other cells catch up first, then the truncation.
  b.m.send(*b.admin, protocol::SetClusterState{ClusterState::StoppingBackup});
  CHECK(b.admin->last<protocol::Error>()->code == static_cast<int>(errc::ack));
  CHECK(b.upstream->closed());
  CHECK(reader->aborted);
  CHECK(b.m.master->cluster_state() == ClusterState::StoppingBackup);
  for (const auto& s : b.storages) CHECK_FALSE(s->last<protocol::Truncate>());
  report_all(b.m, b.storages, b.reported);
  for (const auto& s : b.storages) {
    REQUIRE(s->last<protocol::Truncate>());
    CHECK(s->last<protocol::Truncate>()->tid == Tid{0x30});
  }
  CHECK(b.m.master->cluster_state() == ClusterState::Recovering);
}

TEST_CASE("a lost upstream master is followed again; a truncated upstream ends the backup",
          "[master][backup]") {
  Backing b;
  b.start(Tid{0x20});
  while (report_all(b.m, b.storages, b.reported)) {
  }
  b.upstream->close({});
  b.m.master->on_closed(*b.upstream);
  CHECK(b.m.master->cluster_state() == ClusterState::StartingBackup);
  CHECK(b.backup_tid() == Tid{0x20});  // kept
  // A second later, connected again (the fixture's call_later does not run:
  // the retry is not tested here).
  b.upstream = std::make_shared<FakePeer>("127.0.0.1:22000");

  // Upstream went backwards: STOPPING_BACKUP by itself, then truncation.
  Backing t;
  t.start(Tid{0x08});  // before our last TID 0x10
  CHECK(t.upstream->closed());
  for (const auto& s : t.storages) {
    REQUIRE(s->last<protocol::Truncate>());
    CHECK(s->last<protocol::Truncate>()->tid == Tid{0x10});
  }
}

TEST_CASE("a backup master follows the upstream's pack orders and their signatures",
          "[master][backup]") {
  Backing b;
  b.start(Tid{0x20});
  using Signed = std::pair<std::vector<Tid>, std::vector<Tid>>;  // approved, rejected
  const auto signed_to_storages = [&] {
    std::vector<Signed> seen;
    for (const auto& s : b.storages)
      if (auto p = s->last<protocol::NotifyPackSigned>())
        seen.emplace_back(p->approved, p->rejected);
    for (const auto& s : b.storages) s->clear();
    return seen;
  };
  // The orders after our backup TID are asked; signatures before the answer
  // are ignored.
  auto ask = b.upstream->last<protocol::AskPackOrders>();
  REQUIRE(ask);
  CHECK(ask->pack_id == Tid{0x11});
  for (const auto& s : b.storages) s->clear();
  b.m.send(*b.upstream, protocol::NotifyPackSigned{{Tid{0x18}}, {}});
  CHECK(signed_to_storages().empty());
  using protocol::PackOrder;
  REQUIRE(b.upstream->reply<protocol::AskPackOrders>(protocol::AnswerPackOrders{
      {PackOrder{Tid{0x18}, true, false, std::nullopt, Tid{0x15}},
       PackOrder{Tid{0x1c}, std::nullopt, false, std::nullopt, Tid{0x1a}}}}));
  const Signed approved_18{{Tid{0x18}}, {}};
  CHECK(signed_to_storages() == std::vector{approved_18, approved_18});

  // A known order signed upstream: the storages are told.
  b.m.send(*b.upstream, protocol::NotifyPackSigned{{}, {Tid{0x1c}}});
  const Signed rejected_1c{{}, {Tid{0x1c}}};
  CHECK(signed_to_storages() == std::vector{rejected_1c, rejected_1c});

  // An unknown one: asked first.
  b.m.send(*b.upstream, protocol::NotifyPackSigned{{Tid{0x24}}, {}});
  CHECK(signed_to_storages().empty());
  ask = b.upstream->last<protocol::AskPackOrders>();
  REQUIRE(ask);
  CHECK(ask->pack_id == Tid{0x24});
  REQUIRE(b.upstream->reply<protocol::AskPackOrders>(
      protocol::AnswerPackOrders{{PackOrder{Tid{0x24}, true, false, std::nullopt, Tid{0x22}}}}));
  const Signed approved_24{{Tid{0x24}}, {}};
  CHECK(signed_to_storages() == std::vector{approved_24, approved_24});

  // A storage asking for the next order to apply gets the first approved one.
  b.m.send(*b.storages[0], protocol::AskPackOrders{Tid{0x19}});
  auto answer = b.storages[0]->last_sent<protocol::AnswerPackOrders>();
  REQUIRE(answer);
  REQUIRE(answer->pack_list.size() == 1);
  CHECK(answer->pack_list[0].pack_id == Tid{0x24});
}
