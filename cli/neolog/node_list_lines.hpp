// The " ! " lines upstream neolog always prints under a NotifyNodeInformation
// packet: one line per node, sorted by node id (nodes without one last, by
// address), columns "nid | type | address | state | id_timestamp" padded to
// the widest value, the timestamp as a UTC date. No I/O.
#pragma once

#include <string>
#include <vector>

#include "core/protocol/value.hpp"

namespace neo::neolog {

// Appends the lines for `node_list` (the second argument of the packet) to
// `lines`; false (and nothing appended) if it does not have the expected
// shape: an array of [type, address, nid, state, id_timestamp] arrays.
bool append_node_list_lines(const protocol::Value& node_list, std::vector<std::string>& lines);

}  // namespace neo::neolog
