// Date rendering as upstream neolog does it with Python's time and datetime
// modules: the date column (strftime of the local time + 1/10000 s, truncated)
// and str(datetime.utcfromtimestamp(t)). Local time follows TZ. No I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace neo::neolog {

// Python's "%0<width>d" % v: zero padding after the sign ("-005").
void append_zero_padded(std::string& out, std::int64_t v, int width);

// Python's time.strftime(format, time.localtime(seconds)); nullopt if the
// time cannot be converted.
std::optional<std::string> local_strftime(const std::string& format, std::int64_t seconds);

// The date column: "<strftime>.<ffff> ", or nothing for an empty format.
// Caches the strftime result of the last second (records come in order).
class DateColumn {
 public:
  explicit DateColumn(std::string format) : format_(std::move(format)) {}
  bool enabled() const { return !format_.empty(); }
  void append(std::string& out, double date);

 private:
  std::string format_;
  bool cached_ = false;
  std::int64_t cached_seconds_ = 0;
  std::string cached_text_;
};

// str(datetime.datetime.utcfromtimestamp(t)): "2026-11-22 03:49:16.361737"
// (no fraction when it rounds to a whole second; microseconds rounded half
// to even as CPython does); nullopt outside years 1..9999.
std::optional<std::string> utc_datetime_str(double t);
std::optional<std::string> utc_datetime_str(std::int64_t t);

// A date for messages: "2026-11-22 03:49:18.1365 (1795319358.1365538)"
// (local time, then the exact value).
std::string describe_date(double date);

// ISO 8601 local time with microseconds and offset, for --json:
// "2026-11-22T03:49:16.356012+00:00".
std::string iso_local_time(double t);

}  // namespace neo::neolog
