// nodes/admin/request_check.hpp
// The admin's check of the administration requests neoctl sends before
// they are relayed to the primary master (NeoctlHandler::forward): the
// arguments must decode (shape, enum values), and what the master would
// refuse whatever its state is refused here with its code and message
// (NEO/py neo/master/handlers/administration.py): an invalid cluster state,
// an unknown node or a state it cannot take, a node that is not a storage,
// a partition out of the table. What depends on the master's own state
// (workflow, pending nodes, transactions) is left to the master.
// Pure: no I/O, no logging. Use from the io_context's thread.
#pragma once

#include <optional>
#include <string>

#include "core/protocol/frame_reader.hpp"
#include "core/util/error.hpp"
#include "nodes/admin/cluster_view.hpp"

namespace neo::admin {

struct RequestRefusal {
  errc code;  // protocol_error: answered, then the neoctl link closed; denied: answered
  std::string message;
};

// Why `frame` (a request NeoctlHandler::is_forwarded) must not be relayed
// to the master, or nullopt if it may be.
std::optional<RequestRefusal> check_request(const protocol::Frame& frame, const ClusterView& view);

}  // namespace neo::admin
