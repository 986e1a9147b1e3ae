#include "nodes/master/handlers/upstream_handler.hpp"

#include <spdlog/spdlog.h>

#include "nodes/master/master_state.hpp"

namespace neo::master {

void UpstreamHandler::on(net::Peer& peer, const protocol::Ping&) { peer.answer(protocol::Pong{}); }

void UpstreamHandler::on(net::Peer&, const protocol::Pong&) {}

void UpstreamHandler::on(net::Peer&, const protocol::NotifyNodeInformation& p) {
  state_.upstream_nodes(p);
}

void UpstreamHandler::on(net::Peer&, const protocol::SendPartitionTable& p) {
  state_.upstream_pt(p);
}

void UpstreamHandler::on(net::Peer&, const protocol::NotifyPartitionChanges& p) {
  state_.upstream_pt_changes(p);
}

void UpstreamHandler::on(net::Peer&, const protocol::NotifyClusterInformation& p) {
  SPDLOG_INFO("upstream cluster state: {}", protocol::to_string(p.state));
}

void UpstreamHandler::on(net::Peer&, const protocol::InvalidatePartitions& p) {
  state_.upstream_invalidate(p);
}

void UpstreamHandler::on(net::Peer&, const protocol::NotifyPackSigned& p) {
  state_.upstream_pack_signed(p);
}

void UpstreamHandler::on(net::Peer&, const protocol::StopOperation&) {
  SPDLOG_WARN("the upstream cluster stopped operation");
}

}  // namespace neo::master
