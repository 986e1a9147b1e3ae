// TID <-> time, checked against NEO/py. Every expected value below was
// computed once by upstream's own functions (neo.lib.util.tidFromTime,
// datetimeFromTID, timeFromTID, and neo.neoctl.app's TerminalNeoCTL.asTID)
// with Debian 12's /usr/bin/python3 and hard-coded here: do not "fix" them
// by hand; recompute them with NEO/py if they ever need to change.
#include <catch2/catch.hpp>
#include <cstdint>
#include <string>

#include "core/util/ids.hpp"

using namespace neo;

namespace {

struct TimeCase {
  double unix_time;
  std::uint64_t tid;
};

// tidFromTime(t): fractions, the epoch, leap days, ends of month and year,
// minute boundaries, 2038, 2100 (not a leap year), the first and last TIDs.
const TimeCase kTimeCases[] = {
    {0.0, 0x023c2b0000000000ULL},
    {0.5, 0x023c2b0002222222ULL},
    {1e-06, 0x023c2b0000000047ULL},
    {59.999999, 0x023c2b00ffffffb8ULL},
    {60.0, 0x023c2b0100000000ULL},
    {119.99999999, 0x023c2b01ffffffffULL},
    {1714564800.0, 0x03f84a5000000000ULL},
    {1714564800.25, 0x03f84a5001111111ULL},
    {1714564815.0, 0x03f84a5040000000ULL},
    {1714564859.999999, 0x03f84a50ffffffbbULL},
    {1714564860.0, 0x03f84a5100000000ULL},
    {1714564799.9999995, 0x03f84a4fffffffddULL},
    {951782400.0, 0x0332ade000000000ULL},
    {951868799.999999, 0x0332b37fffffffbbULL},
    {1709251199.5, 0x03f6df7ffdddddddULL},
    {1709251200.0, 0x03f6eac000000000ULL},
    {1704067199.999, 0x03f58dfffffee866ULL},
    {1704067200.0, 0x03f58e0000000000ULL},
    {1706745599.75, 0x03f63c5ffeeeeeeeULL},
    {1234567890.123456, 0x037be9e38086d8ccULL},
    {4102444800.0, 0x0662c40000000000ULL},
    {4107542399.5, 0x06640fdffdddddddULL},
    {2147483647.0, 0x046863021dddddddULL},
    {2147483648.5, 0x0468630224444444ULL},
    {1000000000.0, 0x033f2eeaaaaaaaaaULL},
    {1700000000.000001, 0x03f47f9555555599ULL},
    {946684799.9999999, 0x033161fffffffff7ULL},
    {946684800.0, 0x0331620000000000ULL},
    // 253402300799.0 (9999-12-31): struct.error, see the kInvalidTid test
    {-1.0, 0x023c2afffbbbbbbbULL},
    {-0.5, 0x023c2afff9999999ULL},
    // -2208988799.75: struct.error, see the kInvalidTid test
    {1000000000.1, 0x033f2eeaab17e4b3ULL},
    {3000000000.3333335, 0x05453120016c16ccULL},
    {250807810500.0, 0xffffffff00000000ULL},  // the last minute a TID can hold
    {250807810559.999, 0xfffffffffffee666ULL},
    {-60.5, 0x023c2afef9999999ULL},
    // 250807810560.0 (9917-10-14 04:16): struct.error, out of range
    // -59.5: struct.error (negative lower part after int() truncation)
    {-2208988800.0, 0x0000000000000000ULL},  // 1900-01-01 00:00, the first TID
};

struct TidCase {
  std::uint64_t tid;
  const char* datetime;  // str(datetimeFromTID(p64(tid)))
  double unix_time;      // timeFromTID(p64(tid))
};

const TidCase kTidCases[] = {
    {0x0000000000000000ULL, "1900-01-01 00:00:00", -2208988800.0},
    {0x0000000000000001ULL, "1900-01-01 00:00:00", -2208988800.0},
    {0x00000000ffffffffULL, "1900-01-01 00:00:59.999999", -2208988740.000001},
    {0x0000000100000000ULL, "1900-01-01 00:01:00", -2208988740.0},
    {0x03f84a5000000000ULL, "2024-05-01 12:00:00", 1714564800.0},
    {0x03f84a5000000001ULL, "2024-05-01 12:00:00", 1714564800.0},
    {0x03f84a5040000000ULL, "2024-05-01 12:00:15", 1714564815.0},
    {0x03f84a50ffffffffULL, "2024-05-01 12:00:59.999999", 1714564859.999999},
    {0x03f84a50fffffffeULL, "2024-05-01 12:00:59.999999", 1714564859.999999},
    {0x03f84a507fffffffULL, "2024-05-01 12:00:29.999999", 1714564829.999999},
    {0x03f84a5080000000ULL, "2024-05-01 12:00:30", 1714564830.0},
    {0x03f84a5000001000ULL, "2024-05-01 12:00:00.000057", 1714564800.000057},
    {0x03f84a5000001100ULL, "2024-05-01 12:00:00.000060", 1714564800.00006},
    {0x7fffffffffffffffULL, "5908-11-23 02:07:59.999999", 124299454080.0},
    {0x0000000000001234ULL, "1900-01-01 00:00:00.000065", -2208988799.999935},
    {0x03e8d0b3fffffff0ULL, "2022-06-10 05:07:59.999999", 1654837679.999999},
    {0x123456789abcdef0ULL, "2470-02-27 03:36:36.266666", 15783478596.266666},
    {0x0e7a0a2f00000000ULL, "2353-05-26 23:43:00", 12098936580.0},
    {0x0e7a0a2fffffffffULL, "2353-05-26 23:43:59.999999", 12098936639.999998},
    {0x023c2b0000000000ULL, "1970-01-01 00:00:00", 0.0},
    {0x023c2b0002222222ULL, "1970-01-01 00:00:00.499999", 0.499999},
    {0x023c2b0000000047ULL, "1970-01-01 00:00:00", 0.0},
    {0x023c2b00ffffffb8ULL, "1970-01-01 00:00:59.999998", 59.999998},
    {0x023c2b0100000000ULL, "1970-01-01 00:01:00", 60.0},
    {0x023c2b01ffffffffULL, "1970-01-01 00:01:59.999999", 119.999999},
    {0x03f84a5001111111ULL, "2024-05-01 12:00:00.249999", 1714564800.249999},
    {0x03f84a50ffffffbbULL, "2024-05-01 12:00:59.999999", 1714564859.999999},
    {0x03f84a5100000000ULL, "2024-05-01 12:01:00", 1714564860.0},
    {0x03f84a4fffffffddULL, "2024-05-01 11:59:59.999999", 1714564799.999999},
    {0x0332ade000000000ULL, "2000-02-29 00:00:00", 951782400.0},
    {0x0332b37fffffffbbULL, "2000-02-29 23:59:59.999999", 951868799.999999},
    {0x03f6df7ffdddddddULL, "2024-02-29 23:59:59.499999", 1709251199.499999},
    {0x03f6eac000000000ULL, "2024-03-01 00:00:00", 1709251200.0},
    {0x03f58dfffffee866ULL, "2023-12-31 23:59:59.999000", 1704067199.999},
    {0x03f58e0000000000ULL, "2024-01-01 00:00:00", 1704067200.0},
    {0x03f63c5ffeeeeeeeULL, "2024-01-31 23:59:59.749999", 1706745599.749999},
    {0x037be9e38086d8ccULL, "2009-02-13 23:31:30.123455", 1234567890.123455},
    {0x0662c40000000000ULL, "2100-01-01 00:00:00", 4102444800.0},
    {0x06640fdffdddddddULL, "2100-02-28 23:59:59.499999", 4107542399.499999},
    {0x046863021dddddddULL, "2038-01-19 03:14:06.999999", 2147483646.999999},
    {0x0468630224444444ULL, "2038-01-19 03:14:08.499999", 2147483648.499999},
    {0x033f2eeaaaaaaaaaULL, "2001-09-09 01:46:39.999999", 999999999.999999},
    {0x03f47f9555555599ULL, "2023-11-14 22:13:20", 1700000000.0},
    {0x033161fffffffff7ULL, "1999-12-31 23:59:59.999999", 946684799.999999},
    {0x0331620000000000ULL, "2000-01-01 00:00:00", 946684800.0},
    {0x023c2afffbbbbbbbULL, "1969-12-31 23:59:58.999999", -1.000001},
    {0x023c2afff9999999ULL, "1969-12-31 23:59:58.499999", -1.500001},
    {0x033f2eeaab17e4b3ULL, "2001-09-09 01:46:40.100000", 1000000000.1},
    {0x05453120016c16ccULL, "2065-01-24 05:20:00.333333", 3000000000.333333},
    {0xffffffffffffffffULL, "9917-10-14 04:15:59.999999", 250807810560.0},
    {0xfffffffffffee666ULL, "9917-10-14 04:15:59.998992", 250807810559.999},
};

constexpr std::uint64_t kFails = ~std::uint64_t{0} - 1;  // asTID raises

struct ArgCase {
  const char* text;
  std::uint64_t tid;  // u64(asTID(text)), or kFails if asTID raises
};

// asTID(text): 'tid:' + int(x, 0), else tidFromTime(float(x)).
const ArgCase kArgCases[] = {
    {"tid:0x03f84a5000000000", 0x03f84a5000000000ULL},
    {"TID:123", 0x000000000000007bULL},
    {"Tid:0o17", 0x000000000000000fULL},
    {"tid:0b101", 0x0000000000000005ULL},
    {"tid:1_000", 0x00000000000003e8ULL},
    {"tid: 42 ", 0x000000000000002aULL},
    {"tid:0x_ff", 0x00000000000000ffULL},
    {"tid:007", kFails},
    {"tid:00", 0x0000000000000000ULL},
    {"tid:0_0", 0x0000000000000000ULL},
    {"tid:", kFails},
    {"tid:-1", kFails},
    {"tid:-0", 0x0000000000000000ULL},
    {"tid:+7", 0x0000000000000007ULL},
    {"tid:0x1_0000_0000_0000_0000", kFails},
    {"tid:0xffffffffffffffff", 0xffffffffffffffffULL},
    {"tid:1__0", kFails},
    {"tid:1_", kFails},
    {"tid:_1", kFails},
    {"tid:0x", kFails},
    {"tid:1.5", kFails},
    {"tid:0X1F", 0x000000000000001fULL},
    {"tid:18446744073709551616", kFails},
    {"1714564800", 0x03f84a5000000000ULL},
    {"1714564800.25", 0x03f84a5001111111ULL},
    {" 1714564800.5 ", 0x03f84a5002222222ULL},
    {"1.7e9", 0x03f47f9555555555ULL},
    {"1.7E9", 0x03f47f9555555555ULL},
    {"abc", kFails},
    {"", kFails},
    {" ", kFails},
    {"nan", kFails},
    {"inf", kFails},
    {"-inf", kFails},
    {"Infinity", kFails},
    {"-1", 0x023c2afffbbbbbbbULL},
    {"-0.5", 0x023c2afff9999999ULL},
    {"1_000.5", 0x023c2b10acccccccULL},
    {"1__0", kFails},
    {"0x10", kFails},
    {"+5", 0x023c2b0015555555ULL},
    {".5", 0x023c2b0002222222ULL},
    {"5.", 0x023c2b0015555555ULL},
    {"1e3", 0x023c2b10aaaaaaaaULL},
    {"1_0e1_0", 0x676a016aaaaaaaaaULL},
    {"1e", kFails},
    {"1.5f", kFails},
    {"-2208988801", kFails},
    {"-2208988800", 0x0000000000000000ULL},
    {"253402300799", kFails},
    {"1e12", kFails},
    {"1e20", kFails},
    {"12:00", kFails},
    {"tid:0x03F84A50", 0x0000000003f84a50ULL},
    {"tid:9223372036854775807", 0x7fffffffffffffffULL},
    {"-2208988800.5", kFails},  // year 1899: packTID's assertion
    {"-59.5", kFails},          // struct.error: negative lower part
    {"0x1p3", kFails},          // hex floats: strtod takes them, float() does not
    {"1._5", kFails},
    {"1_.5", kFails},
    {"1e400", kFails},  // float() gives inf; gmtime raises
};

}  // namespace

TEST_CASE("tid_from_time matches NEO/py's tidFromTime", "[util]") {
  for (const TimeCase& c : kTimeCases) {
    INFO("unix time " << std::to_string(c.unix_time));
    CHECK(to_string(tid_from_time(c.unix_time)) == to_string(Tid{c.tid}));
  }
}

TEST_CASE("tid_from_time gives kInvalidTid where NEO/py raises", "[util]") {
  const std::string invalid = to_string(kInvalidTid);
  CHECK(to_string(tid_from_time(250807810560.0)) == invalid);  // past the last TID minute
  CHECK(to_string(tid_from_time(253402300799.0)) == invalid);  // 9999-12-31
  CHECK(to_string(tid_from_time(-2208988800.5)) == invalid);   // 1899
  CHECK(to_string(tid_from_time(-2208988799.75)) == invalid);  // negative lower part
  CHECK(to_string(tid_from_time(1e20)) == invalid);
}

TEST_CASE("datetime_from_tid and time_from_tid match NEO/py", "[util]") {
  for (const TidCase& c : kTidCases) {
    INFO("tid " << to_string(Tid{c.tid}));
    CHECK(datetime_from_tid(Tid{c.tid}) == c.datetime);
    // Exact: timeFromTID divides integer microseconds by 10**6, rounding once.
    CHECK(time_from_tid(Tid{c.tid}) == c.unix_time);
  }
}

TEST_CASE("a TID with no microseconds prints no fraction", "[util]") {
  CHECK(datetime_from_tid(Tid{0x03f84a5000000000ULL}) == "2024-05-01 12:00:00");
  CHECK(datetime_from_tid(Tid{0x03f84a5040000000ULL}) == "2024-05-01 12:00:15");
  // 1/2**32 of a minute is 0.000014 s: truncated to 0 us, so no fraction either.
  CHECK(datetime_from_tid(Tid{0x03f84a5000000001ULL}) == "2024-05-01 12:00:00");
}

TEST_CASE("parse_tid_arg accepts what neoctl's asTID accepts", "[util]") {
  for (const ArgCase& c : kArgCases) {
    INFO("argument '" << c.text << "'");
    Result<Tid> tid = parse_tid_arg(c.text);
    if (c.tid == kFails) {
      CHECK_FALSE(tid);
      if (!tid) CHECK(tid.error() == errc::invalid_argument);
    } else {
      REQUIRE(tid);
      CHECK(to_string(*tid) == to_string(Tid{c.tid}));
    }
  }
}

TEST_CASE("whole seconds come back one microsecond short, as in NEO/py", "[util]") {
  // 1 s is 71582788.27 units of 60/2**32 s; int() keeps 71582788.
  const Tid tid = tid_from_time(1714564801.0);
  CHECK(to_string(tid) == "0x03f84a5004444444");
  CHECK(datetime_from_tid(tid) == "2024-05-01 12:00:00.999999");
  CHECK(time_from_tid(tid) == 1714564800.999999);
}
