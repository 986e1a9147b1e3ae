#include "cli/neostress/report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

namespace neo::stress {
namespace {

std::string fixed(double value, int digits = 3) {
  char text[32];
  std::snprintf(text, sizeof text, "%.*f", digits, value);
  return text;
}

std::string json_string(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\', out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char esc[8];
      std::snprintf(esc, sizeof esc, "\\u%04x", c);
      out += esc;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::uint64_t count_of(const std::vector<Fault>& faults, FaultKind kind) {
  return std::count_if(faults.begin(), faults.end(),
                       [&](const Fault& f) { return f.kind == kind; });
}

std::string percentiles_json(const Percentiles& p) {
  return "{\"count\": " + std::to_string(p.count) + ", \"p50\": " + fixed(p.p50) +
         ", \"p99\": " + fixed(p.p99) + ", \"max\": " + fixed(p.max) + "}";
}

}  // namespace

Percentiles recovery_of(const std::vector<Fault>& faults, std::optional<FaultKind> kind) {
  std::vector<double> times;
  for (const Fault& f : faults)
    if (f.recovery && (!kind || f.kind == *kind)) times.push_back(*f.recovery);
  Percentiles p;
  p.count = times.size();
  if (times.empty()) return p;
  std::sort(times.begin(), times.end());
  auto at = [&](double q) {
    const auto i = static_cast<std::size_t>(std::ceil(q * times.size())) - 1;
    return times[std::min(i, times.size() - 1)];
  };
  p.p50 = at(0.50), p.p99 = at(0.99), p.max = times.back();
  return p;
}

std::string format_summary(const RunReport& r) {
  std::ostringstream out;
  out << "neostress: seed " << r.seed << ", " << fixed(r.seconds, 1) << " s of load, " << r.acked
      << " commits acknowledged (" << fixed(r.seconds > 0 ? r.acked / r.seconds : 0, 1) << "/s), "
      << r.faults.size() << " faults\n";
  out << "  fault          count  recovered  p50 (s)  p99 (s)  max (s)\n";
  for (FaultKind kind : r.kinds) {
    const Percentiles p = recovery_of(r.faults, kind);
    char line[160];
    std::snprintf(line, sizeof line, "  %-13s %6llu %10zu %8s %8s %8s\n",
                  std::string(to_string(kind)).c_str(),
                  static_cast<unsigned long long>(count_of(r.faults, kind)), p.count,
                  p.count ? fixed(p.p50).c_str() : "-", p.count ? fixed(p.p99).c_str() : "-",
                  p.count ? fixed(p.max).c_str() : "-");
    out << line;
  }
  for (const std::string& v : r.violations) out << "  VIOLATION: " << v << "\n";
  if (r.check) out << describe(*r.check);
  out << (r.ok() ? "PASSED" : "FAILED") << " (data and logs in " << r.data_dir << ")\n";
  return out.str();
}

std::string format_json(const RunReport& r) {
  std::ostringstream out;
  out << "{\n  \"ok\": " << (r.ok() ? "true" : "false") << ",\n  \"seed\": " << r.seed
      << ",\n  \"seconds\": " << fixed(r.seconds) << ",\n  \"commits_acknowledged\": " << r.acked
      << ",\n  \"commits_per_second\": " << fixed(r.seconds > 0 ? r.acked / r.seconds : 0)
      << ",\n  \"faults\": {";
  const char* sep = "";
  for (FaultKind kind : r.kinds) {
    out << sep << "\n    " << json_string(to_string(kind))
        << ": {\"count\": " << count_of(r.faults, kind)
        << ", \"recovery\": " << percentiles_json(recovery_of(r.faults, kind)) << "}";
    sep = ",";
  }
  out << "\n  },\n  \"recovery\": " << percentiles_json(recovery_of(r.faults, std::nullopt))
      << ",\n  \"violations\": [";
  sep = "";
  std::vector<std::string> all = r.violations;
  if (r.check) {
    if (!r.check->error.empty()) all.push_back("check failed: " + r.check->error);
    all.insert(all.end(), r.check->verdict.violations.begin(), r.check->verdict.violations.end());
    if (r.check->replicas_status && *r.check->replicas_status)
      all.push_back("replicas differ or could not be compared");
  }
  for (const std::string& v : all) out << sep << "\n    " << json_string(v), sep = ",";
  out << (all.empty() ? "]" : "\n  ]");
  if (r.check)
    out << ",\n  \"commits_in_database\": " << r.check->verdict.commits
        << ",\n  \"replicas_identical\": "
        << (r.check->replicas_status ? (*r.check->replicas_status == 0 ? "true" : "false")
                                     : "null");
  out << ",\n  \"data_dir\": " << json_string(r.data_dir) << "\n}\n";
  return out.str();
}

}  // namespace neo::stress
