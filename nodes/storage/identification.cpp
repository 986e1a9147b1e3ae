// StorageState::identify: NEO/py's storage IdentificationHandler rules
// (spec/flows.md 1.2) for nodes connecting to a storage.
#include <spdlog/spdlog.h>

#include "nodes/storage/storage_state.hpp"

namespace neo::storage {

using protocol::NodeType;
using Kind = StorageState::Identification::Kind;

namespace {
StorageState::Identification reject(errc code, std::string message) {
  return {.kind = Kind::Reject, .code = code, .message = std::move(message)};
}
}  // namespace

StorageState::Identification StorageState::identify(
    const protocol::RequestIdentification& request) const {
  // NEO/py also logs 'reject an alien cluster': the refusal is logged by the caller.
  if (request.name != config_.cluster) return reject(errc::protocol_error, "invalid cluster name");
  if (!operational_) return reject(errc::not_ready, "Retry Later");
  if (!request.nid) {
    if (request.node_type != NodeType::Storage)
      return reject(errc::protocol_error, "reject anonymous non-storage node");
    return {.kind = Kind::Accept,
            .peer = NodeType::Storage,
            .answer = {.node_type = NodeType::Storage, .nid = {}, .your_nid = {}}};
  }
  if (request.nid == nid_)
    return reject(errc::protocol_error, "uuid conflict or loopback connection");
  const auto check = request.id_timestamp
                         ? nm_.check_identification(*request.nid, *request.id_timestamp)
                         : node::NodeManager::Check::Unknown;
  if (check == node::NodeManager::Check::Later) return {.kind = Kind::Delay};
  if (check == node::NodeManager::Check::Unknown)
    return reject(errc::not_ready, "unknown by master");
  if (request.node_type != NodeType::Client && request.node_type != NodeType::Storage)
    return reject(errc::protocol_error, "reject non-client-or-storage node");
  // The master's id of a node of another type (impersonation).
  if (node_type_of(*request.nid) != static_cast<int>(request.node_type))
    return reject(errc::protocol_error, "invalid node id " + to_string(*request.nid) + " for a " +
                                            std::string(protocol::to_string(request.node_type)));
  return {.kind = Kind::Accept,
          .peer = request.node_type,
          .answer = {.node_type = NodeType::Storage, .nid = nid_, .your_nid = request.nid}};
}

}  // namespace neo::storage
