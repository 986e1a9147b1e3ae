// A port of python-dateutil's parser.parse() (2.8.2, default parserinfo:
// English names, month before day when ambiguous), as upstream neolog's
// --from uses it: what it finds in a date string, or that it refuses it.
// No I/O; reads the current year for two-digit years.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace neo::neolog {

// What dateutil found in a date string (absent fields come from today).
struct DateFields {
  std::optional<int> year, month, day, weekday, hour, minute, second, microsecond;
  std::optional<std::string> tzname;
  std::optional<int> tzoffset;  // seconds east of UTC
};

// dateutil.parser's _parse() + validate(); nullopt where it raises.
std::optional<DateFields> parse_date_fields(std::string_view text);

// True for the names dateutil takes for UTC: UTC, GMT, Z (any case).
bool is_utc_zone_name(std::string_view name);

// Days in a month of the proleptic Gregorian calendar (month in 1..12).
int days_in_month(int year, int month);

}  // namespace neo::neolog
