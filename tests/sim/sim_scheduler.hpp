// tests/sim/sim_scheduler.hpp
// The net::Scheduler of every node of a simulated cluster: posts and
// timers are tasks of the sim::Loop, the time is the loop's (the steady
// clock starts at 0, the UNIX clock at kEpoch).
#pragma once

#include <unordered_map>

#include "core/net/tasks.hpp"
#include "tests/sim/loop.hpp"

namespace neo::sim {

class SimScheduler final : public net::Scheduler {
 public:
  // 2026-01-01 00:00:00 UTC: TIDs look like real ones.
  static constexpr double kEpoch = 1767225600;

  explicit SimScheduler(Loop& loop) : loop_(loop) {}

  void post(std::function<void()> fn) override { loop_.post(std::move(fn)); }
  TimerId call_later(Clock::duration delay, std::function<void()> fn) override {
    const TimerId id = next_id_++;
    tasks_[id] =
        loop_.after(std::chrono::duration_cast<Time>(delay), [this, id, fn = std::move(fn)] {
          tasks_.erase(id);
          fn();
        });
    return id;
  }
  void cancel(TimerId id) override {
    auto it = tasks_.find(id);
    if (it == tasks_.end()) return;
    loop_.cancel(it->second);
    tasks_.erase(it);
  }
  Clock::time_point now() const override {
    return Clock::time_point(std::chrono::duration_cast<Clock::duration>(loop_.now()));
  }
  double unix_time() const override {
    return kEpoch + std::chrono::duration<double>(loop_.now()).count();
  }

 private:
  Loop& loop_;
  std::unordered_map<TimerId, Loop::TaskId> tasks_;
  TimerId next_id_ = 1;
};

}  // namespace neo::sim
