// nodes/admin/cluster_view.hpp
// What the admin node knows of its cluster, as the primary master tells it:
// the nodes (NotifyNodeInformation), the partition table (SendPartitionTable,
// NotifyPartitionChanges), the cluster state (NotifyClusterInformation,
// AnswerClusterState) and the primary master's id. neoctl's questions are
// answered from it. Owned by AdminApp; pure data (no I/O, no logging);
// use from the io_context's thread.
#pragma once

#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include "core/node/node_manager.hpp"
#include "core/protocol/packets.hpp"
#include "core/pt/partition_table.hpp"
#include "core/util/error.hpp"
#include "core/util/ids.hpp"

namespace neo::admin {

// One node state change seen in a NotifyNodeInformation, for the log.
struct NodeChange {
  std::string node;                           // "S2", or the address for a node without id
  std::optional<protocol::NodeState> before;  // nullopt: new node
  protocol::NodeState after;
};

class ClusterView {
 public:
  ClusterView() = default;

  node::NodeManager& nodes() { return nodes_; }
  const node::NodeManager& nodes() const { return nodes_; }
  // The table, once the master sent one (kept across master changes, as
  // NEO/py does, until the next SendPartitionTable).
  const std::optional<pt::PartitionTable>& pt() const { return pt_; }
  std::optional<protocol::ClusterState> cluster_state() const { return cluster_state_; }
  std::optional<NodeId> primary() const { return primary_; }
  std::optional<NodeId> own_nid() const { return own_nid_; }

  // Identified to a (new) primary master: forget the nodes and the state,
  // the next NotifyNodeInformation is a full list.
  void on_identified(std::optional<NodeId> primary, std::optional<NodeId> own_nid);
  // The master connection was lost.
  void on_master_lost();

  void set_cluster_state(std::optional<protocol::ClusterState> state) { cluster_state_ = state; }
  // errc::protocol_error on an inconsistent notification; `changes` gets
  // the state changes to log.
  std::error_code apply(const protocol::NotifyNodeInformation& packet,
                        std::vector<NodeChange>* changes = nullptr);
  std::error_code apply(const protocol::SendPartitionTable& packet);
  std::error_code apply(const protocol::NotifyPartitionChanges& packet);

  // The node list of AnswerNodeList, optionally of one type.
  std::vector<protocol::NodeInfo> node_list(std::optional<protocol::NodeType> type) const;
  // AnswerPartitionList for rows min <= i < max (max 0: all);
  // errc::not_ready without table, errc::protocol_error for a bad range.
  Result<protocol::AnswerPartitionList> partition_list(std::int64_t min_offset,
                                                       std::int64_t max_offset) const;
  // State of a node for the partition table (Unknown if not known).
  protocol::NodeState state_of(NodeId nid) const { return nodes_.state_of(nid); }

 private:
  node::NodeManager nodes_;
  std::optional<pt::PartitionTable> pt_;
  std::optional<protocol::ClusterState> cluster_state_;
  std::optional<NodeId> primary_;
  std::optional<NodeId> own_nid_;
  bool full_pending_ = true;  // next NotifyNodeInformation lists every node
};

}  // namespace neo::admin
