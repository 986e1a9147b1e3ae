// Encoding and decoding of packets (packets.hpp) to and from NEO/py's exact
// msgpack bytes, plus the packet-info table. The templates are defined and
// explicitly instantiated for every packet of packets.def in codec.cpp, so
// including this header stays cheap; they link for packet types only.
// No I/O, no exceptions: bad input gives errc::malformed_packet.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>

#include "core/protocol/packets.hpp"
#include "core/protocol/value.hpp"
#include "core/util/error.hpp"

namespace neo::protocol {

// The msgpack array of the packet's arguments (what NEO/py's log stores as
// the packet body). encode_args_to appends to `out`.
template <class P>
std::string encode_args(const P& p);
template <class P>
void encode_args_to(std::string& out, const P& p);

// A whole frame [msg_id, P::kCode, args], as written on the socket.
template <class P>
std::string encode(std::uint32_t msg_id, const P& p);
template <class P>
void encode_to(std::string& out, std::uint32_t msg_id, const P& p);

// Decodes an argument array (Frame::args). errc::malformed_packet on bad
// msgpack, a wrong argument or tuple count, a wrong type, a p64 that is not
// 8 bytes, an enum out of range or of an unknown ext type, trailing bytes.
// Integers of any msgpack width are accepted when the value fits.
template <class P>
Result<P> decode_args(std::string_view args);

// Decodes an argument array generically (neolog, tests): an array Value.
Result<Value> decode_args_value(std::string_view args);

struct PacketInfo {
  std::uint16_t code = 0;
  std::string_view name;
  PacketKind kind = PacketKind::Request;
  std::uint16_t answer = 0;   // requests: the normal answer (0x8000 = Error); else 0
  std::uint16_t request = 0;  // answers: the request answered; else 0
};

// nullptr if the code or name is not in the protocol table.
const PacketInfo* find_packet(std::uint16_t code);
const PacketInfo* find_packet(std::string_view name);
// All 111 packets, in packets.def order (ascending codes).
std::span<const PacketInfo> all_packets();

// Calls f(std::type_identity<P>{}) with the packet type of `code`; false if
// the code is unknown.
template <class F>
bool visit_packet_type(std::uint16_t code, F&& f) {
  switch (code) {
#define NEO_PACKET(c, name, kind)  \
  case c:                          \
    f(std::type_identity<name>{}); \
    return true;
#include "core/protocol/packets.def"
  }
  return false;
}

// Calls f(std::type_identity<P>{}) for every packet type, in table order.
template <class F>
void for_each_packet_type(F&& f) {
#define NEO_PACKET(c, name, kind) f(std::type_identity<name>{});
#include "core/protocol/packets.def"
}

}  // namespace neo::protocol
