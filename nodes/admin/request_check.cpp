#include "nodes/admin/request_check.hpp"

#include <type_traits>

#include "core/net/peer.hpp"
#include "core/protocol/codec.hpp"

namespace neo::admin {

using namespace protocol;
using Refused = std::optional<RequestRefusal>;

namespace {

Refused denied(std::string message) { return RequestRefusal{errc::denied, std::move(message)}; }

// A node of the view, if it is a storage.
bool is_storage(const ClusterView& view, NodeId nid) {
  const node::Node* node = view.nodes().by_nid(nid);
  return node && node->type() == NodeType::Storage;
}

// Requests without a state-independent refusal.
template <class P>
Refused check(const ClusterView&, const P&) {
  return std::nullopt;
}

Refused check(const ClusterView&, const SetClusterState& p) {
  switch (p.state) {
    case ClusterState::Verifying:
    case ClusterState::StartingBackup:
    case ClusterState::StoppingBackup:
    case ClusterState::Stopping: return std::nullopt;
    default: return denied("Invalid state requested");
  }
}

Refused check(const ClusterView& view, const SetNodeState& p) {
  const node::Node* node = view.nodes().by_nid(p.nid);
  if (!node) return denied("unknown node");
  const bool allowed = (node->type() == NodeType::Master && p.state == NodeState::Down) ||
                       (node->type() == NodeType::Storage &&
                        (p.state == NodeState::Down || p.state == NodeState::Unknown));
  if (!allowed)
    return denied("can not switch node to " + std::string(to_string(p.state)) + " state");
  if (view.primary() == p.nid) return denied("can not kill primary master node");
  return std::nullopt;
}

Refused check(const ClusterView&, const SetNumReplicas& p) {
  if (p.num_replicas < 0 || p.num_replicas > 0xffffff) return denied("invalid number of replicas");
  return std::nullopt;
}

Refused check(const ClusterView& view, const Repair& p) {
  for (NodeId nid : p.nid_list)
    if (!is_storage(view, nid)) return denied("invalid storage node " + to_string(nid));
  return std::nullopt;
}

// Without a table yet, the offsets are the master's to check.
Refused check(const ClusterView& view, const CheckReplicas& p) {
  for (const auto& [offset, source] : p.partition_dict) {
    if (view.pt() && (offset < 0 || offset >= view.pt()->num_partitions()))
      return RequestRefusal{errc::protocol_error, "invalid partition table offset"};
    if (source && !is_storage(view, *source))
      return denied("invalid storage node " + to_string(*source));
  }
  return std::nullopt;
}

}  // namespace

Refused check_request(const Frame& frame, const ClusterView& view) {
  Refused refused;
  visit_packet_type(frame.code, [&]<class P>(std::type_identity<P>) {
    Result<P> packet = decode_args<P>(frame.args);
    if (!packet) {
      refused = RequestRefusal{errc::protocol_error, "malformed " + net::packet_name(frame.code)};
      return;
    }
    refused = check(view, *packet);
  });
  return refused;
}

}  // namespace neo::admin
