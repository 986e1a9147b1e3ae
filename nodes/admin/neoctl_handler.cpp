#include "nodes/admin/neoctl_handler.hpp"

#include <spdlog/spdlog.h>

#include "core/log/log.hpp"
#include "core/net/connection.hpp"
#include "core/net/dispatch.hpp"
#include "nodes/admin/request_check.hpp"

namespace neo::admin {

using namespace protocol;

// Error PROTOCOL_ERROR or NOT_READY as an answer, then close (NEO/py's
// dispatch does so for ProtocolError and NotReadyError).
void NeoctlHandler::refuse(net::Peer& peer, errc code, std::string_view message) {
  std::string more;
  if (refused_log_.allow(more))
    SPDLOG_WARN("{}: {} {} (msg id {}){}", peer.describe(), errc_name(code), message, peer.msg_id(),
                more);
  peer.answer_error(code, message);
  peer.abort(make_error_code(code));
}

bool NeoctlHandler::is_forwarded(std::uint16_t code) {
  switch (code) {
    case AddPendingNodes::kCode:
    case AskLastIDs::kCode:
    case AskLastTransaction::kCode:
    case AskRecovery::kCode:
    case CheckReplicas::kCode:
    case Repair::kCode:
    case SetClusterState::kCode:
    case SetNodeState::kCode:
    case SetNumReplicas::kCode:
    case Truncate::kCode:
    case TweakPartitionTable::kCode: return true;
    default: return false;
  }
}

void NeoctlHandler::on_packet(net::Peer& peer, const Frame& frame) {
  if (is_forwarded(frame.code)) return forward(peer, frame);
  net::dispatch(*this, peer, frame);
}

void NeoctlHandler::on_closed(net::Peer& peer, std::error_code reason) {
  SPDLOG_DEBUG("{}: closed ({})", peer.describe(), reason.message());
}

bool NeoctlHandler::refused_without_master(net::Peer& peer) {
  if (core_.master()) return false;
  refuse(peer, errc::not_ready, kNotConnectedMessage);
  return true;
}

void NeoctlHandler::on(net::Peer& peer, const Ping&) { peer.answer(Pong{}); }

void NeoctlHandler::on(net::Peer&, const Pong&) {}

void NeoctlHandler::forward(net::Peer& peer, const Frame& frame) {
  const PacketInfo* info = find_packet(frame.code);
  if (!core_.master()) return refuse(peer, errc::not_ready, kNotConnectedMessage);
  if (std::optional<RequestRefusal> refusal = check_request(frame, core_.view())) {
    if (refusal->code == errc::protocol_error) return refuse(peer, refusal->code, refusal->message);
    std::string more;
    if (refused_log_.allow(more))
      SPDLOG_WARN("{}: {} refused: {}{}", peer.describe(), info->name, refusal->message, more);
    return peer.answer_error(refusal->code, refusal->message);
  }
  if (std::string more; requests_log_.allow(more))
    SPDLOG_INFO("{}: forwarding {} to the primary master{}", peer.describe(), info->name, more);
  core_.master()->ask_raw(
      frame.code, info->answer, frame.args,
      [neoctl = peer.weak_from_this(), msg_id = frame.msg_id](Result<Frame> answer) {
        std::shared_ptr<net::Peer> alive = neoctl.lock();
        if (!alive || alive->closed()) return;
        if (!answer) {  // the master connection is gone (NEO/py's cancelRequests)
          alive->answer_error(msg_id, errc::protocol_error, "connection to master lost");
          alive->abort(make_error_code(errc::protocol_error));
          return;
        }
        alive->send_raw(msg_id, answer->code, answer->args);
        if (answer->code != Error::kCode) return;
        Result<Error> error = decode_args<Error>(answer->args);
        if (error && error->code == static_cast<std::int64_t>(errc::protocol_error))
          alive->abort(make_error_code(errc::protocol_error));
      });
}

void NeoctlHandler::on(net::Peer& peer, const AskPartitionList& ask) {
  if (refused_without_master(peer)) return;
  if (std::string more; requests_log_.allow(more))
    SPDLOG_INFO("ask partition list from {} to {} for {}{}", ask.min_offset, ask.max_offset,
                to_string(ask.nid), more);
  Result<AnswerPartitionList> answer = core_.view().partition_list(ask.min_offset, ask.max_offset);
  if (answer) return peer.answer(*answer);
  if (answer.error() == errc::not_ready) return refuse(peer, errc::not_ready, "Retry Later");
  // NEO/py sends this Error as a new packet, not as the answer.
  peer.notify(Error{.code = static_cast<std::int64_t>(errc::protocol_error),
                    .message = "invalid partition table offset"});
}

void NeoctlHandler::on(net::Peer& peer, const AskNodeList& ask) {
  if (refused_without_master(peer)) return;
  if (std::string more; requests_log_.allow(more))
    SPDLOG_INFO("ask list of {} nodes{}",
                ask.node_type ? std::string(to_string(*ask.node_type)) : std::string("all"), more);
  peer.answer(AnswerNodeList{.node_list = core_.view().node_list(ask.node_type)});
}

void NeoctlHandler::on(net::Peer& peer, const AskClusterState&) {
  if (refused_without_master(peer)) return;
  peer.answer(AnswerClusterState{.state = core_.view().cluster_state()});
}

void NeoctlHandler::on(net::Peer& peer, const AskPrimary&) {
  if (refused_without_master(peer)) return;
  peer.answer(AnswerPrimary{.primary_nid = core_.view().primary().value_or(NodeId{})});
}

void NeoctlHandler::on(net::Peer& peer, const AskMonitorInformation&) {
  if (refused_without_master(peer)) return;
  core_.ask_monitor_information(peer);
}

void NeoctlHandler::on(net::Peer& peer, const FlushLog&) {
  if (refused_without_master(peer)) return;
  core_.master()->notify(FlushLog{});
  log::flush();
}

void NeoctlHandler::on(net::Peer& peer, const RequestIdentification& request) {
  if (refused_without_master(peer)) return;
  if (request.node_type != NodeType::Admin)
    return refuse(peer, errc::protocol_error, "reject non-admin node");
  if (!core_.is_backup(request.name))
    return refuse(peer, errc::protocol_error,
                  "unknown backup cluster " + python_repr(request.name));
  if (!core_.attach_backup(request.name))
    return refuse(peer, errc::protocol_error, "already connected");
  SPDLOG_INFO("{}: admin of backup cluster {} connected", peer.describe(), request.name);
  if (auto* connection = dynamic_cast<net::Connection*>(&peer))
    connection->set_handler(std::make_shared<BackupHandler>(core_, request.name));
  peer.answer(AcceptIdentification{.node_type = NodeType::Admin});
}

void BackupHandler::on_packet(net::Peer& peer, const Frame& frame) {
  net::dispatch(*this, peer, frame);
}

void BackupHandler::on(net::Peer& peer, const Ping&) { peer.answer(Pong{}); }

void BackupHandler::on(net::Peer& peer, const NotifyMonitorInformation&) {
  SPDLOG_INFO("{}: monitoring report of backup cluster {} (not used yet)", peer.describe(), name_);
}

void BackupHandler::on_closed(net::Peer& peer, std::error_code reason) {
  SPDLOG_INFO("{}: admin of backup cluster {} disconnected ({})", peer.describe(), name_,
              reason.message());
  core_.detach_backup(name_);
}

std::string python_repr(const std::string& text) {
  const bool double_quotes =
      text.find('\'') != std::string::npos && text.find('"') == std::string::npos;
  const char quote = double_quotes ? '"' : '\'';
  std::string out(1, quote);
  for (unsigned char c : text) {
    if (c == '\\' || c == static_cast<unsigned char>(quote)) {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c == 0x7f) {
      static const char* digits = "0123456789abcdef";
      out += "\\x";
      out += digits[c >> 4];
      out += digits[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + quote;
}

}  // namespace neo::admin
