// The enums of the NEO protocol, sent as msgpack ext types (fixext 1,
// `d4 <ext type> <value>`). Values and ext type codes are NEO/py's.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace neo::protocol {

enum class CellState : std::uint8_t { OutOfDate, UpToDate, Feeding, Corrupted, Discarded };
enum class ClusterState : std::uint8_t {
  Recovering, Verifying, Running, Stopping, StartingBackup, BackingUp, StoppingBackup
};
enum class NodeState : std::uint8_t { Unknown, Down, Running, Pending };
enum class NodeType : std::uint8_t { Master, Storage, Client, Admin };

// Ext type codes (ErrorCodes has 2 but is never sent as an ext).
inline constexpr std::int8_t kExtCellStates = 0;
inline constexpr std::int8_t kExtClusterStates = 1;
inline constexpr std::int8_t kExtErrorCodes = 2;
inline constexpr std::int8_t kExtNodeStates = 3;
inline constexpr std::int8_t kExtNodeTypes = 4;

// Number of items of the enum with this ext type code; 0 if there is none.
// An ext value is valid iff 0 <= value < enum_size(type).
int enum_size(std::int8_t ext_type);

// NEO's names: "UP_TO_DATE", "RUNNING", "STORAGE"...
std::string_view to_string(CellState v);
std::string_view to_string(ClusterState v);
std::string_view to_string(NodeState v);
std::string_view to_string(NodeType v);
// And back (exact, upper case); nullopt if unknown.
std::optional<CellState> parse_cell_state(std::string_view name);
std::optional<ClusterState> parse_cluster_state(std::string_view name);
std::optional<NodeState> parse_node_state(std::string_view name);
std::optional<NodeType> parse_node_type(std::string_view name);

}  // namespace neo::protocol
