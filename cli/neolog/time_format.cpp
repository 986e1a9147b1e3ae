#include "cli/neolog/time_format.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <vector>

#include "cli/neolog/python_repr.hpp"

namespace neo::neolog {
namespace {

// Seconds in [-2^62, 2^62] fit time_t and tm arithmetic comfortably.
constexpr double kMaxSeconds = 0x1p62;

std::optional<std::string> format_utc(std::int64_t seconds, std::int64_t micro) {
  const auto t = static_cast<std::time_t>(seconds);
  std::tm tm;
  if (!gmtime_r(&t, &tm)) return std::nullopt;
  const std::int64_t year = std::int64_t{tm.tm_year} + 1900;
  if (year < 1 || year > 9999) return std::nullopt;
  char buf[64];
  int n = std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d:%02d", int(year), tm.tm_mon + 1,
                        tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  if (micro != 0) n += std::snprintf(buf + n, sizeof buf - n, ".%06d", int(micro));
  return std::string(buf, n);
}

}  // namespace

void append_zero_padded(std::string& out, std::int64_t v, int width) {
  char digits[24];
  const std::uint64_t magnitude = v < 0 ? 0 - static_cast<std::uint64_t>(v) : v;
  auto [end, ec] = std::to_chars(digits, digits + sizeof digits, magnitude);
  int len = static_cast<int>(end - digits);
  if (v < 0) {
    out += '-';
    --width;
  }
  if (len < width) out.append(width - len, '0');
  out.append(digits, len);
}

std::optional<std::string> local_strftime(const std::string& format, std::int64_t seconds) {
  const auto t = static_cast<std::time_t>(seconds);
  std::tm tm;
  if (!localtime_r(&t, &tm)) return std::nullopt;
  // Like CPython: grow the buffer until the result fits; an empty result is
  // accepted once the buffer is 256 times the format's length.
  std::vector<char> buf;
  for (std::size_t size = 1024;; size *= 2) {
    buf.resize(size);
    const std::size_t n = std::strftime(buf.data(), size, format.c_str(), &tm);
    if (n > 0 || size >= 256 * format.size()) return std::string(buf.data(), n);
  }
}

void DateColumn::append(std::string& out, double date) {
  if (format_.empty()) return;
  if (!(std::fabs(date) < kMaxSeconds)) {  // also NaN: nothing sensible to format
    out += "?.???? ";
    return;
  }
  const auto seconds = static_cast<std::int64_t>(date);  // int(): toward zero
  if (!cached_ || seconds != cached_seconds_) {
    auto text = local_strftime(format_, seconds);
    cached_text_ = text ? std::move(*text) : std::to_string(seconds);
    cached_seconds_ = seconds;
    cached_ = true;
  }
  out += cached_text_;
  out += '.';
  append_zero_padded(out, static_cast<std::int64_t>((date - static_cast<double>(seconds)) * 10000),
                     4);
  out += ' ';
}

std::optional<std::string> utc_datetime_str(double t) {
  if (!(std::fabs(t) < kMaxSeconds)) return std::nullopt;
  // CPython's _PyTime_DoubleToDenominator with ROUND_HALF_EVEN.
  double intpart;
  double frac = std::modf(t, &intpart) * 1e6;
  double rounded = std::round(frac);
  if (std::fabs(frac - rounded) == 0.5) rounded = 2.0 * std::round(frac / 2.0);
  if (rounded >= 1e6) {
    rounded -= 1e6;
    intpart += 1.0;
  } else if (rounded < 0) {
    rounded += 1e6;
    intpart -= 1.0;
  }
  return format_utc(static_cast<std::int64_t>(intpart), static_cast<std::int64_t>(rounded));
}

std::optional<std::string> utc_datetime_str(std::int64_t t) { return format_utc(t, 0); }

std::string describe_date(double date) {
  std::string text;
  DateColumn("%F %T").append(text, date);
  text += '(';
  append_float_repr(text, date);
  return text + ')';
}

std::string iso_local_time(double t) {
  if (!(std::fabs(t) < kMaxSeconds)) return "";
  double seconds = std::floor(t);
  auto micro = static_cast<std::int64_t>(std::llround((t - seconds) * 1e6));
  if (micro >= 1000000) {
    micro -= 1000000;
    seconds += 1;
  }
  const auto tt = static_cast<std::time_t>(seconds);
  std::tm tm;
  if (!localtime_r(&tt, &tm)) return "";
  char buf[80];
  std::size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  n += std::snprintf(buf + n, sizeof buf - n, ".%06d", int(micro));
  const long off = tm.tm_gmtoff;
  const long a = off < 0 ? -off : off;
  n += std::snprintf(buf + n, sizeof buf - n, "%c%02ld:%02ld", off < 0 ? '-' : '+', a / 3600,
                     a / 60 % 60);
  return std::string(buf, n);
}

}  // namespace neo::neolog
