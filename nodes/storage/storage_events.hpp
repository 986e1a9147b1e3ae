// nodes/storage/storage_events.hpp
// What the packet handlers ask of the storage application (StorageApp
// implements it; tests record the calls). io thread only.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/protocol/packets.hpp"

namespace neo::storage {

class Replicator;

class StorageEvents {
 public:
  virtual ~StorageEvents() = default;
  // The master told us we are DOWN (exit 0) or UNKNOWN (erase, then exit 0).
  virtual void shutdown(bool erase) = 0;
  // A backend failure: log `what` and the database's last error, exit 1.
  virtual void fatal(const std::string& what) = 0;
  // The node list changed: close connections of `removed` nodes, retry
  // delayed identifications.
  virtual void nodes_changed(const std::vector<protocol::NodeInfo>& removed) = 0;
  // Partitions whose data must be dropped (in background).
  virtual void drop_partitions(const std::vector<std::uint32_t>& partitions) = 0;
  // StopOperation: close every connection but the master's.
  virtual void operation_stopped() = 0;
  // StartOperation: background work that needs an operational node may start.
  virtual void operation_started() {}
  // A transaction was unlocked: commit the database within 1 s
  // (Database::commit_deferred), so that several unlocks share a commit.
  virtual void commit_later() {}
  // Runs `fn` on the io thread after the work already queued (long tasks
  // such as pack go step by step). Default: at once.
  virtual void run_later(std::function<void()> fn) { fn(); }
  // Runs `fn` on the io thread after `seconds`. Default: run_later.
  virtual void run_after(double seconds, std::function<void()> fn) {
    (void)seconds;
    run_later(std::move(fn));
  }
  // CheckPartition: compare our replica with the others (checker.hpp).
  virtual void check_partition(const protocol::CheckPartition&) {}
  // The replicator of the own OUT_OF_DATE cells (replicator.hpp); none in
  // tests that do not replicate.
  virtual Replicator* replicator() { return nullptr; }
};

}  // namespace neo::storage
