// cli/neostress/checker.hpp
// The checker: reads the workload back through our client library (as of
// the last TID, or a given one), verifies model.hpp's invariants against
// the clients' acknowledgement files, and compares the replicas with
// `neoctl check --wait` (which works against NEO/py's admin too).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "cli/neostress/model.hpp"

namespace neo::stress {

struct CheckTarget {
  std::vector<std::string> masters;
  std::string cluster, admin;
  std::filesystem::path neoctl;  // empty: no replica comparison
  std::vector<std::filesystem::path> ack_files;
  std::optional<Tid> at;
};

struct CheckResult {
  std::string error;  // could not check at all
  Verdict verdict;
  std::size_t bad_ack_lines = 0;
  std::optional<int> replicas_status;  // neoctl's exit status (0 identical, 3 differ)
  std::string replicas_output;
  bool ok() const {
    return error.empty() && verdict.violations.empty() &&
           (!replicas_status || *replicas_status == 0);
  }
};

CheckResult check_cluster(const CheckTarget& target);
// The report's text (violations one per line).
std::string describe(const CheckResult& result);

}  // namespace neo::stress
