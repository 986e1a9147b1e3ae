// core/log/throttle.hpp
// Throttle: the rate limit of one repeated log line, for what a peer can
// make a node log at will (refused identifications, refused requests): in
// each period the first `burst` events are logged, the next ones only
// counted; the first event logged after them reports how many were not
// ("N more in the last S s"), so a flood costs a few lines per period.
// Pure (the caller logs); the clock is injected for tests. Use from one
// thread (one instance per log line and node).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>

namespace neo::log {

class Throttle {
 public:
  using Clock = std::function<double()>;  // seconds, monotonic

  explicit Throttle(double period = 10, int burst = 3, Clock clock = {})
      : period_(period), burst_(burst), clock_(clock ? std::move(clock) : Clock(steady_seconds)) {}

  // True if this event is to be logged; then `suffix` is empty, or says how
  // many events were not logged since the last one logged.
  bool allow(std::string& suffix) {
    const double now = clock_();
    if (now - start_ >= period_) {
      start_ = now;
      logged_ = 0;
    }
    if (logged_ >= burst_) {
      if (!skipped_) first_skipped_ = now;
      ++skipped_;
      return false;
    }
    ++logged_;
    suffix.clear();
    if (skipped_) {
      suffix = " (" + std::to_string(skipped_) + " more in the last " +
               std::to_string(static_cast<long>(now - first_skipped_ + 0.5)) + " s)";
      skipped_ = 0;
    }
    return true;
  }

 private:
  static double steady_seconds() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }

  double period_;
  int burst_;
  Clock clock_;
  double start_ = -1e300;  // start of the current period
  int logged_ = 0;         // events logged in it
  std::uint64_t skipped_ = 0;
  double first_skipped_ = 0;
};

}  // namespace neo::log
