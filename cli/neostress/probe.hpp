// cli/neostress/probe.hpp
// What neostress knows of the cluster: its admin node, asked on a thread of
// its own every `period` (cluster state, primary, nodes, partition table),
// as neoctl does (cli/neoctl/admin_link.hpp: works with NEO/py's admin).
// A request may block while the admin is restarted or waits for a master,
// so the main loop only reads the last View, with its age.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/protocol/packets.hpp"

namespace neo::stress {

struct View {
  std::chrono::steady_clock::time_point taken{};
  std::optional<protocol::ClusterState> state;
  std::optional<NodeId> primary;
  std::vector<protocol::NodeInfo> nodes;
  protocol::RowList rows;
  std::int64_t replicas = 0;

  // RUNNING, a primary, every storage of the table RUNNING, every cell
  // UP_TO_DATE, and `storages` storages RUNNING in all.
  bool healthy(std::size_t storages) const;
  // Storages RUNNING.
  std::size_t running_storages() const;
  // Storages whose every partition keeps a readable cell (UP_TO_DATE or
  // FEEDING) on another RUNNING storage not in `impaired`.
  bool can_lose(NodeId storage, const std::vector<NodeId>& impaired) const;
  std::optional<std::uint16_t> port_of(NodeId nid) const;
  std::optional<NodeId> nid_of_port(std::uint16_t port) const;
  // The master's clock when `nid` identified (changes when it comes back).
  std::optional<double> identified_at(NodeId nid) const;
  // "RUNNING, 4/4 storages, 24/24 cells up to date"
  std::string summary() const;
};

class Probe {
 public:
  Probe(std::string admin_address, std::chrono::milliseconds period);
  ~Probe();
  // The last complete view (nullopt before the first one).
  std::optional<View> view() const;
  // Waits until a view newer than `after` exists, at most `timeout`.
  std::optional<View> next(std::chrono::steady_clock::time_point after,
                           std::chrono::milliseconds timeout) const;

 private:
  void loop();

  std::string address_;
  std::chrono::milliseconds period_;
  std::atomic<bool> stop_{false};
  mutable std::mutex mutex_;
  std::optional<View> view_;
  std::thread thread_;
};

}  // namespace neo::stress
