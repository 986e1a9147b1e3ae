// cli/neoctl/arguments.hpp
// Conversions of neoctl's command arguments, with the syntax NEO/py's
// neoctl accepts (Python's int(), uuid_int, asTID, enum names). Pure
// functions: no I/O. Each returns nullopt where upstream raises, the
// command then reports the argument as invalid.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "core/protocol/enums.hpp"
#include "core/util/ids.hpp"

namespace neo::neoctl {

// Python's int(text): optional blanks around, a sign, decimal digits with
// single underscores between them (leading zeros allowed). nullopt if not
// an integer or out of the int64 range.
std::optional<std::int64_t> parse_int(std::string_view text);

// A node id as printed ("S1", "M2", "C3", "A1"): the namespace of the
// first letter plus int() of the rest (so "S01" and "S 1" are S1, as
// upstream). nullopt for an unknown letter, a bad number, or a value that
// is not a 32-bit node id.
std::optional<NodeId> parse_node(std::string_view text);

// A TID: "tid:<int>" (prefix case insensitive; decimal, 0x, 0o, 0b) or a
// UNIX time as a float.
std::optional<Tid> parse_tid(std::string_view text);

// Enum names, case insensitive ("storage", "Running").
std::optional<protocol::NodeType> parse_node_type(std::string_view text);
std::optional<protocol::ClusterState> parse_cluster_state(std::string_view text);

}  // namespace neo::neoctl
