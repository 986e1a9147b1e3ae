#include "nodes/admin/master_handler.hpp"

#include <spdlog/spdlog.h>

#include "core/log/log.hpp"
#include "core/net/dispatch.hpp"

namespace neo::admin {

using namespace protocol;

void MasterHandler::on_packet(net::Peer& peer, const Frame& frame) {
  net::dispatch(*this, peer, frame);
}

void MasterHandler::on(net::Peer& peer, const Ping&) { peer.answer(Pong{}); }

void MasterHandler::on(net::Peer&, const Pong&) {}

void MasterHandler::on(net::Peer&, const FlushLog&) { log::flush(); }  // relayed to every node

void MasterHandler::on_closed(net::Peer& peer, std::error_code reason) {
  SPDLOG_ERROR("{}: connection to the primary master lost ({})", peer.describe(), reason.message());
  if (on_lost_) on_lost_(reason);
}

void MasterHandler::refuse_invalid(net::Peer& peer, std::string_view packet, std::error_code ec) {
  if (!ec) return;
  const std::string message = "invalid " + std::string(packet) + ": " + ec.message();
  SPDLOG_ERROR("{}: {}", peer.describe(), message);
  peer.answer_error(errc::protocol_error, message);
  peer.abort(make_error_code(errc::protocol_error));
}

std::error_code MasterHandler::apply(net::Peer&, const NotifyNodeInformation& packet) {
  std::vector<NodeChange> changes;
  std::error_code ec = core_.view().apply(packet, &changes);
  for (const NodeChange& change : changes) {
    SPDLOG_INFO("{} {} -> {}", change.node,
                change.before ? std::string(to_string(*change.before)) : std::string("new"),
                to_string(change.after));
  }
  return ec;
}

std::error_code MasterHandler::apply(net::Peer&, const SendPartitionTable& packet) {
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

std::error_code MasterHandler::apply(net::Peer&, const NotifyPartitionChanges& packet) {
  if (std::error_code ec = core_.view().apply(packet)) return ec;
  for (const CellChange& change : packet.cell_list) {
    SPDLOG_INFO("partition {}: {} {}", change.offset, to_string(change.nid),
                to_string(change.state));
  }
  return {};
}

std::error_code MasterHandler::apply(net::Peer&, const NotifyClusterInformation& packet) {
  const auto before = core_.view().cluster_state();
  if (before != packet.state) {
    SPDLOG_INFO("cluster state {} -> {}",
                before ? std::string(to_string(*before)) : std::string("None"),
                to_string(packet.state));
  }
  core_.view().set_cluster_state(packet.state);
  return {};
}

std::error_code MasterHandler::apply(net::Peer& peer, const NotifyUpstreamAdmin& packet) {
  SPDLOG_WARN("{}: upstream admin reporting not implemented (NotifyUpstreamAdmin ignored)",
              peer.describe());
  return {};
}

}  // namespace neo::admin
