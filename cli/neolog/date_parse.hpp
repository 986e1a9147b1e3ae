// The time arguments of neolog (--from, --until), read as upstream reads
// --from: a number is a UNIX timestamp (now + N if negative); anything else
// is a date string as python-dateutil's parser.parse() understands it
// (ISO 8601 with or without time/fraction/offset, "22 Nov 2026 03:49",
// "Nov 22 2026", "2026/11/22 03:49:21", "03:49" = today...). Dates without
// a time zone are local time (TZ). No I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "cli/neolog/dateutil_parser.hpp"

namespace neo::neolog {

// Python's float(text): decimal or exponent notation, inf, nan, digit
// underscores, surrounding whitespace; nullopt if Python would refuse it.
std::optional<double> python_float(std::string_view text);

struct TimeArg {
  double timestamp = 0;
  std::string warning;  // e.g. a time zone name that was ignored
};

// A --from/--until value; nullopt (and `error` set) if it cannot be read.
// `now` is time.time() (for negative offsets and dates without a day).
std::optional<TimeArg> parse_time_arg(std::string_view text, double now, std::string& error);

}  // namespace neo::neolog
