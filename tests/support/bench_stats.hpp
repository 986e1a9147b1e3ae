// Figures of repeated benchmark runs, as the project reports them: the
// median with min and max ("12.3 [11.0-14.1]").
#pragma once

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

namespace neo::test {

struct Stat {
  double median = 0, min = 0, max = 0;
};

inline Stat stat_of(std::vector<double> values) {
  if (values.empty()) return {};
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  const double median = n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
  return {median, values.front(), values.back()};
}

// `format` is a printf conversion for one value, e.g. "%.1f".
inline std::string show(const Stat& s, const char* format) {
  char text[96];
  const std::string f = std::string(format) + " [" + format + "-" + format + "]";
  std::snprintf(text, sizeof text, f.c_str(), s.median, s.min, s.max);
  return text;
}

}  // namespace neo::test
