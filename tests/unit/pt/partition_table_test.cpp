#include "core/pt/partition_table.hpp"

#include <catch2/catch.hpp>
#include <map>
#include <vector>

using namespace neo;
using namespace neo::pt;
using protocol::CellChange;
using protocol::CellInfo;
using protocol::RowList;

namespace {

constexpr NodeId S1{1}, S2{2}, S3{3};
constexpr auto U = CellState::UpToDate, O = CellState::OutOfDate, F = CellState::Feeding,
               C = CellState::Corrupted, D = CellState::Discarded;

NodeStateFn states(std::map<NodeId, NodeState> map) {
  return [map](NodeId nid) {
    auto it = map.find(nid);
    return it == map.end() ? NodeState::Unknown : it->second;
  };
}

// 4 partitions: S1 U everywhere, S2 O/F/C/U, S3 only in partition 3 (F).
PartitionTable sample() {
  PartitionTable pt;
  REQUIRE_FALSE(pt.load(7, 1,
                        RowList{{{S1, U}, {S2, O}},
                                {{S1, U}, {S2, F}},
                                {{S2, C}, {S1, U}},
                                {{S1, U}, {S2, U}, {S3, F}}}));
  return pt;
}

}  // namespace

TEST_CASE("cell states: readable, writable, letters", "[pt]") {
  CHECK(is_readable(U));
  CHECK(is_readable(F));
  CHECK_FALSE(is_readable(O));
  CHECK_FALSE(is_readable(C));
  CHECK(is_writable(O));
  CHECK(is_writable(U));
  CHECK(is_writable(F));
  CHECK_FALSE(is_writable(C));
  CHECK_FALSE(is_writable(D));
  CHECK(std::string{cell_state_letter(U), cell_state_letter(O), cell_state_letter(F),
                    cell_state_letter(C), cell_state_letter(D)} == "UOFCD");
  CHECK(std::string{node_state_letter(NodeState::Running), node_state_letter(NodeState::Down),
                    node_state_letter(NodeState::Unknown),
                    node_state_letter(NodeState::Pending)} == "RDUP");
}

TEST_CASE("partition_of is the 64-bit id modulo the number of partitions", "[pt]") {
  PartitionTable pt(12, 0);
  CHECK(pt.partition_of(Oid{0}) == 0);
  CHECK(pt.partition_of(Oid{13}) == 1);
  CHECK(pt.partition_of(Tid{0x040d2dc54d5f80cfULL}) == 0x040d2dc54d5f80cfULL % 12);
  CHECK(pt.partition_of(0xffffffffffffffffULL) == 0xffffffffffffffffULL % 12);
}

TEST_CASE("a loaded table answers cell queries", "[pt]") {
  PartitionTable pt = sample();
  CHECK(pt.num_partitions() == 4);
  CHECK(pt.num_replicas() == 1);
  CHECK(pt.ptid() == 7);
  CHECK(pt.filled());
  CHECK(pt.row_list() == RowList{{{S1, U}, {S2, O}},
                                 {{S1, U}, {S2, F}},
                                 {{S2, C}, {S1, U}},
                                 {{S1, U}, {S2, U}, {S3, F}}});
  CHECK(pt.readable_partitions(S2) == std::vector<std::uint32_t>{1, 3});
  CHECK(pt.outdated_partitions(S2) == std::vector<std::uint32_t>{0});
  CHECK(pt.partitions_of(S3) == std::vector<std::uint32_t>{3});
  CHECK(pt.is_readable(Oid{5}, S2));        // partition 1, FEEDING
  CHECK_FALSE(pt.is_readable(Oid{4}, S2));  // partition 0, OUT_OF_DATE
  CHECK(pt.is_assigned(Oid{4}, S2));
  CHECK_FALSE(pt.is_assigned(Oid{4}, S3));
  CHECK(pt.is_readable(Tid{7}, S3));
  CHECK(pt.cells(2, true).size() == 1);
  CHECK(pt.cells(2, true)[0].nid == S1);
  CHECK(pt.find_cell(2, S2)->state == C);
  CHECK(pt.find_cell(2, S3) == nullptr);
  CHECK(pt.has_offset(3));
  CHECK_FALSE(pt.has_offset(4));
  CHECK_FALSE(pt.has_offset(-1));
  CHECK(pt.node_set() == std::set<NodeId>{S1, S2, S3});
  CHECK(pt.node_set(true) == std::set<NodeId>{S1, S2, S3});
  CHECK(pt.members() == std::set<NodeId>{S1, S2, S3});
  auto cells = pt.cells_of(S2);
  REQUIRE(cells.size() == 4);
  CHECK(cells[2].first == 2);
  CHECK(cells[2].second.state == C);
  CHECK(pt.cell_count(S2) == 3);  // FEEDING cells do not count
  CHECK(pt.cell_count(S3) == 0);
}

TEST_CASE("loading rejects DISCARDED cells and negative replicas, keeping the table", "[pt]") {
  PartitionTable pt = sample();
  CHECK(pt.load(1, 0, RowList{{{S1, D}}}) == errc::protocol_error);
  CHECK(pt.load(1, -1, RowList{{{S1, U}}}) == errc::protocol_error);
  CHECK(pt.ptid() == 7);
  CHECK(pt.num_partitions() == 4);
  // A new load forgets previous cells and members.
  REQUIRE_FALSE(pt.load(std::nullopt, 0, RowList{{{S1, U}}, {}}));
  CHECK_FALSE(pt.ptid());
  CHECK(pt.members() == std::set<NodeId>{S1});
  CHECK_FALSE(pt.filled());
}

TEST_CASE("storages apply partition changes only with the next ptid", "[pt]") {
  PartitionTable pt = sample();
  const std::vector<CellChange> changes{{0, S2, U}, {1, S2, D}, {0, S3, O}};
  CHECK(pt.apply(9, 1, changes, PartitionTable::PtidRule::Next) == errc::protocol_error);
  CHECK(pt.apply(7, 1, changes, PartitionTable::PtidRule::Next) == errc::protocol_error);
  CHECK(pt.ptid() == 7);
  REQUIRE_FALSE(pt.apply(8, 2, changes, PartitionTable::PtidRule::Next));
  CHECK(pt.ptid() == 8);
  CHECK(pt.num_replicas() == 2);
  CHECK(pt.row_list()[0] == std::vector<CellInfo>{{S1, U}, {S2, U}, {S3, O}});
  CHECK(pt.row_list()[1] == std::vector<CellInfo>{{S1, U}});
  // An empty change list (SetNumReplicas) only changes ptid and replicas.
  REQUIRE_FALSE(pt.apply(9, 0, {}, PartitionTable::PtidRule::Next));
  CHECK(pt.num_replicas() == 0);
  // Without a table, a storage cannot apply changes.
  PartitionTable empty(4, 0);
  CHECK(empty.apply(1, 0, {}, PartitionTable::PtidRule::Next) == errc::protocol_error);
}

TEST_CASE("clients and admins apply partition changes with any greater ptid", "[pt]") {
  PartitionTable pt = sample();
  const std::vector<CellChange> changes{{3, S3, D}};
  CHECK(pt.apply(7, 1, changes, PartitionTable::PtidRule::Greater) == errc::protocol_error);
  REQUIRE_FALSE(pt.apply(12, 1, changes, PartitionTable::PtidRule::Greater));
  CHECK(pt.ptid() == 12);
  CHECK(pt.row_list()[3].size() == 2);
  // S3 has no cell left but stays a member until the node is dropped.
  CHECK(pt.members().contains(S3));
  CHECK(pt.drop_node(S3));
  CHECK_FALSE(pt.members().contains(S3));
}

TEST_CASE("a change with an offset out of range is refused as a whole", "[pt]") {
  PartitionTable pt = sample();
  const std::vector<CellChange> changes{{0, S3, U}, {4, S3, U}};
  CHECK(pt.apply(8, 1, changes, PartitionTable::PtidRule::Next) == errc::protocol_error);
  CHECK(pt.find_cell(0, S3) == nullptr);
  CHECK(pt.ptid() == 7);
  const std::vector<CellChange> negative{{-1, S3, U}};
  CHECK(pt.apply(8, 1, negative, PartitionTable::PtidRule::Next) == errc::protocol_error);
  CHECK(pt.apply(8, -1, {}, PartitionTable::PtidRule::Next) == errc::protocol_error);
}

TEST_CASE("partition lists are ranges of rows", "[pt]") {
  PartitionTable pt = sample();
  CHECK(pt.row_list(0, 0).value() == pt.row_list());
  CHECK(pt.row_list(1, 3).value() == RowList{pt.row_list()[1], pt.row_list()[2]});
  CHECK(pt.row_list(3, 0).value().size() == 1);
  CHECK(pt.row_list(3, 2).value().empty());
  CHECK(pt.row_list(2, 5).error() == errc::protocol_error);
  CHECK(pt.row_list(5, 0).value().empty());  // NEO/py: range(5, 4) is empty
  CHECK(pt.row_list(-1, 2).error() == errc::protocol_error);
}

TEST_CASE("operational: every partition readable on a running node", "[pt]") {
  PartitionTable pt = sample();
  CHECK(pt.operational(states({{S1, NodeState::Running}})));
  CHECK_FALSE(pt.operational(states({{S1, NodeState::Down}, {S2, NodeState::Running}})));
  const std::vector<NodeId> exclude{S1};
  CHECK_FALSE(
      pt.operational(states({{S1, NodeState::Running}, {S2, NodeState::Running}}), exclude));
  // Partition 2: S2 CORRUPTED, S1 the only readable cell.
  pt.set_cell(0, S1, O);
  CHECK_FALSE(pt.operational(states({{S1, NodeState::Running}, {S2, NodeState::Running}})));
  pt.set_cell(0, S3, U);
  CHECK(pt.operational(
      states({{S1, NodeState::Running}, {S2, NodeState::Running}, {S3, NodeState::Running}})));
  // An empty row makes the table unusable.
  pt.remove_cell(2, S2);
  pt.remove_cell(2, S1);
  CHECK_FALSE(pt.filled());
  CHECK_FALSE(pt.operational(states({{S1, NodeState::Running}})));
}

TEST_CASE("members: nodes are added, and dropped once they have no cell", "[pt]") {
  PartitionTable pt(2, 0);
  const std::vector<NodeId> nodes{S2, S1, S2};
  CHECK(pt.add_nodes(nodes) == std::vector<NodeId>{S2, S1});
  CHECK(pt.add_nodes(nodes).empty());
  pt.set_cell(0, S3, F);
  CHECK(pt.members() == std::set<NodeId>{S1, S2, S3});
  CHECK(pt.drop_node(S3));  // FEEDING cells only
  pt.set_cell(1, S1, O);
  CHECK_FALSE(pt.drop_node(S1));
  pt.set_cell(1, S1, D);
  CHECK(pt.drop_node(S1));
  CHECK(pt.drop_node(NodeId{42}));  // not a member
  CHECK(pt.members() == std::set<NodeId>{S2});
}

TEST_CASE("set_cell keeps cell order; a cell that becomes non-readable is not updatable", "[pt]") {
  struct Exposed : PartitionTable {
    using PartitionTable::PartitionTable;
    Cell& at(std::uint32_t offset, NodeId nid) { return *find_mutable(offset, nid); }
  };
  Exposed pt(1, 1);
  pt.set_cell(0, S2, O);
  pt.set_cell(0, S1, U);
  pt.set_cell(0, S2, U);
  CHECK(pt.row_list()[0] == std::vector<CellInfo>{{S2, U}, {S1, U}});
  pt.at(0, S2).updatable = true;
  pt.set_cell(0, S2, F);
  CHECK(pt.at(0, S2).updatable);
  pt.set_cell(0, S2, O);
  CHECK_FALSE(pt.at(0, S2).updatable);
}

TEST_CASE("clear forgets cells, ptid and members", "[pt]") {
  PartitionTable pt = sample();
  pt.clear();
  CHECK(pt.num_partitions() == 4);
  CHECK_FALSE(pt.ptid());
  CHECK(pt.members().empty());
  CHECK(pt.node_set().empty());
}

TEST_CASE("the log format is NEO/py's, with its 10th-partition markers", "[pt]") {
  // The header line is the one of NEO/py's PartitionTable._format docstring
  // (np=48); neoctl's outputs are checked in format_test.cpp.
  PartitionTable pt(48, 0);
  for (std::uint32_t p = 0; p < 48; ++p) {
    switch (p % 3) {
      case 0:
        pt.set_cell(p, S1, U);
        break;
      case 1:
        pt.set_cell(p, S2, U);
        break;
      case 2:
        pt.set_cell(p, S1, p % 6 == 2 ? F : O);
        pt.set_cell(p, S2, p % 6 == 5 ? F : O);
        pt.set_cell(p, S3, O);
        break;
    }
  }
  auto lines = pt.format(states({{S1, NodeState::Running}, {S2, NodeState::Running}}), "pt: ");
  REQUIRE(lines.size() == 4);
  CHECK(lines[0] == "pt:              10v       20v       30v       40v");
  CHECK(lines[1] == "pt: S1 R U.FU.OU.FU.OU.FU.OU.FU.OU.FU.OU.FU.OU.FU.OU.FU.O");
  CHECK(lines[3] == "pt: S3 U ..O..O..O..O..O..O..O..O..O..O..O..O..O..O..O..O");
  CHECK(PartitionTable(3, 0).format(states({})).empty());
}
