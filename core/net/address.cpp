#include "core/net/address.hpp"

#include <arpa/inet.h>

#include <charconv>

namespace neo::net {

bool is_ipv6(std::string_view host) { return host.find(':') != std::string_view::npos; }

std::string to_string(const Address& address) {
  std::string out;
  if (is_ipv6(address.host)) {
    out = "[" + address.host + "]";
  } else {
    out = address.host;
  }
  return out + ":" + std::to_string(address.port);
}

Result<std::string> canonical_host(std::string_view host) {
  const std::string text(host);
  const int family = is_ipv6(host) ? AF_INET6 : AF_INET;
  unsigned char raw[sizeof(in6_addr)];
  if (text.empty() || inet_pton(family, text.c_str(), raw) != 1) return errc::invalid_argument;
  char printed[INET6_ADDRSTRLEN];
  if (inet_ntop(family, raw, printed, sizeof printed) == nullptr) return errc::invalid_argument;
  return std::string(printed);
}

namespace {

Result<std::uint16_t> parse_port(std::string_view text) {
  unsigned value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc{} || ptr != end || value > 0xffff) {
    return errc::invalid_argument;
  }
  return static_cast<std::uint16_t>(value);
}

}  // namespace

Result<Address> parse_address(std::string_view text, std::optional<std::uint16_t> default_port) {
  std::string_view host = text;
  std::optional<std::string_view> port_text;
  if (text.starts_with('[')) {
    const std::size_t close = text.find(']');
    if (close == std::string_view::npos) return errc::invalid_argument;
    host = text.substr(1, close - 1);
    std::string_view rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest[0] != ':') return errc::invalid_argument;
      port_text = rest.substr(1);
    }
    if (!is_ipv6(host)) return errc::invalid_argument;
  } else if (std::size_t colon = text.find(':');
             colon != std::string_view::npos &&
             text.find(':', colon + 1) == std::string_view::npos) {
    host = text.substr(0, colon);
    port_text = text.substr(colon + 1);
  }
  Address address;
  if (port_text) {
    Result<std::uint16_t> port = parse_port(*port_text);
    if (!port) return port.error();
    address.port = *port;
  } else if (default_port) {
    address.port = *default_port;
  } else {
    return errc::invalid_argument;
  }
  Result<std::string> canonical = canonical_host(host);
  if (!canonical) return canonical.error();
  address.host = std::move(*canonical);
  return address;
}

}  // namespace neo::net
