#include "cli/neolog/date_parse.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <ctime>
#include <string>

#include "cli/neolog/dateutil_parser.hpp"

namespace neo::neolog {
namespace {

bool is_space(char c) { return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

std::string lower(std::string_view s) {
  std::string r(s);
  for (char& c : r) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return r;
}

// Days from 1970-01-01 of a proleptic Gregorian date.
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

}  // namespace

std::optional<double> python_float(std::string_view text) {
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  std::string s;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '_') {
      if (i == 0 || i + 1 == text.size() || !is_digit(text[i - 1]) || !is_digit(text[i + 1])) {
        return std::nullopt;
      }
      continue;
    }
    s += text[i];
  }
  bool neg = false;
  std::string_view body = s;
  if (!body.empty() && (body[0] == '+' || body[0] == '-')) {
    neg = body[0] == '-';
    body.remove_prefix(1);
  }
  const std::string low = lower(body);
  double v;
  if (low == "inf" || low == "infinity") {
    v = INFINITY;
  } else if (low == "nan") {
    v = NAN;
  } else {
    // digits [. digits] [e [sign] digits], at least one digit in the mantissa
    std::size_t i = 0, mant = 0;
    while (i < body.size() && is_digit(body[i])) ++i, ++mant;
    if (i < body.size() && body[i] == '.') {
      ++i;
      while (i < body.size() && is_digit(body[i])) ++i, ++mant;
    }
    if (mant == 0) return std::nullopt;
    if (i < body.size() && (body[i] == 'e' || body[i] == 'E')) {
      ++i;
      if (i < body.size() && (body[i] == '+' || body[i] == '-')) ++i;
      const std::size_t exp_start = i;
      while (i < body.size() && is_digit(body[i])) ++i;
      if (i == exp_start) return std::nullopt;
    }
    if (i != body.size()) return std::nullopt;
    auto [end, ec] = std::from_chars(body.data(), body.data() + body.size(), v);
    if (ec == std::errc::result_out_of_range) {
      // Python rounds overflow to inf and underflow to 0.
      const auto e = body.find_first_of("eE");
      v = e != std::string_view::npos && body[e + 1] == '-' ? 0.0 : INFINITY;
    } else if (ec != std::errc{}) {
      return std::nullopt;
    }
  }
  return neg ? -v : v;
}

std::optional<TimeArg> parse_time_arg(std::string_view text, double now, std::string& error) {
  TimeArg arg;
  if (auto v = python_float(text)) {
    arg.timestamp = *v < 0 ? *v + now : *v;
    return arg;
  }
  const std::string quoted = "'" + std::string(text) + "'";
  auto f = parse_date_fields(text);
  if (!f) {
    error = "cannot read the date " + quoted +
            " (examples: 1795319356.3, -3600, 2026-11-22, '2026-11-22 03:49:21', "
            "2026-11-22T05:49:29+02:00, '22 Nov 2026 03:49')";
    return std::nullopt;
  }
  // _build_naive(): fields replace those of today at midnight.
  const std::time_t now_t = static_cast<std::time_t>(std::floor(now));
  std::tm today;
  localtime_r(&now_t, &today);
  const int year = f->year.value_or(today.tm_year + 1900);
  const int month = f->month.value_or(today.tm_mon + 1);
  int day = f->day.value_or(today.tm_mday);
  const int hour = f->hour.value_or(0), minute = f->minute.value_or(0);
  const int second = f->second.value_or(0), micro = f->microsecond.value_or(0);
  if (year < 1 || year > 9999 || month < 1 || month > 12) {
    error = "invalid date " + quoted + " (year or month out of range)";
    return std::nullopt;
  }
  if (!f->day) day = std::min(day, days_in_month(year, month));
  if (day < 1 || day > days_in_month(year, month) || hour < 0 || hour > 23 || minute < 0 ||
      minute > 59 || second < 0 || second > 59 || micro < 0 || micro > 999999) {
    error = "invalid date " + quoted + " (day, hour, minute or second out of range)";
    return std::nullopt;
  }
  std::int64_t days = days_from_civil(year, month, day);
  if (f->weekday && !f->day) {  // relativedelta(weekday=...): that day or the next ones
    const int wd = static_cast<int>(((days % 7) + 7 + 3) % 7);  // 1970-01-01 was a Thursday (3)
    days += (*f->weekday - wd + 7) % 7;
  }
  const std::int64_t wall = days * 86400 + hour * 3600 + minute * 60 + second;
  const std::string tzname = f->tzname.value_or("");
  const bool local_name = !tzname.empty() && (tzname == ::tzname[0] || tzname == ::tzname[1]);
  std::optional<std::int64_t> offset;  // seconds east of UTC; none: local time
  bool aware = true;
  if (local_name && !is_utc_zone_name(tzname)) {
    aware = true;  // the local zone, named: local time with that name's DST flag
  } else if (!tzname.empty() && is_utc_zone_name(tzname)) {
    offset = 0;
  } else if (f->tzoffset == 0) {
    offset = 0;
  } else if (f->tzoffset) {
    offset = *f->tzoffset;
  } else {
    aware = false;
    if (!tzname.empty()) {
      arg.warning = "time zone name '" + tzname + "' of " + quoted +
                    " is not understood and was ignored (use UTC or an offset like +02:00)";
    }
  }
  if (offset) {
    const std::int64_t utc = wall - *offset;
    arg.timestamp = static_cast<double>(utc * 1000000 + micro) / 1e6;
    return arg;
  }
  // Local time: time.mktime() (plus the fraction: Python adds microsecond * 1e-6).
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = static_cast<int>(day + (days - days_from_civil(year, month, day)));
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  tm.tm_isdst = -1;
  if (aware && local_name) tm.tm_isdst = tzname == ::tzname[1] && tzname != ::tzname[0] ? 1 : 0;
  const std::time_t t = std::mktime(&tm);
  if (aware) {
    arg.timestamp = static_cast<double>(static_cast<std::int64_t>(t) * 1000000 + micro) / 1e6;
  } else {
    arg.timestamp = static_cast<double>(t) + micro * 1e-6;
  }
  return arg;
}

}  // namespace neo::neolog
