#include "cli/neolog/packet_table.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "core/protocol/codec.hpp"

namespace neo::neolog {

std::string_view packet_name(std::int64_t code) {
  if (code < 0 || code > 0xffff) return {};
  const protocol::PacketInfo* info = protocol::find_packet(static_cast<std::uint16_t>(code));
  return info ? info->name : std::string_view{};
}

std::optional<std::uint16_t> packet_code(std::string_view text) {
  if (const protocol::PacketInfo* info = protocol::find_packet(text)) return info->code;
  for (const protocol::PacketInfo& info : protocol::all_packets()) {
    if (std::equal(text.begin(), text.end(), info.name.begin(), info.name.end(),
                   [](char a, char b) { return std::tolower(a) == std::tolower(b); })) {
      return info.code;
    }
  }
  int base = 10;
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    text.remove_prefix(2);
    base = 16;
  }
  std::uint16_t code = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), code, base);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return code;
}

std::vector<std::string_view> all_packet_names() {
  std::vector<std::string_view> names;
  for (const protocol::PacketInfo& info : protocol::all_packets()) names.push_back(info.name);
  return names;
}

}  // namespace neo::neolog
