#include "core/net/io_scheduler.hpp"

#include <asio/post.hpp>
#include <utility>

namespace neo::net {

void IoScheduler::post(std::function<void()> fn) { asio::post(io_, std::move(fn)); }

Scheduler::TimerId IoScheduler::call_later(Clock::duration delay, std::function<void()> fn) {
  const TimerId id = next_id_++;
  Timer& t = timers_[id];
  t.timer = std::make_unique<asio::steady_timer>(io_, delay);
  t.fn = std::move(fn);
  t.timer->async_wait([this, id](std::error_code ec) {
    if (ec) return;  // cancelled, or the scheduler is gone
    // Cancelled after it expired: no longer in timers_.
    auto it = timers_.find(id);
    if (it == timers_.end()) return;
    std::function<void()> fn = std::move(it->second.fn);
    timers_.erase(it);
    fn();
  });
  return id;
}

void IoScheduler::cancel(TimerId id) {
  // Destroying the timer cancels its wait; the function goes at once.
  timers_.erase(id);
}

}  // namespace neo::net
