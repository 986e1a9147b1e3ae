#include "nodes/client/client_handlers.hpp"

#include <spdlog/spdlog.h>

namespace neo::client {

using namespace protocol;

namespace {

// A notification the client cannot apply: the master connection is closed
// (the client looks for the primary master again).
void refuse(net::Peer& peer, std::string_view what, std::error_code ec) {
  SPDLOG_ERROR("{}: invalid {} from the master: {}", peer.describe(), what, ec.message());
  peer.abort(ec);
}

}  // namespace

void PrimaryNotificationsHandler::on(net::Peer& peer, const NotifyNodeInformation& p) {
  if (std::error_code ec = state_.apply_nodes(p)) refuse(peer, NotifyNodeInformation::kName, ec);
}

void PrimaryNotificationsHandler::on(net::Peer& peer, const SendPartitionTable& p) {
  if (std::error_code ec = state_.load_partition_table(p))
    refuse(peer, SendPartitionTable::kName, ec);
}

void PrimaryNotificationsHandler::on(net::Peer& peer, const NotifyPartitionChanges& p) {
  if (std::error_code ec = state_.change_partitions(p))
    refuse(peer, NotifyPartitionChanges::kName, ec);
}

void PrimaryNotificationsHandler::on(net::Peer&, const InvalidateObjects& p) {
  state_.invalidate(p);
}

void PrimaryNotificationsHandler::on(net::Peer&, const NotifyClusterInformation&) {}

void PrimaryNotificationsHandler::on(net::Peer& peer, const Ping&) { peer.answer(Pong{}); }

void StorageEventHandler::on(net::Peer& peer, const NotifyDeadlock& p) {
  state_.deadlock(nid_, peer, p);
}

void StorageEventHandler::on(net::Peer& peer, const Ping&) { peer.answer(Pong{}); }

}  // namespace neo::client
