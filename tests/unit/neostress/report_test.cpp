// neostress's report: recovery percentiles and the JSON summary.
#include "cli/neostress/report.hpp"

#include <catch2/catch.hpp>

namespace neo::stress {
namespace {

Fault fault(FaultKind kind, std::optional<double> recovery) {
  return Fault{.number = 1, .kind = kind, .recovery = recovery};
}

TEST_CASE("recovery percentiles are taken per kind and over all") {
  std::vector<Fault> faults;
  for (int i = 1; i <= 100; ++i) faults.push_back(fault(FaultKind::KillStorage, i / 10.0));
  faults.push_back(fault(FaultKind::Pack, std::nullopt));
  faults.push_back(fault(FaultKind::Reset, 0.05));
  const Percentiles storage = recovery_of(faults, FaultKind::KillStorage);
  CHECK(storage.count == 100);
  CHECK(storage.p50 == 5.0);
  CHECK(storage.p99 == 9.9);
  CHECK(storage.max == 10.0);
  CHECK(recovery_of(faults, FaultKind::Pack).count == 0);
  CHECK(recovery_of(faults, std::nullopt).count == 101);
}

TEST_CASE("the JSON summary says whether the run passed, with each kind's figures") {
  RunReport report;
  report.seed = 7;
  report.seconds = 10;
  report.acked = 250;
  report.kinds = {FaultKind::KillStorage, FaultKind::Reset};
  report.faults = {fault(FaultKind::KillStorage, 1.5), fault(FaultKind::Reset, 0.1)};
  report.check = CheckResult{};
  report.check->replicas_status = 0;
  std::string json = format_json(report);
  CHECK(json.find("\"ok\": true") != std::string::npos);
  CHECK(json.find("\"commits_per_second\": 25.000") != std::string::npos);
  CHECK(json.find("\"kill-storage\": {\"count\": 1") != std::string::npos);
  CHECK(json.find("\"violations\": []") != std::string::npos);

  report.violations.push_back("storage1 exited by itself: \"oops\"");
  json = format_json(report);
  CHECK(json.find("\"ok\": false") != std::string::npos);
  CHECK(json.find("storage1 exited by itself: \\\"oops\\\"") != std::string::npos);
  CHECK(format_summary(report).find("FAILED") != std::string::npos);
}

}  // namespace
}  // namespace neo::stress
