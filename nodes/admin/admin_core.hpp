// nodes/admin/admin_core.hpp
// The admin node's state and decisions, without sockets: the cluster view,
// the link to the primary master (any net::Peer, a fake one in tests), the
// neoctl requests waiting for a monitoring summary, and the backup clusters
// to monitor. The handlers (neoctl_handler, master_handler) act on it;
// AdminApp owns it and does the networking. Use from the io_context's thread.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/net/peer.hpp"
#include "nodes/admin/cluster_view.hpp"
#include "nodes/admin/monitor.hpp"

namespace neo::admin {

// NEO/py's message for requests that need the primary master.
inline constexpr std::string_view kNotConnectedMessage = "Not connected to a primary master.";

class AdminCore {
 public:
  AdminCore(std::string cluster, std::vector<std::string> monitor_backups);

  const std::string& cluster() const { return cluster_; }
  ClusterView& view() { return view_; }
  const ClusterView& view() const { return view_; }

  // The identified connection to the primary master; null when there is none.
  net::Peer* master() const { return master_.get(); }
  void set_master(std::shared_ptr<net::Peer> master);
  // The master connection is gone: forget it and the view's volatile part;
  // neoctl requests waiting for a summary are answered with what is known.
  void master_lost();

  // AskMonitorInformation from `neoctl` (msg id peer.msg_id()): asks the
  // master for the last TID if the cluster is operational, then answers.
  void ask_monitor_information(net::Peer& neoctl);
  void set_last_tid(Tid tid) { ltid_ = tid; }
  void set_backup_tid(std::optional<Tid> tid) { backup_tid_ = tid; }
  MonitorState monitor() const;

  // Backup clusters allowed to report to this admin (--monitor-backup):
  // true if `name` is one and is not connected yet; marks it connected.
  bool attach_backup(const std::string& name);
  bool is_backup(const std::string& name) const { return backups_.count(name) != 0; }
  std::vector<std::string> backup_names() const {
    std::vector<std::string> names;
    for (const auto& entry : backups_) names.push_back(entry.first);
    return names;
  }
  void detach_backup(const std::string& name);

 private:
  struct Waiting {
    std::weak_ptr<net::Peer> peer;
    std::uint32_t msg_id;
  };
  void answer_monitor();

  std::string cluster_;
  ClusterView view_;
  std::shared_ptr<net::Peer> master_;
  std::vector<Waiting> waiting_monitor_;
  bool asking_ids_ = false;
  std::optional<Tid> ltid_, backup_tid_;
  std::map<std::string, bool> backups_;  // name -> connected
};

}  // namespace neo::admin
