// tests/interop/master_node/zodb_truncate.hpp
// What zodb_truncate.py's "commit" mode prints: "tid <i> <hex>" per
// transaction. Shared by the truncation interop tests. Header-only.
#pragma once

#include <sstream>
#include <string>
#include <vector>

namespace neo::interop {

// The committed tids (16 hex digits each), in the order printed.
inline std::vector<std::string> truncate_script_tids(const std::string& out) {
  std::vector<std::string> tids;
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);)
    if (line.rfind("tid ", 0) == 0) tids.push_back(line.substr(6));
  return tids;
}

}  // namespace neo::interop
