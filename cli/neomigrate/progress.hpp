// cli/neomigrate/progress.hpp
// Shows how far a migration is: a bar redrawn in place with the rate and
// the time left (on a terminal), a plain line every few seconds (a log file,
// a pipe), or nothing (-q). The fraction done is the caller's estimate.
// Use from one thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <ostream>
#include <string>

namespace neo::neomigrate {

class Progress {
 public:
  enum class Mode { quiet, bar, lines };
  using Clock = std::chrono::steady_clock;

  Progress(std::ostream& out, Mode mode);

  // `fraction` of the work is done (0..1): `transactions` and `bytes` of data
  // copied so far. Redraws at most 10 times a second (bar), or writes a line
  // every 5 seconds (lines).
  void update(double fraction, std::uint64_t transactions, std::uint64_t bytes);
  // The last state, complete (a final line; the bar ends its line).
  void finish(std::uint64_t transactions, std::uint64_t bytes);

  // "1:02:03", "4:05" (for the ETA).
  static std::string duration_text(double seconds);
  // The text of a state: "[#####     ]  50%  123 txn  4.5 MB  1.2 MB/s  ETA 0:10".
  static std::string text(double fraction, std::uint64_t transactions, std::uint64_t bytes,
                          double elapsed, bool bar);

 private:
  std::ostream& out_;
  Mode mode_;
  Clock::time_point start_, last_;
};

}  // namespace neo::neomigrate
