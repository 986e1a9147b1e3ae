// cli/neostress/report.hpp
// The end of a run: what was done (faults by kind, commits, recovery times
// p50/p99/max) and what went wrong, as text for the operator and as JSON
// for scripts. Pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cli/neostress/checker.hpp"
#include "cli/neostress/faults.hpp"

namespace neo::stress {

struct RunReport {
  std::uint64_t seed = 0;
  double seconds = 0;            // of load
  std::uint64_t acked = 0;       // commits acknowledged to the clients
  std::vector<FaultKind> kinds;  // enabled
  std::vector<Fault> faults;
  std::vector<std::string> violations;  // outside the checker (crashes, bounds)
  std::optional<CheckResult> check;
  std::string data_dir;

  bool ok() const { return violations.empty() && check && check->ok(); }
};

struct Percentiles {
  std::size_t count = 0;
  double p50 = 0, p99 = 0, max = 0;
};
// Of the recovery times of `kind` (all disruptive kinds if nullopt).
Percentiles recovery_of(const std::vector<Fault>& faults, std::optional<FaultKind> kind);

std::string format_summary(const RunReport& report);
std::string format_json(const RunReport& report);

}  // namespace neo::stress
