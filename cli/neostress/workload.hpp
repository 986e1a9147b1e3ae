// cli/neostress/workload.hpp
// The workload through our client library (include/neo/client.hpp): the
// layout's creation, a writer's commit loop, and reading back everything
// the checker verifies (model.hpp says what is stored).
// A WriterLoop runs on one thread; several share a thread-safe Client.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <random>

#include "cli/neostress/model.hpp"
#include "include/neo/client.hpp"

namespace neo::stress {

struct LayoutSize {
  int logs = 0, accounts = 0, writers = 0;
  std::int64_t initial_balance = 1000;
};

// The cluster's layout (root object), created if the database is empty.
// Fails if the root exists but is not neostress's, or has fewer writers.
Result<Layout> ensure_layout(client::Client& client, const LayoutSize& size);
// The existing layout only.
Result<Layout> read_layout(client::Client& client);

struct WriterStats {
  std::atomic<std::uint64_t> commits{0}, conflicts{0}, failures{0};
};

class WriterLoop {
 public:
  // Acknowledged commits are passed to `ack` once finish() returned a TID.
  WriterLoop(client::Client& client, const Layout& layout, std::uint32_t writer, std::uint64_t seed,
             std::function<void(const Ack&)> ack);
  // Commits until `stop`; returns at once between two commits.
  void run(const std::atomic<bool>& stop, WriterStats& stats);

 private:
  enum class Outcome { Committed, Conflict, Failed };
  Outcome attempt();
  // Loads writer w's count; a count above `next_` means commits of ours
  // that reported a failure were committed after all.
  std::error_code catch_up();

  client::Client& client_;
  const Layout& layout_;
  std::uint32_t writer_;
  std::mt19937_64 rng_;
  std::function<void(const Ack&)> ack_;
  std::uint32_t next_ = 0;
  std::uint64_t failures_in_row_ = 0;
};

// Reads every log, bucket, account and writer as of `at` (default: the
// cluster's last transaction, after sync()).
Result<Snapshot> read_snapshot(client::Client& client, const Layout& layout,
                               std::optional<Tid> at = std::nullopt);

}  // namespace neo::stress
