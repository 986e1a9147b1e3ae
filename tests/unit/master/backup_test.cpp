// The backup bookkeeping of a backup cluster's master (nodes/master/backup.hpp,
// NEO/py's backup_app.py): which cell replicates what from where, and the
// backup TIDs. No sockets: the orders are recorded.
#include "nodes/master/backup.hpp"

#include <catch2/catch.hpp>

using neo::NodeId;
using neo::Tid;
using neo::master::Backup;
using neo::protocol::Address;
using neo::protocol::CellState;
using neo::protocol::Replicate;

namespace {

const NodeId kS1{1}, kS2{2}, kUp1{101};
const Address kAddr1{"10.0.0.1", 1001}, kAddr2{"10.0.0.2", 1002}, kUpAddr{"10.1.0.1", 2001};

// Two partitions, both cells of each on S1 and S2, every storage ready; the
// upstream has one storage with both partitions.
struct Fixture {
  neo::pt::PartitionTable pt{2, 1};
  Tid last{};
  std::vector<std::pair<NodeId, Replicate>> sent;
  std::set<std::pair<NodeId, std::uint32_t>> outdated;  // set_up_to_date answers true
  Backup backup{"up", host()};

  Fixture() {
    for (std::uint32_t offset = 0; offset < 2; ++offset) {
      pt.set_cell(offset, kS1, CellState::UpToDate);
      pt.set_cell(offset, kS2, CellState::UpToDate);
    }
    backup.reset();
    REQUIRE(
        backup.upstream_nodes()
            .create(neo::protocol::NodeType::Storage, kUp1, kUpAddr, neo::node::NodeState::Running)
            .has_value());
    REQUIRE_FALSE(backup.upstream_pt().load(
        1, 0, {{{kUp1, CellState::UpToDate}}, {{kUp1, CellState::UpToDate}}}));
    backup.set_upstream_pt_loaded();
  }
  Backup::Host host() {
    Backup::Host h;
    h.pt = [this]() -> const neo::pt::PartitionTable& { return pt; };
    h.ready = [](NodeId) { return true; };
    h.address = [](NodeId nid) -> std::optional<Address> { return nid == kS1 ? kAddr1 : kAddr2; };
    h.last_tid = [this] { return last; };
    h.send = [this](NodeId nid, const Replicate& p) { sent.emplace_back(nid, p); };
    h.set_up_to_date = [this](NodeId nid, std::uint32_t offset) {
      return outdated.erase({nid, offset}) > 0;
    };
    return h;
  }
  // The orders sent to `nid` since the last call.
  std::vector<Replicate> take(NodeId nid) {
    std::vector<Replicate> out;
    for (auto it = sent.begin(); it != sent.end();)
      if (it->first == nid) {
        out.push_back(it->second);
        it = sent.erase(it);
      } else {
        ++it;
      }
    return out;
  }
  // Invalidation as the master does it: last TID first.
  void commit(Tid tid, std::set<std::uint32_t> partitions) {
    const Tid prev = last;
    last = tid;
    backup.invalidate(tid, prev, partitions);
  }
};

}  // namespace

TEST_CASE("backup TIDs: min over partitions of the best (or worst) cell", "[master][backup]") {
  Fixture f;
  f.backup.set_backup_tids({{kS1, Tid{10}}, {kS2, Tid{7}}});
  CHECK(f.backup.backup_tid_max() == Tid{10});
  CHECK(f.backup.backup_tid_min() == Tid{7});
  f.backup.cells_changed(std::vector<neo::protocol::CellChange>{{0, kS1, CellState::OutOfDate}});
  f.pt.set_cell(0, kS1, CellState::OutOfDate);
  CHECK(f.backup.backup_tid_max() == Tid{7});  // partition 0 has S2 only
  f.backup.set_backup_tids({});
  CHECK(f.backup.backup_tid_max() == neo::kZeroTid);
}

TEST_CASE("a commit is fetched by the primary cell from upstream, then by the others from it",
          "[master][backup]") {
  Fixture f;
  f.last = Tid{10};
  f.backup.set_backup_tids({{kS1, Tid{10}}, {kS2, Tid{10}}});
  // Connected: both up to date, nothing to fetch; primaries are chosen.
  f.backup.invalidate(Tid{10}, Tid{10}, {0, 1});
  CHECK(f.sent.empty());
  REQUIRE(f.backup.primary(0));
  const NodeId primary = *f.backup.primary(0);
  const NodeId secondary = primary == kS1 ? kS2 : kS1;

  f.commit(Tid{20}, {0});
  // The primary fetches partition 0 from the upstream storage.
  std::vector<Replicate> orders = f.take(primary);
  REQUIRE_FALSE(orders.empty());
  const Replicate& upstream = orders.back();
  CHECK(upstream.tid == Tid{20});
  CHECK(upstream.upstream_name == "up");
  REQUIRE(upstream.source_dict.size() == 1);
  CHECK(upstream.source_dict[0].first == 0);
  CHECK(upstream.source_dict[0].second == kUpAddr);
  // Partition 1 was not modified: its cells move on without fetching.
  CHECK(f.backup.cell_backup_tid(1, kS1) == Tid{20});
  CHECK(f.backup.cell_backup_tid(0, primary) == Tid{19});
  CHECK(f.backup.backup_tid_max() == Tid{19});
  f.take(secondary);

  // The primary has it: the other cell replicates from the primary cell.
  f.backup.replication_done(primary, 0, Tid{20}, true);
  CHECK(f.backup.cell_backup_tid(0, primary) == Tid{20});
  CHECK(f.backup.backup_tid_max() == Tid{20});
  CHECK(f.backup.backup_tid_min() == Tid{19});
  orders = f.take(secondary);
  REQUIRE(orders.size() == 1);
  CHECK(orders[0].tid == Tid{20});
  CHECK(orders[0].upstream_name.empty());
  CHECK(orders[0].source_dict[0].second == (primary == kS1 ? kAddr1 : kAddr2));
  f.backup.replication_done(secondary, 0, Tid{20}, true);
  CHECK(f.backup.backup_tid_min() == Tid{20});
}

TEST_CASE("reconnecting replicates every partition from upstream up to its last TID",
          "[master][backup]") {
  Fixture f;
  f.last = Tid{10};
  f.backup.set_backup_tids({{kS1, Tid{10}}, {kS2, Tid{10}}});
  f.last = Tid{30};  // the upstream committed while we did not listen
  f.backup.invalidate(Tid{30}, Tid{30}, {0, 1});
  std::size_t from_upstream = 0;
  for (const auto& [nid, order] : f.sent)
    if (order.upstream_name == "up") from_upstream += order.source_dict.size();
  CHECK(from_upstream == 2);  // each partition, by its primary cell
  CHECK(f.backup.backup_tid_max() == Tid{10});
}

TEST_CASE("a lost primary cell is replaced by the most advanced other one", "[master][backup]") {
  Fixture f;
  f.last = Tid{10};
  f.backup.set_backup_tids({{kS1, Tid{10}}, {kS2, Tid{10}}});
  f.backup.invalidate(Tid{10}, Tid{10}, {0, 1});
  const NodeId primary = *f.backup.primary(0);
  const NodeId other = primary == kS1 ? kS2 : kS1;
  f.backup.cells_changed(std::vector<neo::protocol::CellChange>{
      {0, primary, CellState::OutOfDate}, {1, primary, CellState::OutOfDate}});
  f.pt.set_cell(0, primary, CellState::OutOfDate);
  f.pt.set_cell(1, primary, CellState::OutOfDate);
  f.backup.node_lost(primary);
  CHECK(f.backup.primary(0) == other);
  f.sent.clear();
  f.commit(Tid{20}, {0});
  std::vector<Replicate> orders = f.take(other);
  REQUIRE_FALSE(orders.empty());
  bool upstream = false;
  for (const Replicate& order : orders) upstream = upstream || order.upstream_name == "up";
  CHECK(upstream);
  CHECK(f.take(primary).empty());
}
