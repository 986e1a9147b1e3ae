#include "nodes/admin/cluster_view.hpp"

#include "core/net/address.hpp"

namespace neo::admin {

using protocol::NodeState;

void ClusterView::on_identified(std::optional<NodeId> primary, std::optional<NodeId> own_nid) {
  primary_ = primary;
  own_nid_ = own_nid;
  full_pending_ = true;
  cluster_state_.reset();
}

void ClusterView::on_master_lost() {
  primary_.reset();
  cluster_state_.reset();
  full_pending_ = true;
}

std::error_code ClusterView::apply(const protocol::NotifyNodeInformation& packet,
                                   std::vector<NodeChange>* changes) {
  std::vector<std::optional<NodeState>> before;
  if (changes) {
    for (const protocol::NodeInfo& info : packet.node_list) {
      const node::Node* known = info.nid       ? nodes_.by_nid(*info.nid)
                                : info.address ? nodes_.by_address(*info.address)
                                               : nullptr;
      before.push_back(known ? std::optional(known->state()) : std::nullopt);
    }
  }
  node::NodeManager::ApplyOptions options{.own_nid = own_nid_, .full = full_pending_};
  options.forget_storage = [this](NodeId nid) { return !pt_ || pt_->drop_node(nid); };
  Result<node::NodeManager::Applied> applied =
      nodes_.apply(packet.timestamp, packet.node_list, options);
  if (!applied) return applied.error();
  full_pending_ = false;
  for (const protocol::NodeInfo& removed : applied->removed) {
    if (pt_ && removed.nid && removed.node_type == protocol::NodeType::Storage)
      pt_->drop_node(*removed.nid);
  }
  if (changes) {
    for (std::size_t i = 0; i < packet.node_list.size(); ++i) {
      const protocol::NodeInfo& info = packet.node_list[i];
      if (before[i] == info.state) continue;
      std::string name = info.nid ? to_string(*info.nid) : node::format_address(info.address);
      changes->push_back(NodeChange{std::move(name), before[i], info.state});
    }
  }
  return {};
}

std::error_code ClusterView::apply(const protocol::SendPartitionTable& packet) {
  pt::PartitionTable table;
  if (std::error_code ec = table.load(packet.ptid, packet.num_replicas, packet.row_list)) return ec;
  pt_ = std::move(table);
  return {};
}

std::error_code ClusterView::apply(const protocol::NotifyPartitionChanges& packet) {
  if (!pt_) return make_error_code(errc::protocol_error);
  return pt_->apply(packet.ptid, packet.num_replicas, packet.cell_list,
                    pt::PartitionTable::PtidRule::Greater);
}

std::vector<protocol::NodeInfo> ClusterView::node_list(
    std::optional<protocol::NodeType> type) const {
  if (!type) return nodes_.infos();
  return nodes_.infos([&](const node::Node& node) { return node.type() == *type; });
}

Result<protocol::AnswerPartitionList> ClusterView::partition_list(std::int64_t min_offset,
                                                                  std::int64_t max_offset) const {
  if (!pt_) return errc::not_ready;
  Result<protocol::RowList> rows = pt_->row_list(min_offset, max_offset);
  if (!rows) return rows.error();
  return protocol::AnswerPartitionList{
      .ptid = pt_->ptid(), .num_replicas = pt_->num_replicas(), .row_list = std::move(*rows)};
}

}  // namespace neo::admin
