#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <tuple>

#include "core/node/node_manager.hpp"

namespace neo::node {

namespace {

// Days since 1970-01-01 to (year, month, day), proleptic Gregorian
// (H. Hinnant's civil_from_days).
void civil_from_days(std::int64_t z, std::int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
}

// Python's repr of a float for the values printed instead of a date.
std::string python_float(double value) {
  char buffer[64];
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buffer, sizeof buffer, "%.*g", precision, value);
    if (std::strtod(buffer, nullptr) == value) break;
  }
  std::string text = buffer;
  if (text.find_first_of(".en") == std::string::npos) text += ".0";
  return text;
}

std::string timestamp_column(const std::optional<double>& id_timestamp) {
  if (!id_timestamp) return "None";
  if (*id_timestamp == 0) return python_float(*id_timestamp);  // falsy: printed as is
  return format_utc(*id_timestamp);
}

}  // namespace

std::string format_utc(double unix_time) {
  // As datetime.utcfromtimestamp: microseconds rounded half to even.
  double whole;
  double fraction = std::modf(unix_time, &whole);
  double us = std::nearbyint(fraction * 1e6);
  if (us >= 1e6) {
    whole += 1;
    us -= 1e6;
  } else if (us < 0) {
    whole -= 1;
    us += 1e6;
  }
  const auto seconds = static_cast<std::int64_t>(whole);
  std::int64_t days = seconds / 86400, rest = seconds % 86400;
  if (rest < 0) {
    rest += 86400;
    days -= 1;
  }
  std::int64_t year;
  unsigned month, day;
  civil_from_days(days, year, month, day);
  char buffer[64];
  int n = std::snprintf(buffer, sizeof buffer, "%04lld-%02u-%02u %02d:%02d:%02d",
                        static_cast<long long>(year), month, day, static_cast<int>(rest / 3600),
                        static_cast<int>(rest / 60 % 60), static_cast<int>(rest % 60));
  if (us != 0) std::snprintf(buffer + n, sizeof buffer - n, ".%06d", static_cast<int>(us));
  return buffer;
}

std::string format_address(const std::optional<Address>& address) {
  if (!address) return "";
  const std::string port = std::to_string(address->port);
  if (address->host.find(':') != std::string::npos) return "[" + address->host + "]:" + port;
  return address->host + ":" + port;
}

std::vector<std::string> format_node_list(std::span<const protocol::NodeInfo> nodes,
                                          std::string_view prefix) {
  std::vector<const protocol::NodeInfo*> sorted;
  for (const auto& info : nodes) sorted.push_back(&info);
  // Nodes with an id first, by id; then by address (none first).
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const protocol::NodeInfo* a, const protocol::NodeInfo* b) {
                     if (a->nid.has_value() != b->nid.has_value()) return a->nid.has_value();
                     if (a->nid) return *a->nid < *b->nid;
                     if (a->address.has_value() != b->address.has_value()) {
                       return !a->address.has_value();
                     }
                     if (!a->address) return false;
                     return std::tie(a->address->host, a->address->port) <
                            std::tie(b->address->host, b->address->port);
                   });
  std::vector<std::array<std::string, 5>> rows;
  std::array<std::size_t, 5> width{};
  for (const auto* info : sorted) {
    std::array<std::string, 5> row{
        to_string(info->nid), std::string(protocol::to_string(info->node_type)),
        format_address(info->address), std::string(protocol::to_string(info->state)),
        timestamp_column(info->id_timestamp)};
    for (std::size_t i = 0; i < 5; ++i) width[i] = std::max(width[i], row[i].size());
    rows.push_back(std::move(row));
  }
  std::vector<std::string> lines;
  for (const auto& row : rows) {
    std::string line(prefix);
    for (std::size_t i = 0; i < 4; ++i) {
      line += row[i];
      line.append(width[i] - row[i].size(), ' ');
      line += " | ";
    }
    line += row[4];
    lines.push_back(std::move(line));
  }
  return lines;
}

std::string format_print_node(std::span<const protocol::NodeInfo> nodes) {
  std::string result;
  for (const auto& line : format_node_list(nodes)) {
    if (!result.empty()) result += '\n';
    result += line;
  }
  return result.empty() ? "Empty list!" : result;
}

}  // namespace neo::node
