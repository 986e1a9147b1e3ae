#include "core/net/tasks.hpp"

#include <utility>

namespace neo::net {

Tasks::~Tasks() {
  for (const auto& [id, scheduled] : timers_) scheduler_.cancel(scheduled);
}

void Tasks::post(std::function<void()> fn) {
  scheduler_.post([token = std::weak_ptr<char>(token_), fn = std::move(fn)] {
    if (!token.expired()) fn();
  });
}

Tasks::TimerId Tasks::call_later(Clock::duration delay, std::function<void()> fn) {
  const TimerId id = next_id_++;
  // A pending timer is cancelled by ~Tasks: `this` is valid when it runs.
  timers_[id] = scheduler_.call_later(delay, [this, id, fn = std::move(fn)] {
    timers_.erase(id);
    fn();
  });
  return id;
}

Tasks::TimerId Tasks::call_later(double seconds, std::function<void()> fn) {
  return call_later(
      std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds)),
      std::move(fn));
}

bool Tasks::cancel(TimerId id) {
  auto it = timers_.find(id);
  if (it == timers_.end()) return false;
  const TimerId scheduled = it->second;
  timers_.erase(it);
  scheduler_.cancel(scheduled);
  return true;
}

}  // namespace neo::net
