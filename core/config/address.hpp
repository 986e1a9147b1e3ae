// Node addresses as written in options and configuration files
// (spec/config-and-cli.md 1): "host:port", "[ipv6]:port", or a host alone
// when a default port exists; a master list is whitespace-separated
// addresses, ports mandatory. Parsing is pure; resolve() asks the resolver.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/config/ini_file.hpp"

namespace neo::config {

struct Address {
  std::string host;  // name or numeric address, IPv6 without brackets
  std::uint16_t port = 0;
  bool operator==(const Address&) const = default;
};

// "host:port", or "[host]:port" when host contains ':' (NEO's formatAddress).
std::string to_string(const Address& address);
// True if `host` is an IPv6 literal such as "::1" or "fe80::1%eth0".
bool is_ipv6_literal(std::string_view host);

// Parses one address; without a port, `default_port` is used if given, else
// it is an error. Throws config::Error with the reason.
Address parse_address(std::string_view text, std::optional<std::uint16_t> default_port = {});
// Parses a master list: addresses separated by any whitespace (spaces,
// newlines of a multi-line file value), each with its port. Empty text gives
// an empty list. Throws config::Error.
std::vector<Address> parse_master_list(std::string_view text);

// Resolves a host name once (first getaddrinfo result, as NEO/py does) and
// returns the numeric address; literals are returned unchanged (normalized).
// Throws config::Error if the name does not resolve.
Address resolve(const Address& address);
std::vector<Address> resolve(const std::vector<Address>& addresses);

}  // namespace neo::config
