// core/net/io_scheduler.hpp
// The Scheduler of a real node (core/net/tasks.hpp): posts to an
// asio::io_context and sets steady_timers on it, with the steady clock.
// Created by daemon::run next to the io_context (tests create one the same
// way); must outlive the work it scheduled or be destroyed with the
// io_context (its pending timers are then dropped). io thread only.
#pragma once

#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>

#include "core/net/tasks.hpp"

namespace neo::net {

class IoScheduler final : public Scheduler {
 public:
  explicit IoScheduler(asio::io_context& io) : io_(io) {}
  IoScheduler(const IoScheduler&) = delete;
  IoScheduler& operator=(const IoScheduler&) = delete;

  void post(std::function<void()> fn) override;
  TimerId call_later(Clock::duration delay, std::function<void()> fn) override;
  void cancel(TimerId id) override;
  Clock::time_point now() const override { return Clock::now(); }
  double unix_time() const override {
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch())
        .count();
  }

 private:
  struct Timer {
    std::unique_ptr<asio::steady_timer> timer;
    std::function<void()> fn;
  };
  asio::io_context& io_;
  std::map<TimerId, Timer> timers_;  // pending
  TimerId next_id_ = 1;
};

}  // namespace neo::net
