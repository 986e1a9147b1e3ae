#include "nodes/master/handlers/administration_handler.hpp"

#include <algorithm>

namespace neo::master {

void AdministrationHandler::on(net::Peer& peer, const protocol::SetClusterState& p) {
  state_.set_cluster_state(peer, p.state);
}

void AdministrationHandler::on(net::Peer& peer, const protocol::SetNodeState& p) {
  state_.set_node_state(peer, p);
}

void AdministrationHandler::on(net::Peer& peer, const protocol::AddPendingNodes& p) {
  state_.add_pending_nodes(peer, p.nid_list);
}

void AdministrationHandler::on(net::Peer& peer, const protocol::TweakPartitionTable& p) {
  state_.tweak(peer, p);
}

void AdministrationHandler::on(net::Peer& peer, const protocol::SetNumReplicas& p) {
  if (!state_.check_pt_rpc(peer, "setNumReplicas")) return;
  if (p.num_replicas < 0 || p.num_replicas > 0xffffff)
    return peer.answer_error(errc::denied, "invalid number of replicas");
  state_.set_num_replicas(static_cast<std::uint32_t>(p.num_replicas));
  peer.answer_error(errc::ack, "");
}

void AdministrationHandler::on(net::Peer& peer, const protocol::Repair& p) {
  state_.repair(peer, p);
}

void AdministrationHandler::on(net::Peer& peer, const protocol::Truncate& p) {
  state_.truncate(peer, p.tid);
}

void AdministrationHandler::on(net::Peer& peer, const protocol::CheckReplicas& p) {
  state_.check_replicas(peer, p);
}

void AdministrationHandler::on(net::Peer& peer, const protocol::AskNodeList& p) {
  peer.answer(protocol::AnswerNodeList{state_.nodes().infos(
      [&](const node::Node& n) { return !p.node_type || n.type() == *p.node_type; })});
}

// The rows min_offset..max_offset, with only the cells of `nid` if given.
void AdministrationHandler::on(net::Peer& peer, const protocol::AskPartitionList& p) {
  const pt::MasterPartitionTable& pt = state_.pt();
  Result<protocol::RowList> rows = pt.row_list(p.min_offset, p.max_offset);
  if (!rows) return peer.answer_error(errc::protocol_error, "invalid partition table offset");
  if (p.nid)
    for (auto& row : *rows) std::erase_if(row, [&](auto& cell) { return cell.nid != *p.nid; });
  peer.answer(protocol::AnswerPartitionList{pt.ptid(), pt.num_replicas(), std::move(*rows)});
}

}  // namespace neo::master
