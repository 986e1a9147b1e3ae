// TID <-> time, as ZODB's TimeStamp and NEO/py's neo.lib.util compute them,
// down to the floating-point operations, so that printed dates match.
#include <algorithm>
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

// Python's int(text, 0) for values that fit p64(): 0x/0o/0b prefixes and
// underscores between digits; "-0" is zero, other negatives are rejected.
Result<std::uint64_t> parse_python_int(std::string_view text) {
  text = strip(text);
  bool negative = false;
  if (!text.empty() && (text.front() == '+' || text.front() == '-')) {
    negative = text.front() == '-';
    text.remove_prefix(1);
  }
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
  if (ec != std::errc{} || ptr != end || (negative && value != 0)) return errc::invalid_argument;
  return value;
}

// Python's float(text) for finite decimal numbers: optional sign, digits
// with single underscores between them, optional fraction and exponent.
// No hex floats (strtod would take them), no inf/nan (gmtime rejects them).
Result<double> parse_python_float(std::string_view text) {
  text = strip(text);
  std::string s;
  std::size_t i = 0;
  const auto digit = [&](std::size_t at) {
    return at < text.size() && std::isdigit(static_cast<unsigned char>(text[at]));
  };
  const auto digit_part = [&] {  // digit (["_"] digit)*; returns the digit count
    int count = 0;
    while (i < text.size()) {
      if (digit(i)) {
        s.push_back(text[i++]);
        ++count;
      } else if (text[i] == '_' && count > 0 && digit(i + 1)) {
        ++i;
      } else {
        break;
      }
    }
    return count;
  };
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) s.push_back(text[i++]);
  int mantissa_digits = digit_part();
  if (i < text.size() && text[i] == '.') {
    s.push_back(text[i++]);
    mantissa_digits += digit_part();
  }
  if (mantissa_digits == 0) return errc::invalid_argument;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    s.push_back(text[i++]);
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) s.push_back(text[i++]);
    if (digit_part() == 0) return errc::invalid_argument;
  }
  if (i != text.size()) return errc::invalid_argument;
  const char* begin = s.data() + (s[0] == '+');  // from_chars takes no '+'
  double value = 0;
  auto [ptr, ec] = std::from_chars(begin, s.data() + s.size(), value);
  if (ec != std::errc{} || ptr != s.data() + s.size()) return errc::invalid_argument;
  return value;
}

// NEO/py's tidFromTime, failing where it raises: before 1900 (packTID's
// assertion), past the last minute a TID can hold (struct.error), and for
// the negative lower part that its truncation gives to times like -59.5.
Result<Tid> checked_tid_from_time(double unix_time) {
  // 1900-01-01 and roughly year 9918: a wide guard before the exact checks.
  if (!std::isfinite(unix_time) || unix_time < -2208988800.0 || unix_time >= 2.6e11)
    return errc::invalid_argument;
  const auto whole = static_cast<std::time_t>(std::floor(unix_time));
  std::tm gmt{};
  if (!gmtime_r(&whole, &gmt)) return errc::invalid_argument;
  const std::uint64_t higher =
      ((((static_cast<std::uint64_t>(gmt.tm_year) * 12 + gmt.tm_mon) * 31 + gmt.tm_mday - 1) * 24 +
        gmt.tm_hour) *
           60 +
       gmt.tm_min);
  // Python: int((tm_sec + (tm - int(tm))) / SECOND_FROM_UINT32)
  const double seconds = gmt.tm_sec + (unix_time - std::trunc(unix_time));
  const double scaled = std::trunc(seconds / (60.0 / kTidLowOverflow));
  if (higher > kTidLowMax || scaled < 0) return errc::invalid_argument;
  const std::uint64_t lower = std::min(static_cast<std::uint64_t>(scaled), kTidLowMax);
  return Tid{(higher << 32) | lower};
}

// Python's int / int true division, which rounds correctly once; a double
// conversion first would round twice past 2**53 us (after year 2255).
double div_micro(std::int64_t micro) {
  constexpr std::int64_t kExact = std::int64_t{1} << 53;
  if (micro > -kExact && micro < kExact) return static_cast<double>(micro) / 1e6;
  const bool negative = micro < 0;
  const unsigned __int128 n = negative ? -static_cast<unsigned __int128>(micro) : micro;
  constexpr unsigned __int128 kDiv = 1000000;
  // Scale so that the quotient has 55 bits: 53 kept, a guard bit and one more.
  int shift = 0;
  while (((n << shift) / kDiv) >> 54 == 0) ++shift;
  unsigned __int128 q = (n << shift) / kDiv;
  const bool sticky = (q & 1) || (n << shift) % kDiv != 0;
  const bool guard = (q >> 1) & 1;
  q >>= 2;
  if (guard && (sticky || (q & 1))) ++q;  // round half to even
  const double value = std::ldexp(static_cast<double>(static_cast<std::uint64_t>(q)), 2 - shift);
  return negative ? -value : value;
}

}  // namespace

Tid tid_from_time(double unix_time) {
  Result<Tid> tid = checked_tid_from_time(unix_time);
  return tid ? *tid : kInvalidTid;
}

double time_from_tid(Tid tid) {
  const Fields f = unpack(tid);
  std::int64_t seconds, micro;
  split_lower(f.lower, seconds, micro);
  const std::int64_t days = days_from_civil(f.year, f.month, f.day);
  const std::int64_t total_us =
      ((days * 86400 + f.hour * 3600 + f.minute * 60 + seconds) * 1000000) + micro;
  return div_micro(total_us);
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
  Result<double> t = parse_python_float(text);
  if (!t) return t.error();
  return checked_tid_from_time(*t);
}

}  // namespace neo
