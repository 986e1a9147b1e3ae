// log::Throttle: a flood of the same log line costs a few lines per period,
// and the next line logged says how many were not (issue 20, finding 4).
#include "core/log/throttle.hpp"

#include <catch2/catch.hpp>
#include <string>

TEST_CASE("a throttled line is logged a few times per period, then summarized", "[log]") {
  double now = 100;
  neo::log::Throttle throttle(10, 2, [&] { return now; });
  std::string more = "stale";
  CHECK(throttle.allow(more));
  CHECK(more.empty());
  CHECK(throttle.allow(more));
  int logged = 0;
  for (int i = 0; i < 1000; ++i) {
    now += 0.001;
    logged += throttle.allow(more);
  }
  CHECK(logged == 0);
  now = 111;  // next period
  REQUIRE(throttle.allow(more));
  CHECK(more == " (1000 more in the last 11 s)");
  CHECK(throttle.allow(more));
  CHECK(more.empty());
  CHECK_FALSE(throttle.allow(more));
}
