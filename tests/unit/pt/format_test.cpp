#include "core/pt/format.hpp"

#include <catch2/catch.hpp>
#include <vector>

using namespace neo;
using namespace neo::pt;
using protocol::CellInfo;
using protocol::NodeInfo;
using protocol::NodeType;
using protocol::RowList;

namespace {

constexpr auto U = CellState::UpToDate, O = CellState::OutOfDate, F = CellState::Feeding,
               C = CellState::Corrupted;

NodeInfo storage(int id, NodeState state) {
  return {.node_type = NodeType::Storage,
          .address = protocol::Address{"127.0.0.1", static_cast<std::uint16_t>(20000 + id)},
          .nid = NodeId{id},
          .state = state};
}

RowList repeat(const RowList& pattern, int times) {
  RowList rows;
  for (int i = 0; i < times; ++i) rows.insert(rows.end(), pattern.begin(), pattern.end());
  return rows;
}

}  // namespace

// From /work/shared/corpus/neolog/scenario-transcript.txt (NEO/py neoctl).
TEST_CASE("print pt: the corpus transcript outputs", "[pt]") {
  const std::vector<NodeInfo> nodes{storage(1, NodeState::Running), storage(2, NodeState::Down)};
  const RowList rows = repeat({{{NodeId{1}, U}, {NodeId{2}, O}}}, 12);
  CHECK(format_print_pt(15, 1, rows, 0, 0, nodes) ==
        "# ptid: 15, replicas: 1\n"
        "             10v\n"
        "S1 R UUUUUUUUUUUU\n"
        "S2 D OOOOOOOOOOOO");
  const RowList up = repeat({{{NodeId{1}, U}, {NodeId{2}, U}}}, 3);
  CHECK(format_print_pt(14, 1, up, 0, 3, nodes) ==
        "# ptid: 14, replicas: 1\n"
        "000 | S1 - UP_TO_DATE | S2 - UP_TO_DATE |\n"
        "001 | S1 - UP_TO_DATE | S2 - UP_TO_DATE |\n"
        "002 | S1 - UP_TO_DATE | S2 - UP_TO_DATE |");
  const std::vector<NodeInfo> one{storage(1, NodeState::Running)};
  CHECK(format_print_pt(1, 1, repeat({{{NodeId{1}, U}}}, 12), 0, 0, one) ==
        "# ptid: 1, replicas: 1\n"
        "             10v\n"
        "S1 R UUUUUUUUUUUU");
}

// Expected strings printed by NEO/py's TerminalNeoCTL.formatPartitionTable
// and formatRowList (neo/neoctl/app.py), run with Debian 12's python3.
TEST_CASE("print pt: matrices as NEO/py's neoctl formats them", "[pt]") {
  const NodeId S1{1}, S2{2}, S3{3}, S10{10};
  CHECK(format_matrix(
            repeat({{{S1, U}}, {{S2, U}}, {{S1, F}, {S3, O}}}, 16),
            std::vector<NodeInfo>{storage(1, NodeState::Running), storage(2, NodeState::Running),
                                  storage(3, NodeState::Running)}) ==
        "             10v       20v       30v       40v\n"
        "S1 R U.FU.FU.FU.FU.FU.FU.FU.FU.FU.FU.FU.FU.FU.FU.FU.F\n"
        "S2 R .U..U..U..U..U..U..U..U..U..U..U..U..U..U..U..U.\n"
        "S3 R ..O..O..O..O..O..O..O..O..O..O..O..O..O..O..O..O");
  // 10 partitions: no marker line; a PENDING storage without cell is not shown.
  CHECK(format_matrix(repeat({{{S1, U}}}, 10),
                      std::vector<NodeInfo>{storage(1, NodeState::Running),
                                            storage(2, NodeState::Pending)}) == "S1 R UUUUUUUUUU");
  // Ids padded to the greatest one; empty rows.
  CHECK(format_matrix(
            repeat({{{S1, U}, {S10, C}}, {{S2, U}}, {}}, 9),
            std::vector<NodeInfo>{storage(1, NodeState::Running), storage(10, NodeState::Running),
                                  storage(2, NodeState::Down)}) ==
        "              10v       20v\n"
        "S1  R U..U..U..U..U..U..U..U..U..\n"
        "S2  D .U..U..U..U..U..U..U..U..U.\n"
        "S10 R C..C..C..C..C..C..C..C..C..");
  // A RUNNING storage without cell is shown (e.g. just added, before tweak).
  CHECK(format_matrix(repeat({{{S1, U}}}, 11),
                      std::vector<NodeInfo>{storage(1, NodeState::Running),
                                            storage(3, NodeState::Running)}) ==
        "             10v\n"
        "S1 R UUUUUUUUUUU\n"
        "S3 R ...........");
  CHECK(format_matrix(repeat({{{S2, U}}}, 3),
                      std::vector<NodeInfo>{storage(2, NodeState::Pending)}) == "S2 P UUU");
  CHECK(format_matrix(RowList(3), {}).empty());
  CHECK(format_rows(RowList{{{S1, U}, {S2, O}}, {{S1, F}}, {}}, 7) ==
        "007 | S1 - UP_TO_DATE | S2 - OUT_OF_DATE |\n"
        "008 | S1 - FEEDING |\n"
        "009 |");
  CHECK(format_print_pt(std::nullopt, 0, RowList{}, 0, 0, {}) == "# ptid: None, replicas: 0\n");
}
