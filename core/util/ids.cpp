#include "core/util/ids.hpp"

#include <charconv>
#include <cstdio>

namespace neo {
namespace {

// Node id namespaces by NodeTypes value (MASTER, STORAGE, CLIENT, ADMIN).
constexpr std::int32_t kNamespaces[] = {-0x10, 0x00, -0x20, -0x30};
constexpr char kLetters[] = {'M', 'S', 'C', 'A'};

}  // namespace

std::string p64(std::uint64_t value) {
  std::string bytes(8, '\0');
  for (int i = 7; i >= 0; --i, value >>= 8) bytes[i] = static_cast<char>(value & 0xff);
  return bytes;
}

std::uint64_t u64(std::string_view bytes) {
  std::uint64_t value = 0;
  for (unsigned char c : bytes.substr(0, 8)) value = (value << 8) | c;
  return value;
}

std::string hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

static std::string hex64(std::uint64_t value) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%016llx", static_cast<unsigned long long>(value));
  return buf;
}

std::string to_string(Oid oid) { return hex64(oid.value); }
std::string to_string(Tid tid) { return hex64(tid.value); }

NodeId make_node_id(int node_type, std::uint32_t counter) {
  return NodeId{static_cast<std::int32_t>((static_cast<std::uint32_t>(kNamespaces[node_type]) << 24) |
                                          (counter & 0xffffff))};
}

int node_type_of(NodeId nid) {
  const std::int32_t ns = nid.value >> 24;  // arithmetic shift
  for (int type = 0; type < 4; ++type)
    if (kNamespaces[type] == ns) return type;
  return -1;
}

std::string to_string(NodeId nid) {
  if (nid.value == 0) return "0";
  const int type = node_type_of(nid);
  const std::string counter = std::to_string(nid.value & 0xffffff);
  if (type < 0) return "?" + std::to_string(nid.value >> 24) + ":" + counter;
  return kLetters[type] + counter;
}

std::string to_string(std::optional<NodeId> nid) { return nid ? to_string(*nid) : "None"; }

Result<NodeId> parse_node_id(std::string_view text) {
  if (text.size() < 2) return errc::invalid_argument;
  int type = -1;
  for (int t = 0; t < 4; ++t)
    if (kLetters[t] == text[0]) type = t;
  if (type < 0) return errc::invalid_argument;
  std::uint32_t counter = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data() + 1, end, counter);
  if (ec != std::errc{} || ptr != end || counter > 0xffffff) return errc::invalid_argument;
  return make_node_id(type, counter);
}

}  // namespace neo
