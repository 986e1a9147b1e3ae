// tests/support/manual_scheduler.hpp
// A net::Scheduler on a virtual clock for unit tests: nothing runs until
// the test says so.
#pragma once

#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <utility>

#include "core/net/tasks.hpp"

namespace neo::test {

// A virtual clock: posted functions run on run_posted(), timers on
// advance(), in due order (then in the order they were set).
class ManualScheduler final : public net::Scheduler {
 public:
  void post(std::function<void()> fn) override { posted_.push_back(std::move(fn)); }
  TimerId call_later(Clock::duration delay, std::function<void()> fn) override {
    const TimerId id = next_id_++;
    timers_.emplace(std::pair(now_ + delay, id), std::move(fn));
    return id;
  }
  void cancel(TimerId id) override {
    std::erase_if(timers_, [id](const auto& timer) { return timer.first.second == id; });
  }
  Clock::time_point now() const override { return now_; }
  double unix_time() const override {
    return std::chrono::duration<double>(now_.time_since_epoch()).count();
  }

  void run_posted() {
    while (!posted_.empty()) {
      std::function<void()> fn = std::move(posted_.front());
      posted_.pop_front();
      fn();
    }
  }
  void advance(Clock::duration by) {
    const Clock::time_point until = now_ + by;
    while (!timers_.empty() && timers_.begin()->first.first <= until) {
      auto node = timers_.extract(timers_.begin());
      now_ = node.key().first;
      node.mapped()();
      run_posted();
    }
    now_ = until;
  }
  std::size_t pending() const { return posted_.size() + timers_.size(); }

 private:
  Clock::time_point now_{};
  std::deque<std::function<void()>> posted_;
  std::map<std::pair<Clock::time_point, TimerId>, std::function<void()>> timers_;
  TimerId next_id_ = 1;
};

}  // namespace neo::test
