// Progress bar and progress lines.
#include "cli/neomigrate/progress.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace neo::neomigrate {

namespace {

constexpr int kBarWidth = 30;
constexpr auto kBarPeriod = std::chrono::milliseconds(100);
constexpr auto kLinePeriod = std::chrono::seconds(5);

std::string format(const char* pattern, double value) {
  char text[64];
  std::snprintf(text, sizeof text, pattern, value);
  return text;
}

std::string megabytes(double bytes) { return format("%.1f MB", bytes / 1e6); }

}  // namespace

Progress::Progress(std::ostream& out, Mode mode)
    : out_(out), mode_(mode), start_(Clock::now()), last_(start_) {}

std::string Progress::duration_text(double seconds) {
  const long total = std::lround(std::max(0.0, seconds));
  char text[32];
  if (total >= 3600)
    std::snprintf(text, sizeof text, "%ld:%02ld:%02ld", total / 3600, total / 60 % 60, total % 60);
  else
    std::snprintf(text, sizeof text, "%ld:%02ld", total / 60, total % 60);
  return text;
}

std::string Progress::text(double fraction, std::uint64_t transactions, std::uint64_t bytes,
                           double elapsed, bool bar) {
  fraction = std::clamp(fraction, 0.0, 1.0);
  std::string line;
  if (bar) {
    const int filled = static_cast<int>(fraction * kBarWidth);
    line = "[" + std::string(filled, '#') + std::string(kBarWidth - filled, ' ') + "] ";
  }
  line += format("%3.0f%%", std::floor(fraction * 100)) + "  " + std::to_string(transactions) +
          " transactions  " + megabytes(static_cast<double>(bytes));
  if (elapsed > 0) line += "  " + megabytes(static_cast<double>(bytes) / elapsed) + "/s";
  if (fraction >= 1)
    line += "  in " + duration_text(elapsed);
  else if (fraction > 0 && elapsed > 0)
    line += "  ETA " + duration_text(elapsed * (1 - fraction) / fraction);
  return line;
}

void Progress::update(double fraction, std::uint64_t transactions, std::uint64_t bytes) {
  if (mode_ == Mode::quiet) return;
  const Clock::time_point now = Clock::now();
  if (now - last_ < (mode_ == Mode::bar ? kBarPeriod : kLinePeriod)) return;
  last_ = now;
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  if (mode_ == Mode::bar)
    out_ << '\r' << text(fraction, transactions, bytes, elapsed, true) << "\033[K" << std::flush;
  else
    out_ << text(fraction, transactions, bytes, elapsed, false) << std::endl;
}

void Progress::finish(std::uint64_t transactions, std::uint64_t bytes) {
  if (mode_ == Mode::quiet) return;
  const double elapsed = std::chrono::duration<double>(Clock::now() - start_).count();
  if (mode_ == Mode::bar) out_ << '\r';
  out_ << text(1, transactions, bytes, elapsed, mode_ == Mode::bar);
  if (mode_ == Mode::bar) out_ << "\033[K";
  out_ << std::endl;
}

}  // namespace neo::neomigrate
