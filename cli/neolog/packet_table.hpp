// neolog's view of the protocol's packet table (core/protocol/packets.def
// via codec.hpp): names by code and codes by name. neolog never uses the
// protocol source stored in a log file. No I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace neo::neolog {

// The packet name of a code as stored in the log, or empty if unknown.
std::string_view packet_name(std::int64_t code);
// The code of a packet name (exact or case-insensitive), or of a number
// ("0x8000", "32"); nullopt if unknown.
std::optional<std::uint16_t> packet_code(std::string_view name_or_code);
// Every known packet name, in code order (for messages).
std::vector<std::string_view> all_packet_names();

}  // namespace neo::neolog
