#include "cli/neoctl/arguments.hpp"

#include <cctype>
#include <limits>
#include <string>

namespace neo::neoctl {
namespace {

bool is_blank(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

std::string_view strip(std::string_view text) {
  while (!text.empty() && is_blank(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_blank(text.back())) text.remove_suffix(1);
  return text;
}

std::string upper(std::string_view text) {
  std::string result(text);
  for (char& c : result) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return result;
}

}  // namespace

std::optional<std::int64_t> parse_int(std::string_view text) {
  text = strip(text);
  bool negative = false;
  if (!text.empty() && (text.front() == '+' || text.front() == '-')) {
    negative = text.front() == '-';
    text.remove_prefix(1);
  }
  if (text.empty() || text.front() == '_' || text.back() == '_') return std::nullopt;
  // Magnitude as unsigned, so that INT64_MIN fits.
  std::uint64_t value = 0;
  constexpr std::uint64_t kLimit = std::uint64_t{1} << 63;
  char previous = 0;
  for (char c : text) {
    if (c == '_') {
      if (previous == '_') return std::nullopt;
    } else if (c >= '0' && c <= '9') {
      if (value > (kLimit - (c - '0')) / 10) return std::nullopt;
      value = value * 10 + static_cast<std::uint64_t>(c - '0');
    } else {
      return std::nullopt;
    }
    previous = c;
  }
  if (negative)
    return value == kLimit ? std::numeric_limits<std::int64_t>::min()
                           : -static_cast<std::int64_t>(value);
  if (value == kLimit) return std::nullopt;
  return static_cast<std::int64_t>(value);
}

std::optional<NodeId> parse_node(std::string_view text) {
  if (text.empty()) return std::nullopt;
  std::int64_t space = 0;
  switch (text.front()) {
    case 'S':
      space = 0x00;
      break;
    case 'M':
      space = -0x10;
      break;
    case 'C':
      space = -0x20;
      break;
    case 'A':
      space = -0x30;
      break;
    default:
      return std::nullopt;
  }
  std::optional<std::int64_t> counter = parse_int(text.substr(1));
  if (!counter || *counter > (std::int64_t{1} << 32) || *counter < -(std::int64_t{1} << 32))
    return std::nullopt;
  const std::int64_t value = space * (std::int64_t{1} << 24) + *counter;
  if (value < std::numeric_limits<std::int32_t>::min() ||
      value > std::numeric_limits<std::int32_t>::max())
    return std::nullopt;
  return NodeId{static_cast<std::int32_t>(value)};
}

std::optional<Tid> parse_tid(std::string_view text) {
  Result<Tid> tid = parse_tid_arg(text);
  if (!tid) return std::nullopt;
  return *tid;
}

std::optional<protocol::NodeType> parse_node_type(std::string_view text) {
  return protocol::parse_node_type(upper(text));
}

std::optional<protocol::ClusterState> parse_cluster_state(std::string_view text) {
  return protocol::parse_cluster_state(upper(text));
}

}  // namespace neo::neoctl
