// core/net/memory_budget.hpp
// MemoryBudget: the memory all the connections of a node may hold, for
// sending (their Outbox::held()) and in partial incoming frames (up to
// twice kMaxFrameSize each), so that many peers each under their own bound
// cannot together exhaust the node. make_asio_network() gives every
// connection of a node one shared budget. Connections join when created,
// report each change of what they hold, and leave when closed.
//
// Over the limit, a connection is sacrificed: the accepted (server side)
// connection holding the most, if it holds more than its fair share (limit
// / connections). The links a node opened itself (to the master, to the
// storages it replicates from) are never chosen: a client's flood must not
// cost a storage its master link. The decision is logged (rate limited).
//
// Shared by the connections of one io_context: use from its thread only.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/log/throttle.hpp"

namespace neo::net {

class Connection;

inline constexpr std::size_t kDefaultNodeMemoryBytes = std::size_t{1} << 30;

class MemoryBudget {
 public:
  explicit MemoryBudget(std::size_t limit = kDefaultNodeMemoryBytes) : limit_(limit) {}
  MemoryBudget(const MemoryBudget&) = delete;
  MemoryBudget& operator=(const MemoryBudget&) = delete;

  std::size_t limit() const { return limit_; }
  // Bytes held by all the connections.
  std::size_t total() const { return total_; }

  void join(Connection& connection);
  // Idempotent. What it still holds keeps being counted until released.
  void leave(Connection& connection);
  // A member holds `bytes` more (or less).
  void hold(std::size_t bytes) { total_ += bytes; }
  void release(std::size_t bytes) {
    total_ -= bytes;
    if (total_ <= limit_) retry_above_ = 0;
  }

  // True if the total, not counting connections already sacrificed and
  // not yet closed, exceeds the limit.
  bool over() const { return total_ > std::max(limit_ + condemned_total_, retry_above_); }
  // The connection to close now (logged), or null if none may be. The
  // caller closes it; it is not chosen again.
  Connection* sacrifice();

 private:
  struct Condemned {
    const Connection* connection;
    std::size_t held;  // when sacrificed
  };

  const std::size_t limit_;
  std::size_t total_ = 0;
  std::vector<Connection*> members_;
  std::vector<Condemned> condemned_;   // sacrificed, not closed yet
  std::size_t condemned_total_ = 0;    // what they held when sacrificed
  std::size_t retry_above_ = 0;        // after finding no victim: look again above this
  log::Throttle closing_log_{10, 20};  // connections sacrificed
  log::Throttle none_log_;             // over the limit, none to sacrifice
};

}  // namespace neo::net
