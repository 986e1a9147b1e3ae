#include "core/net/memory_budget.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <string>

#include "core/net/connection.hpp"

namespace neo::net {
namespace {

double mib(std::size_t bytes) { return static_cast<double>(bytes) / (1 << 20); }

}  // namespace

void MemoryBudget::join(Connection& connection) { members_.push_back(&connection); }

void MemoryBudget::leave(Connection& connection) {
  if (auto it = std::find(members_.begin(), members_.end(), &connection); it != members_.end()) {
    *it = members_.back();
    members_.pop_back();
  }
  auto it = std::find_if(condemned_.begin(), condemned_.end(),
                         [&](const Condemned& c) { return c.connection == &connection; });
  if (it != condemned_.end()) {
    condemned_total_ -= it->held;
    *it = condemned_.back();
    condemned_.pop_back();
  }
}

Connection* MemoryBudget::sacrifice() {
  const std::size_t fair = members_.empty() ? limit_ : limit_ / members_.size();
  Connection* victim = nullptr;
  for (Connection* c : members_) {
    if (c->is_server() && !c->closed() && c->held_bytes() > fair &&
        (!victim || c->held_bytes() > victim->held_bytes())) {
      victim = c;
    }
  }
  std::string more;
  if (!victim) {
    retry_above_ = total_ + limit_ / 16;
    if (none_log_.allow(more)) {
      spdlog::warn(
          "connections hold {:.1f} MiB for sending, over the node's budget of {:.1f} MiB, but "
          "no accepted connection holds more than its share ({:.1f} MiB): none closed{}",
          mib(total_), mib(limit_), mib(fair), more);
    }
    return nullptr;
  }
  if (closing_log_.allow(more)) {
    spdlog::warn(
        "connections hold {:.1f} MiB for sending, over the node's budget of {:.1f} MiB: closing "
        "{}, which holds {:.1f} MiB (share: {:.1f} MiB){}",
        mib(total_), mib(limit_), victim->describe(), mib(victim->held_bytes()), mib(fair), more);
  }
  leave(*victim);
  condemned_.push_back({victim, victim->held_bytes()});
  condemned_total_ += victim->held_bytes();
  return victim;
}

}  // namespace neo::net
