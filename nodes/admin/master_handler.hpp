// nodes/admin/master_handler.hpp
// Handles the identified connection to the primary master: keeps the
// cluster view up to date (NotifyNodeInformation, SendPartitionTable,
// NotifyPartitionChanges, NotifyClusterInformation), answers Ping, and
// reports the loss of the connection. A notification that contradicts the
// view is a protocol error (Error + close, as NEO/py). Owned by the
// connection; use from the io_context's thread.
#pragma once

#include <functional>

#include "core/net/peer.hpp"
#include "nodes/admin/admin_core.hpp"

namespace neo::admin {

class MasterHandler : public net::Handler {
 public:
  MasterHandler(AdminCore& core, std::function<void(std::error_code)> on_lost)
      : core_(core), on_lost_(std::move(on_lost)) {}

  void on_packet(net::Peer& peer, const protocol::Frame& frame) override;
  void on_closed(net::Peer& peer, std::error_code reason) override;

 private:
  template <class P>
  void handle(net::Peer& peer, const protocol::Frame& frame);
  std::error_code on(net::Peer& peer, const protocol::NotifyNodeInformation& packet);
  std::error_code on(net::Peer& peer, const protocol::SendPartitionTable& packet);
  std::error_code on(net::Peer& peer, const protocol::NotifyPartitionChanges& packet);
  std::error_code on(net::Peer& peer, const protocol::NotifyClusterInformation& packet);
  std::error_code on(net::Peer& peer, const protocol::NotifyUpstreamAdmin& packet);

  AdminCore& core_;
  std::function<void(std::error_code)> on_lost_;
};

}  // namespace neo::admin
