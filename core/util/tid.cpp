// TID <-> time, as ZODB's TimeStamp and NEO/py's neo.lib.util compute them,
// down to the floating-point operations, so that printed dates match.
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>

#include "core/util/ids.hpp"

namespace neo {
namespace {

constexpr double kTidLowOverflow = 4294967296.0;  // 2**32
constexpr std::uint64_t kTidLowMax = 0xffffffffULL;

struct Fields {
  std::int64_t year, month, day, hour, minute;
  std::uint64_t lower;
};

Fields unpack(Tid tid) {
  std::uint64_t higher = tid.value >> 32;
  Fields f{};
  f.lower = tid.value & kTidLowMax;
  f.minute = higher % 60, higher /= 60;
  f.hour = higher % 24, higher /= 24;
  f.day = higher % 31 + 1, higher /= 31;
  f.month = higher % 12 + 1, higher /= 12;
  f.year = static_cast<std::int64_t>(higher) + 1900;
  return f;
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
std::int64_t days_from_civil(std::int64_t y, std::int64_t m, std::int64_t d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const std::int64_t yoe = y - era * 400;
  const std::int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

// Seconds and microseconds within the minute, as datetimeFromTID computes them.
void split_lower(std::uint64_t lower, std::int64_t& seconds, std::int64_t& micro) {
  const std::uint64_t scaled = lower * 60;
  seconds = static_cast<std::int64_t>(scaled >> 32);
  const double rest = static_cast<double>(scaled & kTidLowMax);
  micro = static_cast<std::int64_t>(rest * (1e6 / kTidLowOverflow));
}

std::string_view strip(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// Python's int(text, 0) for non-negative values: 0x/0o/0b prefixes and
// underscores between digits.
Result<std::uint64_t> parse_python_int(std::string_view text) {
  text = strip(text);
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  int base = 10;
  if (text.size() > 2 && text[0] == '0') {
    const char p = static_cast<char>(std::tolower(static_cast<unsigned char>(text[1])));
    base = p == 'x' ? 16 : p == 'o' ? 8 : p == 'b' ? 2 : 10;
    if (base != 10) text.remove_prefix(2);
    if (base != 10 && !text.empty() && text.front() == '_') text.remove_prefix(1);
  }
  std::string digits;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '_' && i > 0 && i + 1 < text.size() && text[i - 1] != '_') continue;
    digits.push_back(text[i]);
  }
  if (digits.empty()) return errc::invalid_argument;
  // Decimal literals cannot have leading zeros, except zero itself.
  if (base == 10 && digits.size() > 1 && digits[0] == '0' &&
      digits.find_first_not_of('0') != std::string::npos)
    return errc::invalid_argument;
  std::uint64_t value = 0;
  const char* end = digits.data() + digits.size();
  auto [ptr, ec] = std::from_chars(digits.data(), end, value, base);
  if (ec != std::errc{} || ptr != end) return errc::invalid_argument;
  return value;
}

}  // namespace

Tid tid_from_time(double unix_time) {
  const auto whole = static_cast<std::time_t>(std::floor(unix_time));
  std::tm gmt{};
  gmtime_r(&whole, &gmt);
  const std::uint64_t higher =
      ((((static_cast<std::uint64_t>(gmt.tm_year) * 12 + gmt.tm_mon) * 31 + gmt.tm_mday - 1) * 24 +
        gmt.tm_hour) *
           60 +
       gmt.tm_min);
  // Python: int((tm_sec + (tm - int(tm))) / SECOND_FROM_UINT32)
  const double seconds = gmt.tm_sec + (unix_time - std::trunc(unix_time));
  auto lower = static_cast<std::uint64_t>(seconds / (60.0 / kTidLowOverflow));
  if (lower > kTidLowMax) lower = kTidLowMax;
  return Tid{(higher << 32) | lower};
}

double time_from_tid(Tid tid) {
  const Fields f = unpack(tid);
  std::int64_t seconds, micro;
  split_lower(f.lower, seconds, micro);
  const std::int64_t days = days_from_civil(f.year, f.month, f.day);
  const std::int64_t total_us =
      ((days * 86400 + f.hour * 3600 + f.minute * 60 + seconds) * 1000000) + micro;
  return static_cast<double>(total_us) / 1e6;
}

std::string datetime_from_tid(Tid tid) {
  const Fields f = unpack(tid);
  std::int64_t seconds, micro;
  split_lower(f.lower, seconds, micro);
  char buf[64];
  int n = std::snprintf(buf, sizeof buf, "%04lld-%02lld-%02lld %02lld:%02lld:%02lld",
                        static_cast<long long>(f.year), static_cast<long long>(f.month),
                        static_cast<long long>(f.day), static_cast<long long>(f.hour),
                        static_cast<long long>(f.minute), static_cast<long long>(seconds));
  if (micro) std::snprintf(buf + n, sizeof buf - n, ".%06lld", static_cast<long long>(micro));
  return buf;
}

Result<Tid> parse_tid_arg(std::string_view text) {
  if (text.size() >= 4 && std::tolower(static_cast<unsigned char>(text[0])) == 't' &&
      std::tolower(static_cast<unsigned char>(text[1])) == 'i' &&
      std::tolower(static_cast<unsigned char>(text[2])) == 'd' && text[3] == ':') {
    Result<std::uint64_t> value = parse_python_int(text.substr(4));
    if (!value) return value.error();
    return Tid{*value};
  }
  const std::string s(strip(text));
  if (s.empty()) return errc::invalid_argument;
  char* end = nullptr;
  const double t = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size() || !std::isfinite(t) || t < 0) return errc::invalid_argument;
  return tid_from_time(t);
}

}  // namespace neo
