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
  static constexpr std::string_view kName = "MasterEventHandler";
  MasterHandler(AdminCore& core, std::function<void(std::error_code)> on_lost)
      : core_(core), on_lost_(std::move(on_lost)) {}

  void on_packet(net::Peer& peer, const protocol::Frame& frame) override;
  void on_closed(net::Peer& peer, std::error_code reason) override;

  // The packets the master may send (net::dispatch).
  void on(net::Peer& peer, const protocol::Ping& ping);
  void on(net::Peer& peer, const protocol::Pong& pong);
  void on(net::Peer& peer, const protocol::FlushLog& flush);
  // The view's updates: one that the view refuses is a protocol error.
  void on(net::Peer& peer, const protocol::NotifyNodeInformation& packet) { update(peer, packet); }
  void on(net::Peer& peer, const protocol::SendPartitionTable& packet) { update(peer, packet); }
  void on(net::Peer& peer, const protocol::NotifyPartitionChanges& packet) { update(peer, packet); }
  void on(net::Peer& peer, const protocol::NotifyClusterInformation& packet) {
    update(peer, packet);
  }
  void on(net::Peer& peer, const protocol::NotifyUpstreamAdmin& packet) { update(peer, packet); }

 private:
  std::error_code apply(net::Peer& peer, const protocol::NotifyNodeInformation& packet);
  std::error_code apply(net::Peer& peer, const protocol::SendPartitionTable& packet);
  std::error_code apply(net::Peer& peer, const protocol::NotifyPartitionChanges& packet);
  std::error_code apply(net::Peer& peer, const protocol::NotifyClusterInformation& packet);
  std::error_code apply(net::Peer& peer, const protocol::NotifyUpstreamAdmin& packet);
  // Applies `packet`; Error(PROTOCOL_ERROR, "invalid <Name>: ...") and
  // abort if the view refuses it.
  template <class P>
  void update(net::Peer& peer, const P& packet) {
    refuse_invalid(peer, P::kName, apply(peer, packet));
  }
  static void refuse_invalid(net::Peer& peer, std::string_view packet, std::error_code ec);

  AdminCore& core_;
  std::function<void(std::error_code)> on_lost_;
};

}  // namespace neo::admin
