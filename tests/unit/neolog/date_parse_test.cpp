#include "cli/neolog/date_parse.hpp"

#include <catch2/catch.hpp>
#include <cmath>
#include <cstdlib>
#include <ctime>
#include <string>
#include <utility>
#include <vector>

using namespace neo::neolog;

namespace {
struct Zone {
  const char* tz;
  std::vector<std::pair<const char*, double>> cases;
};
// Expected: what upstream neolog computes for --from with python-dateutil
// 2.8.2 (aware dates: (x - x.fromtimestamp(0, x.tzinfo)).total_seconds();
// naive ones: time.mktime(x.timetuple()) + x.microsecond * 1e-6).
const std::vector<Zone> kZones = {
    {"UTC",
     {
         {"2026-11-22", 1795305600.0},
         {"2026-11-22 03:49:21", 1795319361.0},
         {"2026-11-22T03:49:21", 1795319361.0},
         {"2026-11-22T03:49:21.299908", 1795319361.299908},
         {"2026-11-22T03:49:21,5", 1795319361.5},
         {"2026-11-22T05:49:29+02:00", 1795319369.0},
         {"2026-11-22T05:49:29+0200", 1795319369.0},
         {"2026-11-22T05:49:29-05", 1795344569.0},
         {"2026-11-22T05:49:29Z", 1795326569.0},
         {"2026-11-22 05:49:29 UTC", 1795326569.0},
         {"2026-11-22 05:49:29 GMT+3", 1795337369.0},
         {"22 Nov 2026 03:49", 1795319340.0},
         {"22 Nov 2026", 1795305600.0},
         {"Nov 22 2026", 1795305600.0},
         {"Nov 22, 2026 3:49 PM", 1795362540.0},
         {"November 22 2026 03:49:21", 1795319361.0},
         {"Sunday, November 22 2026", 1795305600.0},
         {"2026/11/22 03:49:21", 1795319361.0},
         {"11/22/2026", 1795305600.0},
         {"22/11/2026", 1795305600.0},
         {"22.11.2026 03:49", 1795319340.0},
         {"20261122T034921", 1795319361.0},
         {"2026-Nov-22", 1795305600.0},
         {"22-Nov-2026", 1795305600.0},
         {"Thu Nov 22 03:49:21 2026", 1795319361.0},
         {"2026-11-22 03:49:21 -0300 (BRST)", 1795330161.0},
         {"2026-11-22T03:49:21.5+05:30", 1795299561.5},
         {"10h30 2026-11-22", 1795343400.0},
         {"1999-12-31 23:59:59.9999999", 946684799.999999},
         {"2026-11-22 12am", 1795305600.0},
         {"2026-11-22 12:30 pm", 1795350600.0},
     }},
    {"Europe/Paris",
     {
         {"2026-11-22", 1795302000.0},
         {"2026-11-22 03:49:21", 1795315761.0},
         {"2026-11-22T03:49:21", 1795315761.0},
         {"2026-11-22T03:49:21.299908", 1795315761.299908},
         {"2026-11-22T03:49:21,5", 1795315761.5},
         {"2026-11-22T05:49:29+02:00", 1795319369.0},
         {"2026-11-22T05:49:29+0200", 1795319369.0},
         {"2026-11-22T05:49:29-05", 1795344569.0},
         {"2026-11-22T05:49:29Z", 1795326569.0},
         {"2026-11-22 05:49:29 UTC", 1795326569.0},
         {"2026-11-22 05:49:29 GMT+3", 1795337369.0},
         {"22 Nov 2026 03:49", 1795315740.0},
         {"22 Nov 2026", 1795302000.0},
         {"Nov 22 2026", 1795302000.0},
         {"Nov 22, 2026 3:49 PM", 1795358940.0},
         {"November 22 2026 03:49:21", 1795315761.0},
         {"Sunday, November 22 2026", 1795302000.0},
         {"2026/11/22 03:49:21", 1795315761.0},
         {"11/22/2026", 1795302000.0},
         {"22/11/2026", 1795302000.0},
         {"22.11.2026 03:49", 1795315740.0},
         {"20261122T034921", 1795315761.0},
         {"2026-Nov-22", 1795302000.0},
         {"22-Nov-2026", 1795302000.0},
         {"Thu Nov 22 03:49:21 2026", 1795315761.0},
         {"2026-11-22 03:49:21 -0300 (BRST)", 1795330161.0},
         {"2026-11-22T03:49:21.5+05:30", 1795299561.5},
         {"10h30 2026-11-22", 1795339800.0},
         {"1999-12-31 23:59:59.9999999", 946681199.999999},
         {"2026-11-22 12am", 1795302000.0},
         {"2026-11-22 12:30 pm", 1795347000.0},
     }},
};
}  // namespace

TEST_CASE("--from dates give the timestamps upstream computes with dateutil", "[neolog]") {
  for (const Zone& zone : kZones) {
    ::setenv("TZ", zone.tz, 1);
    ::tzset();
    for (const auto& [text, expected] : zone.cases) {
      INFO(zone.tz << ": " << text);
      std::string error;
      auto arg = parse_time_arg(text, 1.8e9, error);
      REQUIRE(arg);
      CHECK(arg->timestamp == expected);
    }
  }
  ::setenv("TZ", "UTC", 1);
  ::tzset();
}

TEST_CASE("--from numbers are timestamps, negative ones relative to now", "[neolog]") {
  std::string error;
  CHECK(parse_time_arg("1795319367.299908", 2e9, error)->timestamp == 1795319367.299908);
  CHECK(parse_time_arg("20261122", 2e9, error)->timestamp == 20261122.0);
  CHECK(parse_time_arg("-3600", 2e9, error)->timestamp == 2e9 - 3600);
  CHECK(parse_time_arg(" 1_000.5 ", 2e9, error)->timestamp == 1000.5);
}

TEST_CASE("Python's float() syntax is followed", "[neolog]") {
  CHECK(python_float("1e5") == 1e5);
  CHECK(python_float("-5e3") == -5e3);
  CHECK(python_float(".5") == 0.5);
  CHECK(python_float("5.") == 5.0);
  CHECK(python_float("+inf") == INFINITY);
  CHECK(std::isnan(*python_float("NaN")));
  CHECK(python_float("1e400") == INFINITY);
  CHECK_FALSE(python_float("0x10"));
  CHECK_FALSE(python_float("1__0"));
  CHECK_FALSE(python_float("_1"));
  CHECK_FALSE(python_float(""));
  CHECK_FALSE(python_float("1e"));
  CHECK_FALSE(python_float("2026-11-22"));
}

TEST_CASE("unreadable or invalid dates are refused with an explanation", "[neolog]") {
  for (const char* text : {"garbage", "2026-02-30", "2026-13-01", "2026-11-22 25:00", "Z",
                           "2026-11-22 03:49:60", "inf o", ""}) {
    INFO(text);
    std::string error;
    CHECK_FALSE(parse_time_arg(text, 2e9, error));
    CHECK_FALSE(error.empty());
  }
}

TEST_CASE("dates without a day or year take today's", "[neolog]") {
  ::setenv("TZ", "UTC", 1);
  ::tzset();
  std::string error;
  const double now = 1795319356.5;  // 2026-11-22 03:49:16.5 UTC
  CHECK(parse_time_arg("03:49", now, error)->timestamp == 1795319340.0);
  CHECK(parse_time_arg("3pm", now, error)->timestamp == 1795359600.0);
  CHECK(parse_time_arg("Nov 1", now, error)->timestamp == 1793491200.0);
  // A weekday alone: that day of the current week or the next ones.
  CHECK(parse_time_arg("Mon", now, error)->timestamp == 1795392000.0);
}

TEST_CASE("an unknown time zone name is ignored with a warning", "[neolog]") {
  ::setenv("TZ", "UTC", 1);
  ::tzset();
  std::string error;
  auto arg = parse_time_arg("2026-11-22 03:49:21 XYZ", 2e9, error);
  REQUIRE(arg);
  CHECK(arg->timestamp == 1795319361.0);
  CHECK_FALSE(arg->warning.empty());
}
