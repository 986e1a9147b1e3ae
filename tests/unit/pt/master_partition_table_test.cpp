#include "core/pt/master_partition_table.hpp"

#include <catch2/catch.hpp>
#include <map>
#include <set>
#include <vector>

using namespace neo;
using namespace neo::pt;
using protocol::CellChange;
using protocol::CellInfo;

namespace {

constexpr NodeId S1{1}, S2{2}, S3{3}, S4{4};
constexpr auto U = CellState::UpToDate, O = CellState::OutOfDate, F = CellState::Feeding,
               D = CellState::Discarded;

std::vector<NodeId> storages(int n) {
  std::vector<NodeId> result;
  for (int i = 1; i <= n; ++i) result.push_back(NodeId{i});
  return result;
}

NodeStateFn all_running_but(std::set<NodeId> down = {}) {
  return [down](NodeId nid) { return down.contains(nid) ? NodeState::Down : NodeState::Running; };
}

// Checks what make() promises: replicas + 1 cells (at most one per node) per
// partition, all UP_TO_DATE, nodes holding the same number of cells +-1.
void check_balanced(const MasterPartitionTable& pt, std::size_t nodes) {
  const std::size_t want = std::min<std::size_t>(pt.num_replicas() + 1, nodes);
  std::map<NodeId, std::size_t> per_node;
  for (std::uint32_t p = 0; p < pt.num_partitions(); ++p) {
    std::set<NodeId> distinct;
    for (const Cell& cell : pt.row(p)) {
      CHECK(cell.state == U);
      distinct.insert(cell.nid);
      ++per_node[cell.nid];
    }
    CHECK(distinct.size() == pt.row(p).size());
    CHECK(pt.row(p).size() == want);
  }
  std::size_t lo = SIZE_MAX, hi = 0;
  for (const auto& [nid, n] : per_node) {
    lo = std::min(lo, n);
    hi = std::max(hi, n);
  }
  CHECK(hi - lo <= 1);
}

}  // namespace

TEST_CASE("a new table spreads replicas + 1 cells evenly over distinct nodes", "[pt]") {
  for (std::uint32_t replicas : {0u, 1u, 2u}) {
    for (int nodes : {1, 2, 3, 5}) {
      for (std::uint32_t partitions : {1u, 7u, 12u, 100u}) {
        INFO("replicas " << replicas << ", nodes " << nodes << ", partitions " << partitions);
        MasterPartitionTable pt(partitions, replicas);
        Changes made = pt.make(storages(nodes));
        REQUIRE(made.ok());
        CHECK(pt.ptid() == 1);
        check_balanced(pt, nodes);
        // Nodes without cell (more nodes than cells) are not kept.
        CHECK(pt.members() == pt.node_set());
        // Tweaking a fresh table changes nothing.
        CHECK(pt.tweak().cells.empty());
      }
    }
  }
}

TEST_CASE("make refuses an existing table or no node", "[pt]") {
  MasterPartitionTable pt(4, 0);
  CHECK_FALSE(pt.make({}).ok());
  REQUIRE(pt.make(storages(1)).ok());
  const auto again = pt.make(storages(2));
  CHECK_FALSE(again.ok());
  CHECK(pt.members() == std::set<NodeId>{S1});
}

TEST_CASE("topology: replicas of a partition go to different hosts", "[pt]") {
  // Ids would pair S1+S2 and S3+S4 without topology; S1, S4 share a host.
  const std::map<NodeId, Devpath> devpaths{
      {S1, {"h1", "sda"}}, {S2, {"h1", "sdb"}}, {S3, {"h2", "sda"}}, {S4, {"h2", "sdb"}}};
  auto devpath_of = [&](NodeId nid) { return devpaths.at(nid); };
  MasterPartitionTable pt(12, 1);
  REQUIRE(pt.make(storages(4), devpath_of).ok());
  check_balanced(pt, 4);
  for (std::uint32_t p = 0; p < 12; ++p) {
    INFO("partition " << p);
    CHECK(devpaths.at(pt.row(p)[0].nid)[0] != devpaths.at(pt.row(p)[1].nid)[0]);
  }
  // The same nodes without topology: pairs on one host.
  MasterPartitionTable flat(12, 1);
  REQUIRE(flat.make(storages(4)).ok());
  CHECK(flat.row(0)[0].nid == S1);
  CHECK(flat.row(0)[1].nid == S2);
}

TEST_CASE("topology: three rooms, two replicas, one cell per room", "[pt]") {
  std::map<NodeId, Devpath> devpaths;
  for (int i = 1; i <= 6; ++i) {
    devpaths[NodeId{i}] = {"room" + std::to_string((i + 1) / 2), "host" + std::to_string(i)};
  }
  MasterPartitionTable pt(30, 2);
  REQUIRE(pt.make(storages(6), [&](NodeId nid) { return devpaths.at(nid); }).ok());
  check_balanced(pt, 6);
  for (std::uint32_t p = 0; p < 30; ++p) {
    std::set<std::string> rooms;
    for (const Cell& cell : pt.row(p)) rooms.insert(devpaths.at(cell.nid)[0]);
    CHECK(rooms.size() == 3);
  }
}

TEST_CASE("adding a storage: tweak adds OUT_OF_DATE cells, old ones become FEEDING", "[pt]") {
  MasterPartitionTable pt(6, 0);
  REQUIRE(pt.make(storages(2)).ok());
  const auto before = pt.row_list();
  const std::vector<NodeId> s3{S3};
  CHECK(pt.add_nodes(s3) == s3);

  auto dry = pt.tweak_dry_run();
  CHECK(pt.row_list() == before);  // a dry run changes nothing
  CHECK(pt.ptid() == 1);

  Changes changes = pt.tweak();
  REQUIRE(changes.ok());
  CHECK(changes.cells == dry.changes.cells);
  CHECK(pt.row_list() == dry.rows);
  // Each node ends with 2 of the 6 partitions (NEO/py's heuristic moves
  // some of S1's and S2's too): new cells are OUT_OF_DATE, and each
  // readable cell they replace is FEEDING until they are up to date.
  for (const CellChange& c : changes.cells) {
    CHECK((c.state == O || c.state == F));
    if (c.state == F) CHECK(c.nid != S3);
  }
  for (NodeId nid : {S1, S2, S3}) CHECK(pt.cell_count(nid) == 2);
  for (std::uint32_t p = 0; p < 6; ++p) {
    std::size_t readable = 0, kept = 0;
    for (const Cell& cell : pt.row(p)) {
      readable += cell.readable();
      kept += cell.state != F;
    }
    CHECK(readable == 1);
    CHECK(kept == 1);
  }
  CHECK(pt.tweak().cells.empty());  // nothing more to do
  CHECK(pt.operational(all_running_but()));

  // Replication done: cells up to date, the feeding cells go.
  for (NodeId nid : {S1, S2, S3}) {
    for (std::uint32_t offset : pt.outdated_partitions(nid)) {
      CHECK(pt.set_up_to_date(nid, offset).cells.empty());  // not updatable yet
      const std::vector<std::int64_t> offsets{offset};
      pt.mark_updatable(nid, offsets);
      Changes done = pt.set_up_to_date(nid, offset);
      REQUIRE(done.cells.size() == 2);
      CHECK(done.cells[0] == CellChange{offset, nid, U});
      CHECK(done.cells[1].state == D);
      CHECK(pt.row(offset).size() == 1);
    }
  }
  for (NodeId nid : {S1, S2, S3}) CHECK(pt.cell_count(nid) == 2);
  CHECK(pt.tweak().cells.empty());
}

TEST_CASE("set_up_to_date: unknown cell refused, late notifications ignored", "[pt]") {
  MasterPartitionTable pt(2, 0);
  REQUIRE(pt.make(storages(1)).ok());
  CHECK(pt.set_up_to_date(S2, 0).refused == "Non-assigned partition");
  CHECK(pt.set_up_to_date(S1, 5).refused == "Non-assigned partition");
  CHECK(pt.set_up_to_date(S1, 0).cells.empty());  // already UP_TO_DATE
}

TEST_CASE("a storage going down gets its cells outdated", "[pt]") {
  MasterPartitionTable pt(4, 1);
  REQUIRE(pt.make(storages(2)).ok());
  Changes changes = pt.outdate(all_running_but({S2}));
  CHECK(changes.cells == std::vector<CellChange>{{0, S2, O}, {1, S2, O}, {2, S2, O}, {3, S2, O}});
  CHECK(pt.outdate(all_running_but({S2})).cells.empty());
  // Both down: the last one lost keeps its cells (the cluster can restart).
  MasterPartitionTable last(2, 0);
  REQUIRE(last.make(storages(1)).ok());
  CHECK(last.outdate(all_running_but({S1}), S1).cells.empty());
  CHECK(last.outdate(all_running_but({S1})).cells.size() == 2);
  // FEEDING cells of a stopped node are discarded.
  MasterPartitionTable moving(2, 0);
  REQUIRE(moving.make(storages(1)).ok());
  const std::vector<NodeId> s2{S2};
  moving.add_nodes(s2);
  REQUIRE(moving.tweak().ok());
  CHECK(moving.outdate(all_running_but({S1})).cells ==
        std::vector<CellChange>{{0, S1, O}, {1, S1, D}});
}

TEST_CASE("dropping a node removes its cells unless it has the only copy", "[pt]") {
  MasterPartitionTable pt(4, 1);
  REQUIRE(pt.make(storages(3)).ok());
  const std::vector<NodeId> s1{S1};
  const auto before = pt.row_list();
  Changes simulated = pt.drop_nodes(s1, true);
  CHECK(simulated.ok());
  CHECK(pt.row_list() == before);
  Changes dropped = pt.drop_nodes(s1);
  CHECK(dropped.cells == simulated.cells);
  for (const CellChange& c : dropped.cells) CHECK(c == CellChange{c.offset, S1, D});
  CHECK(pt.partitions_of(S1).empty());
  CHECK_FALSE(pt.members().contains(S1));

  MasterPartitionTable single(2, 0);
  REQUIRE(single.make(storages(2)).ok());
  const std::vector<NodeId> s2{S2};
  Changes refused = single.drop_nodes(s2);
  CHECK(refused.refused ==
        "Refuse to drop nodes that contain the only readable copies of partition 1");
  CHECK(single.partitions_of(S2) == std::vector<std::uint32_t>{1});
}

TEST_CASE("dropping the node a partition moves to restores the feeding cell", "[pt]") {
  MasterPartitionTable pt(2, 0);
  REQUIRE(pt.make(storages(1)).ok());
  const std::vector<NodeId> s2{S2};
  pt.add_nodes(s2);
  REQUIRE(pt.tweak().cells == std::vector<CellChange>{{1, S2, O}, {1, S1, F}});
  Changes dropped = pt.drop_nodes(s2);
  CHECK(dropped.cells == std::vector<CellChange>{{1, S2, D}, {1, S1, U}});
  CHECK(pt.row(1)[0].state == U);
}

TEST_CASE("tweak with excluded nodes leaves their cells and refuses to exclude all", "[pt]") {
  MasterPartitionTable pt(6, 0);
  REQUIRE(pt.make(storages(2)).ok());
  const std::vector<NodeId> s1{S1}, both{S1, S2};
  CHECK(pt.tweak(both).refused == "Can't remove all nodes.");
  Changes changes = pt.tweak(s1);
  // S2 takes every partition; S1's cells are left as they are (to drop S1 later).
  for (const CellChange& c : changes.cells) CHECK(c.nid == S2);
  for (std::uint32_t p = 0; p < 6; ++p) CHECK(pt.find_cell(p, S2) != nullptr);
  CHECK(pt.readable_partitions(S1).size() == 3);
}

TEST_CASE("recovery: the nodes needed to serve every partition", "[pt]") {
  MasterPartitionTable pt(4, 0);
  REQUIRE(pt.make(storages(2)).ok());
  auto pending = [](std::set<NodeId> nodes) {
    return
        [nodes](NodeId nid) { return nodes.contains(nid) ? NodeState::Pending : NodeState::Down; };
  };
  CHECK(pt.operational_nodes(pending({S1, S2})) == std::set<NodeId>{S1, S2});
  CHECK(pt.operational_nodes(pending({S1})).empty());
}
