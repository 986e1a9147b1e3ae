#include "core/protocol/enums.hpp"

#include <array>

#include "core/util/error.hpp"

namespace neo::protocol {
namespace {

constexpr std::array<std::string_view, 5> kCellStateNames = {"OUT_OF_DATE", "UP_TO_DATE", "FEEDING",
                                                             "CORRUPTED", "DISCARDED"};
constexpr std::array<std::string_view, 7> kClusterStateNames = {
    "RECOVERING",      "VERIFYING", "RUNNING",        "STOPPING",
    "STARTING_BACKUP", "BACKINGUP", "STOPPING_BACKUP"};
constexpr std::array<std::string_view, 4> kNodeStateNames = {"UNKNOWN", "DOWN", "RUNNING",
                                                             "PENDING"};
constexpr std::array<std::string_view, 4> kNodeTypeNames = {"MASTER", "STORAGE", "CLIENT", "ADMIN"};

template <class E, std::size_t N>
std::string_view name_of(const std::array<std::string_view, N>& names, E v) {
  const auto i = static_cast<std::size_t>(v);
  return i < N ? names[i] : std::string_view{"?"};
}

template <class E, std::size_t N>
std::optional<E> parse(const std::array<std::string_view, N>& names, std::string_view name) {
  for (std::size_t i = 0; i < N; ++i) {
    if (names[i] == name) return static_cast<E>(i);
  }
  return std::nullopt;
}

}  // namespace

int enum_size(std::int8_t ext_type) {
  switch (ext_type) {
    case kExtCellStates:
      return kCellStateNames.size();
    case kExtClusterStates:
      return kClusterStateNames.size();
    case kExtErrorCodes:
      return kWireErrorCount;
    case kExtNodeStates:
      return kNodeStateNames.size();
    case kExtNodeTypes:
      return kNodeTypeNames.size();
  }
  return 0;
}

std::string_view to_string(CellState v) { return name_of(kCellStateNames, v); }
std::string_view to_string(ClusterState v) { return name_of(kClusterStateNames, v); }
std::string_view to_string(NodeState v) { return name_of(kNodeStateNames, v); }
std::string_view to_string(NodeType v) { return name_of(kNodeTypeNames, v); }

std::optional<CellState> parse_cell_state(std::string_view name) {
  return parse<CellState>(kCellStateNames, name);
}
std::optional<ClusterState> parse_cluster_state(std::string_view name) {
  return parse<ClusterState>(kClusterStateNames, name);
}
std::optional<NodeState> parse_node_state(std::string_view name) {
  return parse<NodeState>(kNodeStateNames, name);
}
std::optional<NodeType> parse_node_type(std::string_view name) {
  return parse<NodeType>(kNodeTypeNames, name);
}

}  // namespace neo::protocol
