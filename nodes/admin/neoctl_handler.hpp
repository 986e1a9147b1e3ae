// nodes/admin/neoctl_handler.hpp
// Handles the connections accepted by the admin node: neoctl (anonymous,
// no identification) and, with --monitor-backup, the admin nodes of backup
// clusters (they identify as ADMIN with their cluster name). As NEO/py's
// admin: the view questions are answered here (AskPartitionList,
// AskNodeList, AskClusterState, AskPrimary, AskMonitorInformation), the
// cluster commands are forwarded to the primary master and its answer is
// relayed with the neoctl's msg id, and everything but Ping gets
// NOT_READY "Not connected to a primary master." (then the connection is
// closed) while there is no master. One instance serves every connection;
// use from the io_context's thread.
#pragma once

#include <memory>

#include "core/log/throttle.hpp"
#include "core/net/peer.hpp"
#include "nodes/admin/admin_core.hpp"

namespace neo::admin {

class NeoctlHandler : public net::Handler {
 public:
  static constexpr std::string_view kName = "AdminEventHandler";
  explicit NeoctlHandler(AdminCore& core) : core_(core) {}

  void on_packet(net::Peer& peer, const protocol::Frame& frame) override;
  void on_closed(net::Peer& peer, std::error_code reason) override;

  // True for the packets relayed to the master as they are.
  static bool is_forwarded(std::uint16_t code);

  // The packets neoctl may send (net::dispatch); all but Ping and Pong get
  // NOT_READY while there is no primary master.
  void on(net::Peer& peer, const protocol::Ping& ping);
  void on(net::Peer& peer, const protocol::Pong& pong);
  void on(net::Peer& peer, const protocol::AskPartitionList& ask);
  void on(net::Peer& peer, const protocol::AskNodeList& ask);
  void on(net::Peer& peer, const protocol::AskClusterState& ask);
  void on(net::Peer& peer, const protocol::AskPrimary& ask);
  void on(net::Peer& peer, const protocol::AskMonitorInformation& ask);
  void on(net::Peer& peer, const protocol::FlushLog& notify);
  void on(net::Peer& peer, const protocol::RequestIdentification& request);

 private:
  void forward(net::Peer& peer, const protocol::Frame& frame);
  // Answers NOT_READY and closes if there is no primary master.
  bool refused_without_master(net::Peer& peer);
  void refuse(net::Peer& peer, errc code, std::string_view message);

  AdminCore& core_;
  // neoctl is anonymous: a flood of its requests costs a few lines.
  log::Throttle refused_log_;
  log::Throttle requests_log_{10, 20};
};

// The admin of a monitored backup cluster, once identified: its
// NotifyMonitorInformation reports are logged (email monitoring of backups
// is not implemented yet).
class BackupHandler : public net::Handler {
 public:
  static constexpr std::string_view kName = "BackupHandler";
  BackupHandler(AdminCore& core, std::string name) : core_(core), name_(std::move(name)) {}
  void on_packet(net::Peer& peer, const protocol::Frame& frame) override;
  void on_closed(net::Peer& peer, std::error_code reason) override;
  void on(net::Peer& peer, const protocol::Ping& ping);
  void on(net::Peer& peer, const protocol::NotifyMonitorInformation& report);

 private:
  AdminCore& core_;
  std::string name_;
};

// Python's repr() of a str, as in NEO/py's messages: 'name'.
std::string python_repr(const std::string& text);

}  // namespace neo::admin
