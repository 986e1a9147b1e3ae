#include "core/protocol/enums.hpp"

#include <catch2/catch.hpp>

namespace neo::protocol {
namespace {

TEST_CASE("enum items print and parse with NEO's names", "[protocol]") {
  CHECK(to_string(CellState::UpToDate) == "UP_TO_DATE");
  CHECK(to_string(ClusterState::BackingUp) == "BACKINGUP");
  CHECK(to_string(NodeState::Pending) == "PENDING");
  CHECK(to_string(NodeType::Admin) == "ADMIN");
  CHECK(parse_cell_state("DISCARDED") == CellState::Discarded);
  CHECK(parse_cluster_state("STOPPING_BACKUP") == ClusterState::StoppingBackup);
  CHECK(parse_node_state("UNKNOWN") == NodeState::Unknown);
  CHECK(parse_node_type("STORAGE") == NodeType::Storage);
  CHECK_FALSE(parse_node_type("storage"));
  CHECK_FALSE(parse_cell_state(""));
}

TEST_CASE("each ext type code knows how many items its enum has", "[protocol]") {
  CHECK(enum_size(kExtCellStates) == 5);
  CHECK(enum_size(kExtClusterStates) == 7);
  CHECK(enum_size(kExtErrorCodes) == 14);
  CHECK(enum_size(kExtNodeStates) == 4);
  CHECK(enum_size(kExtNodeTypes) == 4);
  CHECK(enum_size(5) == 0);
  CHECK(enum_size(-1) == 0);
}

}  // namespace
}  // namespace neo::protocol
