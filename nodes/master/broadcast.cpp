// MasterState: what is sent to many nodes at once (NEO/py's
// broadcastNodesInformation, broadcastPartitionChanges, changeClusterState).
#include <spdlog/spdlog.h>

#include "nodes/master/master_state.hpp"

namespace neo::master {

using node::Node;

// Which changed nodes a node of type to.type() hears about (NEO/py's
// getNodeInformationGetter): admins are never announced; storages and
// admins hear about everyone else, clients about storages and masters,
// masters about masters.
std::vector<protocol::NodeInfo> MasterState::infos_for(
    const Node& to, const std::vector<protocol::NodeInfo>& changed) {
  std::vector<protocol::NodeInfo> out;
  for (const protocol::NodeInfo& info : changed) {
    if (info.node_type == NodeType::Admin) continue;
    bool wanted = false;
    switch (to.type()) {
      case NodeType::Admin:
      case NodeType::Storage: wanted = true; break;
      case NodeType::Client: wanted = info.node_type != NodeType::Client; break;
      case NodeType::Master: wanted = info.node_type == NodeType::Master; break;
    }
    if (wanted) out.push_back(info);
  }
  return out;
}

void MasterState::broadcast_nodes(const std::vector<Node*>& nodes) {
  std::vector<protocol::NodeInfo> infos;
  for (const Node* node : nodes) infos.push_back(node->info());
  broadcast_infos(infos);
}

void MasterState::broadcast_infos(const std::vector<protocol::NodeInfo>& infos) {
  if (infos.empty()) return;
  for (const protocol::NodeInfo& info : infos)
    SPDLOG_DEBUG("{} {} {}", protocol::to_string(info.node_type), to_string(info.nid),
                 protocol::to_string(info.state));
  const double now = nm_.next_timestamp();
  for (Node* node : identified()) {
    std::vector<protocol::NodeInfo> list = infos_for(*node, infos);
    if (!list.empty()) send_to(*node, protocol::NotifyNodeInformation{now, std::move(list)});
  }
}

void MasterState::send_node_information(net::Peer& peer, Node& node) {
  std::vector<protocol::NodeInfo> others;
  for (const Node* other : nm_.list())
    if (other != &node) others.push_back(other->info());
  std::vector<protocol::NodeInfo> list{node.info()};  // first: its id_timestamp
  for (protocol::NodeInfo& info : infos_for(node, others)) list.push_back(std::move(info));
  peer.notify(protocol::NotifyNodeInformation{nm_.next_timestamp(), std::move(list)});
}

void MasterState::broadcast_pt(const std::vector<protocol::CellChange>& cells,
                               std::optional<std::uint32_t> num_replicas) {
  if (num_replicas) {
    pt_.set_num_replicas(*num_replicas);
  } else if (cells.empty()) {
    return;
  }
  for (const protocol::CellChange& c : cells)
    SPDLOG_INFO("{}: partition {} -> {}", to_string(c.nid), c.offset, protocol::to_string(c.state));
  if (backup_) backup_->cells_changed(cells);
  const protocol::NotifyPartitionChanges packet{pt_.next_ptid(), pt_.num_replicas(), cells};
  log_pt();
  for (Node* node : identified())
    if (node->type() != NodeType::Master) send_to(*node, packet);
}

void MasterState::notify_admins_pt() {
  const protocol::SendPartitionTable packet{pt_.ptid(), pt_.num_replicas(), pt_.row_list()};
  for (Node* node : identified(NodeType::Admin)) send_to(*node, packet);
}

void MasterState::change_cluster_state(ClusterState state,
                                       const std::function<void(Node&)>& switch_storage) {
  if (cluster_state_ == state) return;
  SPDLOG_INFO("cluster state: {} -> {}",
              cluster_state_ ? protocol::to_string(*cluster_state_) : "None",
              protocol::to_string(state));
  const protocol::NotifyClusterInformation packet{state};
  for (Node* node : identified()) {
    send_to(*node, packet);
    if (node->type() == NodeType::Storage && switch_storage) switch_storage(*node);
  }
  cluster_state_ = state;
}

}  // namespace neo::master
