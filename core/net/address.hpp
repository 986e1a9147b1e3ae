// Node addresses as NEO prints and parses them: "127.0.0.1:20001" and, for
// IPv6, "[::1]:20001". Hosts are IP literals (the configuration resolves
// names once); the literal also decides the address family.
// Pure values: no I/O, no logging.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/util/error.hpp"

namespace neo::net {

struct Address {
  std::string host;  // textual IP address, IPv6 without brackets
  std::uint16_t port = 0;
  auto operator<=>(const Address&) const = default;
};

// True if `host` is an IPv6 literal (what NEO/py checks: it contains ':').
bool is_ipv6(std::string_view host);

// NEO/py's formatAddress: "host:port", "[host]:port" for IPv6.
std::string to_string(const Address& address);

// Parses "host:port", "[ipv6]:port", "ipv6" or "host" (the last two take
// `default_port`; without one they are an error). The host must be an IPv4
// or IPv6 literal; it is returned in canonical form ("::0001" -> "::1").
// errc::invalid_argument otherwise.
Result<Address> parse_address(std::string_view text,
                              std::optional<std::uint16_t> default_port = std::nullopt);

// The canonical form of an IP literal, or errc::invalid_argument.
Result<std::string> canonical_host(std::string_view host);

}  // namespace neo::net
