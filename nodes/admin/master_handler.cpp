#include "nodes/admin/master_handler.hpp"

#include <spdlog/spdlog.h>

#include "core/log/log.hpp"

namespace neo::admin {

using namespace protocol;

void MasterHandler::on_packet(net::Peer& peer, const Frame& frame) {
  switch (frame.code) {
    case Ping::kCode:
      return peer.answer(Pong{});
    case Pong::kCode:
      return;
    case FlushLog::kCode:  // relayed by the master to every node
      log::flush();
      return;
    case NotifyNodeInformation::kCode:
      return handle<NotifyNodeInformation>(peer, frame);
    case SendPartitionTable::kCode:
      return handle<SendPartitionTable>(peer, frame);
    case NotifyPartitionChanges::kCode:
      return handle<NotifyPartitionChanges>(peer, frame);
    case NotifyClusterInformation::kCode:
      return handle<NotifyClusterInformation>(peer, frame);
    case NotifyUpstreamAdmin::kCode:
      return handle<NotifyUpstreamAdmin>(peer, frame);
    case Error::kCode: {
      Result<Error> error = decode_args<Error>(frame.args);
      SPDLOG_WARN("{}: Error packet: {}", peer.describe(), error ? error->message : "malformed");
      return;
    }
    default:
      peer.reject_unexpected(frame);
  }
}

void MasterHandler::on_closed(net::Peer& peer, std::error_code reason) {
  SPDLOG_ERROR("{}: connection to the primary master lost ({})", peer.describe(), reason.message());
  if (on_lost_) on_lost_(reason);
}

template <class P>
void MasterHandler::handle(net::Peer& peer, const Frame& frame) {
  Result<P> packet = decode_args<P>(frame.args);
  std::error_code ec = packet ? on(peer, *packet) : packet.error();
  if (!ec) return;
  const std::string message = "invalid " + std::string(P::kName) + ": " + ec.message();
  SPDLOG_ERROR("{}: {}", peer.describe(), message);
  peer.answer_error(errc::protocol_error, message);
  peer.abort(make_error_code(errc::protocol_error));
}

std::error_code MasterHandler::on(net::Peer&, const NotifyNodeInformation& packet) {
  std::vector<NodeChange> changes;
  std::error_code ec = core_.view().apply(packet, &changes);
  for (const NodeChange& change : changes) {
    SPDLOG_INFO("{} {} -> {}", change.node,
                change.before ? std::string(to_string(*change.before)) : std::string("new"),
                to_string(change.after));
  }
  return ec;
}

std::error_code MasterHandler::on(net::Peer&, const SendPartitionTable& packet) {
  if (std::error_code ec = core_.view().apply(packet)) return ec;
  const auto& table = *core_.view().pt();
  SPDLOG_INFO("partition table loaded: ptid {}, {} partitions, {} replicas",
              packet.ptid ? std::to_string(*packet.ptid) : "None", table.num_partitions(),
              table.num_replicas());
  for (const std::string& line :
       table.format([this](NodeId nid) { return core_.view().state_of(nid); }, "pt: "))
    SPDLOG_DEBUG("{}", line);
  return {};
}

std::error_code MasterHandler::on(net::Peer&, const NotifyPartitionChanges& packet) {
  if (std::error_code ec = core_.view().apply(packet)) return ec;
  for (const CellChange& change : packet.cell_list) {
    SPDLOG_INFO("partition {}: {} {}", change.offset, to_string(change.nid),
                to_string(change.state));
  }
  return {};
}

std::error_code MasterHandler::on(net::Peer&, const NotifyClusterInformation& packet) {
  const auto before = core_.view().cluster_state();
  if (before != packet.state) {
    SPDLOG_INFO("cluster state {} -> {}",
                before ? std::string(to_string(*before)) : std::string("None"),
                to_string(packet.state));
  }
  core_.view().set_cluster_state(packet.state);
  return {};
}

std::error_code MasterHandler::on(net::Peer& peer, const NotifyUpstreamAdmin& packet) {
  SPDLOG_WARN("{}: upstream admin reporting not implemented (NotifyUpstreamAdmin ignored)",
              peer.describe());
  return {};
}

}  // namespace neo::admin
