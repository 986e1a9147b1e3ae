#include <catch2/catch.hpp>
#include <vector>

#include "core/node/node_manager.hpp"

using namespace neo;
using namespace neo::node;
using protocol::NodeInfo;

namespace {

NodeInfo info(NodeType type, std::optional<Address> address, std::optional<NodeId> nid,
              NodeState state, std::optional<double> id_timestamp) {
  return {.node_type = type,
          .address = std::move(address),
          .nid = nid,
          .state = state,
          .id_timestamp = id_timestamp};
}

Address local(std::uint16_t port) { return {"127.0.0.1", port}; }

}  // namespace

// From /work/shared/corpus/neolog/scenario-transcript.txt (NEO/py neoctl).
TEST_CASE("print node: the corpus transcript output", "[node]") {
  const std::vector<NodeInfo> nodes{
      info(NodeType::Storage, local(21111), NodeId{2}, NodeState::Pending, 1795319358.524489),
      info(NodeType::Master, local(21100), NodeId{-0x10000000 + 1}, NodeState::Running, {}),
      info(NodeType::Storage, local(21110), NodeId{1}, NodeState::Running, 1795319356.361737),
      info(NodeType::Client, std::nullopt, NodeId{-0x20000000 + 1}, NodeState::Running,
           1795319357.909591),
      info(NodeType::Admin, local(21101), NodeId{-0x30000000 + 1}, NodeState::Running,
           1795319356.310273)};
  CHECK(format_print_node(nodes) ==
        "A1 | ADMIN   | 127.0.0.1:21101 | RUNNING | 2026-11-22 03:49:16.310273\n"
        "C1 | CLIENT  |                 | RUNNING | 2026-11-22 03:49:17.909591\n"
        "M1 | MASTER  | 127.0.0.1:21100 | RUNNING | None\n"
        "S1 | STORAGE | 127.0.0.1:21110 | RUNNING | 2026-11-22 03:49:16.361737\n"
        "S2 | STORAGE | 127.0.0.1:21111 | PENDING | 2026-11-22 03:49:18.524489");
  CHECK(format_print_node({}) == "Empty list!");
}

// Expected output of NEO/py's formatNodeList(node_list, ' * ')
// (neo/lib/protocol.py), run with Debian 12's python3.
TEST_CASE("node lists are formatted as NEO/py's formatNodeList", "[node]") {
  const std::vector<NodeInfo> nodes{
      info(NodeType::Storage, local(21111), NodeId{2}, NodeState::Pending, 1795319358.524489),
      info(NodeType::Master, local(21100), NodeId{-0x10000000 + 1}, NodeState::Running, {}),
      info(NodeType::Client, std::nullopt, NodeId{-0x20000000 + 1}, NodeState::Running,
           1795319357.909591),
      info(NodeType::Master, Address{"::1", 21102}, std::nullopt, NodeState::Down, {}),
      info(NodeType::Master, Address{"10.0.0.1", 21101}, std::nullopt, NodeState::Down, {}),
      info(NodeType::Storage, local(21110), NodeId{1}, NodeState::Running, 1795319356.0),
      info(NodeType::Admin, local(21101), NodeId{-0x30000000 + 1}, NodeState::Running, 0.0),
      info(NodeType::Storage, local(21112), NodeId{12}, NodeState::Down, 1700000000.0000005),
      info(NodeType::Storage, local(21113), NodeId{13}, NodeState::Down, 1700000000.9999996)};
  const std::vector<std::string> expected{
      " * A1   | ADMIN   | 127.0.0.1:21101 | RUNNING | 0.0",
      " * C1   | CLIENT  |                 | RUNNING | 2026-11-22 03:49:17.909591",
      " * M1   | MASTER  | 127.0.0.1:21100 | RUNNING | None",
      " * S1   | STORAGE | 127.0.0.1:21110 | RUNNING | 2026-11-22 03:49:16",
      " * S2   | STORAGE | 127.0.0.1:21111 | PENDING | 2026-11-22 03:49:18.524489",
      " * S12  | STORAGE | 127.0.0.1:21112 | DOWN    | 2023-11-14 22:13:20",
      " * S13  | STORAGE | 127.0.0.1:21113 | DOWN    | 2023-11-14 22:13:21",
      " * None | MASTER  | 10.0.0.1:21101  | DOWN    | None",
      " * None | MASTER  | [::1]:21102     | DOWN    | None"};
  CHECK(format_node_list(nodes, " * ") == expected);
}

// Expected: str(datetime.utcfromtimestamp(t)) with Debian 12's python3.
TEST_CASE("UTC times are printed as Python's datetime", "[node]") {
  CHECK(format_utc(1795319356.3617375) == "2026-11-22 03:49:16.361737");
  CHECK(format_utc(1795319356.3617365) == "2026-11-22 03:49:16.361737");
  CHECK(format_utc(0.5e-6) == "1970-01-01 00:00:00");
  CHECK(format_utc(1.5e-6) == "1970-01-01 00:00:00.000002");
  CHECK(format_utc(-1.25) == "1969-12-31 23:59:58.750000");
  CHECK(format_utc(951782400.0) == "2000-02-29 00:00:00");
  CHECK(format_utc(4102444800.75) == "2100-01-01 00:00:00.750000");
  CHECK(format_address(std::nullopt).empty());
  CHECK(format_address(Address{"::1", 5}) == "[::1]:5");
}
