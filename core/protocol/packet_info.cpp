// The packet-info table of codec.hpp, built from packets.def.
#include <algorithm>
#include <array>

#include "core/protocol/codec.hpp"

namespace neo::protocol {
namespace {

constexpr PacketInfo kPackets[] = {
#define NEO_REQUEST(c, name, answer) {c, #name, PacketKind::Request, detail::k##answer.code, 0},
#define NEO_NOTIFY(c, name) {c, #name, PacketKind::Notification, 0, 0},
#define NEO_ANSWER(c, name, request) {c, #name, PacketKind::Answer, 0, detail::k##request.code},
#define NEO_ERROR(c, name) {c, #name, PacketKind::Error, 0, 0},
#include "core/protocol/packets.def"
};

constexpr bool by_code(const PacketInfo& a, const PacketInfo& b) { return a.code < b.code; }
static_assert(std::is_sorted(std::begin(kPackets), std::end(kPackets), by_code));
static_assert(std::size(kPackets) == 111);

}  // namespace

const PacketInfo* find_packet(std::uint16_t code) {
  PacketInfo key;
  key.code = code;
  const auto* it = std::lower_bound(std::begin(kPackets), std::end(kPackets), key, by_code);
  return it != std::end(kPackets) && it->code == code ? it : nullptr;
}

const PacketInfo* find_packet(std::string_view name) {
  for (const PacketInfo& info : kPackets) {
    if (info.name == name) return &info;
  }
  return nullptr;
}

std::span<const PacketInfo> all_packets() { return kPackets; }

}  // namespace neo::protocol
