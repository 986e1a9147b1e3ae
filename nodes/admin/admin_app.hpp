// nodes/admin/admin_app.hpp
// The admin node (neoadmin): listens for neoctl, finds the primary master
// (cluster::Bootstrap, identifying as ADMIN), keeps the cluster view from
// its notifications and, when the master connection is lost, looks for the
// primary again, or exits if the cluster was STOPPING (flows.md 14).
// Created by main through daemon::run; everything runs on the daemon's
// io_context thread.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/cluster/bootstrap.hpp"
#include "core/daemon/daemon.hpp"
#include "core/net/connection.hpp"
#include "nodes/admin/admin_core.hpp"
#include "nodes/admin/admin_options.hpp"
#include "nodes/admin/neoctl_handler.hpp"

namespace neo::admin {

class AdminApp : public std::enable_shared_from_this<AdminApp> {
 public:
  // Binds the listening address and starts looking for the primary master.
  // Throws std::exception on startup errors (bad address, cannot bind).
  static std::shared_ptr<AdminApp> start(daemon::Env& env, const AdminConfig& config);
  ~AdminApp();

  AdminApp(daemon::Env& env, const AdminConfig& config);
  AdminCore& core() { return core_; }

 private:
  void connect_to_primary();
  void identified(cluster::Bootstrap::Identified identified);
  void master_lost(std::error_code reason);
  void dump() const;

  daemon::Env& env_;
  std::vector<net::Address> masters_;
  net::Address bind_;
  std::optional<NodeId> nid_;
  AdminCore core_;
  std::shared_ptr<NeoctlHandler> neoctl_handler_;
  std::shared_ptr<net::Listener> listener_;
  std::shared_ptr<cluster::Bootstrap> bootstrap_;
  std::shared_ptr<net::Connection> master_;
};

}  // namespace neo::admin
