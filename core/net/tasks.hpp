// core/net/tasks.hpp
// Deferred work and time for the node applications. An application reaches
// them only through a Scheduler (Env::scheduler): daemon::run backs it with
// the node's io_context (IoScheduler, core/net/io_scheduler.hpp); a
// simulation may back it with a virtual clock and its own event loop.
//
// The application owns a Tasks, declared last among its members, and posts
// and sets timers through it: whatever it scheduled never runs once it is
// destroyed (pending timers are cancelled, posted functions are skipped),
// which no `alive` flag needs to check any more.
//
//   net::Tasks tasks_{env.scheduler};  // last member
//   tasks_.post([this] { connect_to_primary(); });
//   auto id = tasks_.call_later(1.0, [this] { commit(); });
//   tasks_.cancel(id);
//
// Everything runs on the node's thread: no locking.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>

namespace neo::net {

class Scheduler {
 public:
  using Clock = std::chrono::steady_clock;
  using TimerId = std::uint64_t;

  virtual ~Scheduler() = default;
  // Runs `fn` after the current handler returns, in posting order.
  virtual void post(std::function<void()> fn) = 0;
  // Runs `fn` once `delay` has passed (timers run in the order they are
  // due); the id cancels it, and is never 0.
  virtual TimerId call_later(Clock::duration delay, std::function<void()> fn) = 0;
  // Drops timer `id` (its function is destroyed, never called); nothing if
  // it already ran or was cancelled.
  virtual void cancel(TimerId id) = 0;
  virtual Clock::time_point now() const = 0;
  // The UNIX time of the node's clock (new TIDs, node timestamps).
  virtual double unix_time() const = 0;
};

// The application's handle on a Scheduler: see the header comment.
class Tasks {
 public:
  using Clock = Scheduler::Clock;
  using TimerId = Scheduler::TimerId;  // 0: no timer

  explicit Tasks(Scheduler& scheduler) : scheduler_(scheduler) {}
  ~Tasks();
  Tasks(const Tasks&) = delete;
  Tasks& operator=(const Tasks&) = delete;

  // Runs `fn` after the current handler returns, unless this is destroyed.
  void post(std::function<void()> fn);
  // Runs `fn` after `delay` (or `seconds`), unless cancelled or destroyed.
  TimerId call_later(Clock::duration delay, std::function<void()> fn);
  TimerId call_later(double seconds, std::function<void()> fn);
  // True if timer `id` was pending (it will not run).
  bool cancel(TimerId id);
  bool pending(TimerId id) const { return timers_.count(id) != 0; }
  Clock::time_point now() const { return scheduler_.now(); }

 private:
  Scheduler& scheduler_;
  // Posted functions hold a weak reference to it: expired once this is gone.
  std::shared_ptr<char> token_ = std::make_shared<char>();
  std::map<TimerId, TimerId> timers_;  // our id -> the scheduler's, while pending
  TimerId next_id_ = 1;
};

}  // namespace neo::net
