#include "cli/neolog/time_format.hpp"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <ctime>
#include <string>

using namespace neo::neolog;

namespace {
struct WithTz {
  explicit WithTz(const char* tz) {
    ::setenv("TZ", tz, 1);
    ::tzset();
  }
  ~WithTz() {
    ::setenv("TZ", "UTC", 1);
    ::tzset();
  }
};
std::string column(const std::string& format, double date) {
  std::string s;
  DateColumn(format).append(s, date);
  return s;
}
}  // namespace

TEST_CASE("the date column truncates to 1/10000 s as upstream", "[neolog]") {
  WithTz tz("UTC");
  CHECK(column("%F %T", 1795319356.3560) == "2026-11-22 03:49:16.3559 ");  // 0.3559999...
  CHECK(column("%F %T", 1795319356.99999) == "2026-11-22 03:49:16.9999 ");
  CHECK(column("%F %T", 1795319356.0) == "2026-11-22 03:49:16.0000 ");
  CHECK(column("%F %T", 1795319356.00005) == "2026-11-22 03:49:16.0000 ");
  CHECK(column("%H:%M:%S", 1795319356.5) == "03:49:16.5000 ");
  CHECK(column("[%d/%m/%Y %Hh%M]", 1795319356.5) == "[22/11/2026 03h49].5000 ");
  CHECK(column("", 1795319356.5).empty());
}

TEST_CASE("the date column is local time", "[neolog]") {
  WithTz tz("Europe/Paris");
  CHECK(column("%F %T %Z", 1795319356.25) == "2026-11-22 04:49:16 CET.2500 ");
  CHECK(column("%F %T %z", 1782921600.0) == "2026-07-01 18:00:00 +0200.0000 ");
}

TEST_CASE("zero padding follows Python's %04u, sign included", "[neolog]") {
  std::string s;
  append_zero_padded(s, 5, 4);
  append_zero_padded(s, -5, 4);
  append_zero_padded(s, 123456, 4);
  CHECK(s ==
        "0005-00512345"
        "6");
}

TEST_CASE("utcfromtimestamp() text rounds microseconds half to even", "[neolog]") {
  // Expected strings produced by CPython 3.11.
  CHECK(utc_datetime_str(1795319356.361737) == "2026-11-22 03:49:16.361737");
  CHECK(utc_datetime_str(0.5) == "1970-01-01 00:00:00.500000");
  CHECK(utc_datetime_str(1.0000005) == "1970-01-01 00:00:01.000001");
  CHECK(utc_datetime_str(1.0000015) == "1970-01-01 00:00:01.000001");
  CHECK(utc_datetime_str(1795319356.9999996) == "2026-11-22 03:49:17");
  CHECK(utc_datetime_str(-1.5) == "1969-12-31 23:59:58.500000");
  CHECK(utc_datetime_str(std::int64_t{1795319367}) == "2026-11-22 03:49:27");
  CHECK_FALSE(utc_datetime_str(1e300));
}
