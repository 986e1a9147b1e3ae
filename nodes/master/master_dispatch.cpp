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
    case NodeType::Client: return on_client_request(peer, *node, frame);
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
      peer.answer(protocol::AnswerLastIDs{tm_.last_tid(), tm_.last_oid(), tm_.first_tid()});
      return true;
    case protocol::AskLastTransaction::kCode:
      peer.answer(protocol::AnswerLastTransaction{tm_.last_transaction()});
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
        if (phase_ == Phase::Running) update_completed_pack_id();
      });
    case protocol::AskPackOrders::kCode:
      if (!running) break;
      return decoded<protocol::AskPackOrders>(peer, frame, [&](auto& p) {
        peer.answer(protocol::AnswerPackOrders{pm_.dump(p.pack_id, true)});
      });
    case protocol::NotifyReady::kCode:
      if (!running) break;
      return set_storage_ready(nid);
    case protocol::AskUnfinishedTransactions::kCode:
      if (!running) break;
      return decoded<protocol::AskUnfinishedTransactions>(peer, frame, [&](auto& p) {
        peer.answer(protocol::AnswerUnfinishedTransactions{tm_.last_transaction(),
                                                           tm_.register_for_notification(nid)});
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

// Clients in RUNNING (NEO/py's ClientServiceHandler, and
// ClientReadOnlyServiceHandler for clients identified with read_only).
void Master::on_client_request(net::Peer& peer, Node& node, const protocol::Frame& frame) {
  const NodeId nid = *node.nid();
  const std::uint32_t msg_id = frame.msg_id;
  if (read_only_.count(node.key())) {
    switch (frame.code) {
      case protocol::AskBeginTransaction::kCode:
      case protocol::AskNewOIDs::kCode:
      case protocol::AskFinishTransaction::kCode:
      case protocol::AskFinalTID::kCode:
      case protocol::AbortTransaction::kCode:
      case protocol::FailedVote::kCode:
        return peer.answer_error(errc::read_only_access,
                                 "read-only access as requested by the client");
      default: break;
    }
  }
  switch (frame.code) {
    case protocol::AskBeginTransaction::kCode:
      return decoded<protocol::AskBeginTransaction>(peer, frame, [&](auto& p) {
        delay_or_run(peer, [this, nid, msg_id, p](net::Peer& to) { return on_begin(to, nid, msg_id, p); });
      });
    case protocol::AskNewOIDs::kCode:
      return decoded<protocol::AskNewOIDs>(peer, frame, [&](auto& p) {
        if (p.num_oids < 0 || p.num_oids > 1000000) {
          peer.answer_error(errc::protocol_error, "invalid number of oids");
          return peer.abort(errc::protocol_error);
        }
        peer.answer(protocol::AnswerNewOIDs{tm_.new_oids(static_cast<std::uint32_t>(p.num_oids))});
      });
    case protocol::FailedVote::kCode:
      return decoded<protocol::FailedVote>(peer, frame, [&](auto& p) {
        delay_or_run(peer, [this, msg_id, p](net::Peer& to) { return on_failed_vote(to, msg_id, p); });
      });
    case protocol::AskFinishTransaction::kCode:
      return decoded<protocol::AskFinishTransaction>(
          peer, frame, [&](auto& p) { on_finish(peer, nid, msg_id, p); });
    case protocol::AskFinalTID::kCode:
      return decoded<protocol::AskFinalTID>(
          peer, frame, [&](auto& p) { on_final_tid(peer, nid, msg_id, p.ttid); });
    case protocol::AbortTransaction::kCode:
      return decoded<protocol::AbortTransaction>(peer, frame,
                                                 [&](auto& p) { on_abort(peer, nid, p); });
    case protocol::AskPackOrders::kCode:
      return decoded<protocol::AskPackOrders>(peer, frame, [&](auto& p) {
        peer.answer(protocol::AnswerPackOrders{pm_.dump(p.pack_id, false)});
      });
    case protocol::WaitForPack::kCode:
      return decoded<protocol::WaitForPack>(
          peer, frame, [&](auto& p) { on_wait_for_pack(peer, msg_id, p.tid); });
    default: peer.reject_unexpected(frame);
  }
}

}  // namespace neo::master
