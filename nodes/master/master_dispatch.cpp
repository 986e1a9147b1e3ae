// Master: which packets each kind of peer may send, decoded and handed to
// the matching method (NEO/py's handler classes per peer type and state).
#include <spdlog/spdlog.h>

#include "nodes/master/master.hpp"

namespace neo::master {

using node::Node;

template <class P, class F>
void Master::decoded(net::Peer& peer, const protocol::Frame& frame, F&& f) {
  Result<P> packet = protocol::decode_args<P>(frame.args);
  if (!packet) {
    SPDLOG_ERROR("{}: malformed {}: {}", peer.describe(), net::packet_name(frame.code),
                 packet.error().message());
    peer.answer_error(errc::protocol_error, "malformed " + net::packet_name(frame.code));
    peer.abort(errc::malformed_packet);
    return;
  }
  f(*packet);
}

void Master::on_packet(net::Peer& peer, const protocol::Frame& frame) {
  if (on_master_packet(peer, frame)) return;
  if (role_ == Role::Secondary) {
    if (frame.code != protocol::RequestIdentification::kCode) return peer.reject_unexpected(frame);
    return decoded<protocol::RequestIdentification>(
        peer, frame, [&](auto& p) { secondary_identify(peer, p); });
  }
  auto it = node_of_peer_.find(&peer);
  Node* node = it == node_of_peer_.end() ? nullptr : node_by_key(it->second);
  if (!node) return dispatch_unidentified(peer, frame);
  if (dispatch_common(peer, frame)) return;
  switch (node->type()) {
    case NodeType::Storage: return dispatch_storage(peer, *node, frame);
    case NodeType::Admin: return dispatch_admin(peer, frame);
    case NodeType::Client: return dispatch_client(peer, frame);
    case NodeType::Master: return peer.reject_unexpected(frame);
  }
}

void Master::dispatch_unidentified(net::Peer& peer, const protocol::Frame& frame) {
  switch (frame.code) {
    case protocol::RequestIdentification::kCode:
      return decoded<protocol::RequestIdentification>(
          peer, frame, [&](protocol::RequestIdentification& p) { identify(peer, std::move(p)); });
    case protocol::Ping::kCode: return peer.answer(protocol::Pong{});
    default: return peer.reject_unexpected(frame);
  }
}

// Packets any identified node may send (NEO/py's MasterHandler).
bool Master::dispatch_common(net::Peer& peer, const protocol::Frame& frame) {
  switch (frame.code) {
    case protocol::Ping::kCode: peer.answer(protocol::Pong{}); return true;
    case protocol::Pong::kCode: return true;
    case protocol::AskClusterState::kCode:
      peer.answer(protocol::AnswerClusterState{cluster_state_});
      return true;
    case protocol::AskRecovery::kCode:
      peer.answer(protocol::AnswerRecovery{pt_.ptid(), std::nullopt, std::nullopt});
      return true;
    case protocol::AskLastIDs::kCode:
      peer.answer(protocol::AnswerLastIDs{last_transaction_, last_oid_, first_tid_});
      return true;
    case protocol::AskLastTransaction::kCode:
      peer.answer(protocol::AnswerLastTransaction{last_transaction_});
      return true;
    case protocol::AskPrimary::kCode:
      peer.answer(protocol::AnswerPrimary{nid_});
      return true;
    case protocol::FlushLog::kCode: on_flush_log(peer); return true;
    default: return false;
  }
}

void Master::dispatch_storage(net::Peer& peer, Node& node, const protocol::Frame& frame) {
  const NodeId nid = *node.nid();
  const bool running = phase_ == Phase::Running;
  switch (frame.code) {
    case protocol::NotifyPackCompleted::kCode:
      if (phase_ == Phase::Recovery) break;
      return decoded<protocol::NotifyPackCompleted>(peer, frame, [&](auto& p) {
        completed_pack_[nid] = p.pack_id;
      });
    case protocol::AskPackOrders::kCode:
      if (!running) break;
      return peer.answer(protocol::AnswerPackOrders{});
    case protocol::NotifyReady::kCode:
      if (!running) break;
      SPDLOG_INFO("{}: ready", to_string(nid));
      starting_.erase(nid);
      ready_.insert(nid);
      return;
    case protocol::AskUnfinishedTransactions::kCode:
      if (!running) break;
      return decoded<protocol::AskUnfinishedTransactions>(peer, frame, [&](auto& p) {
        peer.answer(protocol::AnswerUnfinishedTransactions{last_transaction_, {}});
        pt_.mark_updatable(nid, p.offset_list);
      });
    case protocol::NotifyReplicationDone::kCode:
      if (!running) break;
      return decoded<protocol::NotifyReplicationDone>(peer, frame, [&](auto& p) {
        if (p.offset < 0 || p.offset >= pt_.num_partitions()) {
          peer.answer_error(errc::protocol_error, "invalid partition");
          return peer.abort(errc::protocol_error);
        }
        pt::Changes changes = pt_.set_up_to_date(nid, static_cast<std::uint32_t>(p.offset));
        if (!changes.ok()) {
          peer.answer_error(errc::protocol_error, *changes.refused);
          return peer.abort(errc::protocol_error);
        }
        if (changes.cells.empty()) {
          SPDLOG_INFO("ignored late notification that {} has replicated partition {} up to {}",
                      to_string(nid), p.offset, to_string(p.tid));
          return;
        }
        SPDLOG_INFO("{} is up for partition {} (tid={})", to_string(nid), p.offset,
                    to_string(p.tid));
        broadcast_pt(changes.cells);
      });
    case protocol::NotifyPartitionCorrupted::kCode:
      if (!running) break;
      return decoded<protocol::NotifyPartitionCorrupted>(peer, frame, [&](auto& p) {
        std::string cells;
        for (NodeId c : p.nid_list) cells += (cells.empty() ? "" : ", ") + to_string(c);
        SPDLOG_ERROR("Partition {} corrupted in: {}", p.partition, cells);
      });
    default: break;
  }
  peer.reject_unexpected(frame);
}

void Master::dispatch_admin(net::Peer& peer, const protocol::Frame& frame) {
  switch (frame.code) {
    case protocol::SetClusterState::kCode:
      return decoded<protocol::SetClusterState>(
          peer, frame, [&](auto& p) { on_set_cluster_state(peer, p); });
    case protocol::SetNodeState::kCode:
      return decoded<protocol::SetNodeState>(peer, frame,
                                             [&](auto& p) { on_set_node_state(peer, p); });
    case protocol::AddPendingNodes::kCode:
      return decoded<protocol::AddPendingNodes>(peer, frame,
                                                [&](auto& p) { on_add_pending_nodes(peer, p); });
    case protocol::TweakPartitionTable::kCode:
      return decoded<protocol::TweakPartitionTable>(peer, frame,
                                                    [&](auto& p) { on_tweak(peer, p); });
    case protocol::SetNumReplicas::kCode:
      return decoded<protocol::SetNumReplicas>(peer, frame,
                                               [&](auto& p) { on_set_num_replicas(peer, p); });
    case protocol::Repair::kCode:
      return decoded<protocol::Repair>(peer, frame, [&](auto& p) { on_repair(peer, p); });
    case protocol::Truncate::kCode:
      if (!check_pt_rpc(peer, "truncate")) return;
      return peer.answer_error(errc::denied, "truncate is not supported by this master yet");
    case protocol::CheckReplicas::kCode:
      return peer.answer_error(errc::denied,
                               "checking replicas is not supported by this master yet");
    case protocol::AskNodeList::kCode:
      return decoded<protocol::AskNodeList>(peer, frame, [&](auto& p) {
        peer.answer(protocol::AnswerNodeList{nm_.infos([&](const Node& n) {
          return !p.node_type || n.type() == *p.node_type;
        })});
      });
    case protocol::AskPartitionList::kCode:
      return decoded<protocol::AskPartitionList>(peer, frame, [&](auto& p) {
        Result<protocol::RowList> rows = pt_.row_list(p.min_offset, p.max_offset);
        if (!rows) return peer.answer_error(errc::protocol_error, "invalid partition table offset");
        if (p.nid)
          for (auto& row : *rows) std::erase_if(row, [&](auto& cell) { return cell.nid != *p.nid; });
        peer.answer(protocol::AnswerPartitionList{pt_.ptid(), pt_.num_replicas(), std::move(*rows)});
      });
    default: peer.reject_unexpected(frame);
  }
}

// Transactions are not handled by this master yet: requests get a clear
// error, notifications are logged and ignored.
void Master::dispatch_client(net::Peer& peer, const protocol::Frame& frame) {
  const protocol::PacketInfo* info = protocol::find_packet(frame.code);
  if (info && info->kind == protocol::PacketKind::Request) {
    SPDLOG_WARN("{}: {} refused: transactions are not supported by this master yet",
                peer.describe(), info->name);
    return peer.answer_error(errc::backend_not_implemented,
                             std::string(info->name) + ": transactions are not supported by "
                             "this master yet");
  }
  if (info && info->kind == protocol::PacketKind::Notification) {
    SPDLOG_WARN("{}: {} ignored: transactions are not supported by this master yet",
                peer.describe(), info->name);
    return;
  }
  peer.reject_unexpected(frame);
}

}  // namespace neo::master
