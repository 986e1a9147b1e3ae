// Fakes for the storage node tests: StorageEvents recording the application
// calls (the fake Peer is tests/support/fake_peer.hpp's).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "core/protocol/packets.hpp"
#include "nodes/storage/storage_events.hpp"

namespace neo::storage::test {

class FakeEvents : public StorageEvents {
 public:
  void shutdown(bool erase) override { shutdowns.push_back(erase); }
  void fatal(const std::string& what) override { fatals.push_back(what); }
  void nodes_changed(const std::vector<protocol::NodeInfo>& removed) override {
    ++changes;
    for (const auto& info : removed) this->removed.push_back(info);
  }
  void drop_partitions(const std::vector<std::uint32_t>& partitions) override {
    dropped.insert(dropped.end(), partitions.begin(), partitions.end());
  }
  void operation_stopped() override { ++stops; }
  Replicator* replicator() override { return replicator_of; }
  void run_after(double, std::function<void()> fn) override { delayed.push_back(std::move(fn)); }

  std::vector<bool> shutdowns;
  std::vector<std::string> fatals;
  std::vector<protocol::NodeInfo> removed;
  std::vector<std::uint32_t> dropped;
  int changes = 0;
  int stops = 0;
  Replicator* replicator_of = nullptr;
  std::vector<std::function<void()>> delayed;  // run_after, not run
};

}  // namespace neo::storage::test
