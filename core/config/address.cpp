#include "core/config/address.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>

#include <charconv>
#include <memory>

namespace neo::config {
namespace {

std::uint16_t parse_port(std::string_view text, std::string_view address) {
  unsigned value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || value > 65535)
    throw Error("invalid port in address '" + std::string(address) + "'");
  return static_cast<std::uint16_t>(value);
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

}  // namespace

std::string to_string(const Address& address) {
  if (address.host.find(':') != std::string::npos)
    return "[" + address.host + "]:" + std::to_string(address.port);
  return address.host + ":" + std::to_string(address.port);
}

bool is_ipv6_literal(std::string_view host) {
  std::string text(host.substr(0, host.find('%')));  // zone index, e.g. %eth0
  in6_addr addr;
  return inet_pton(AF_INET6, text.c_str(), &addr) == 1;
}

// As NEO/py's parseNodeAddress: "[host]" or "[host]:port"; "host:port" with a
// single colon; otherwise the whole text is the host (a bare IPv6 literal).
Address parse_address(std::string_view text, std::optional<std::uint16_t> default_port) {
  Address address;
  std::optional<std::string_view> port;
  if (text.starts_with('[')) {
    auto close = text.find(']');
    if (close == std::string_view::npos)
      throw Error("missing ']' in address '" + std::string(text) + "'");
    address.host = text.substr(1, close - 1);
    std::string_view rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest[0] != ':') throw Error("invalid address '" + std::string(text) + "'");
      port = rest.substr(1);
    }
    if (!is_ipv6_literal(address.host))
      throw Error("invalid IPv6 address in '" + std::string(text) + "'");
  } else if (auto colon = text.find(':');
             colon != std::string_view::npos && text.find(':', colon + 1) == std::string_view::npos) {
    address.host = text.substr(0, colon);
    port = text.substr(colon + 1);
  } else {
    address.host = text;
  }
  if (address.host.empty()) throw Error("missing host in address '" + std::string(text) + "'");
  for (char c : address.host)
    if (is_space(c)) throw Error("invalid address '" + std::string(text) + "'");
  if (address.host.find(':') != std::string::npos && !is_ipv6_literal(address.host))
    throw Error("invalid address '" + std::string(text) + "'");
  if (port) {
    address.port = parse_port(*port, text);
  } else if (default_port) {
    address.port = *default_port;
  } else {
    throw Error("missing port in address '" + std::string(text) + "'");
  }
  return address;
}

std::vector<Address> parse_master_list(std::string_view text) {
  std::vector<Address> list;
  std::size_t i = 0;
  while (i < text.size()) {
    if (is_space(text[i])) {
      ++i;
      continue;
    }
    std::size_t end = i;
    while (end < text.size() && !is_space(text[end])) ++end;
    list.push_back(parse_address(text.substr(i, end - i)));
    i = end;
  }
  return list;
}

Address resolve(const Address& address) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  std::string port = std::to_string(address.port);
  if (int rc = getaddrinfo(address.host.c_str(), port.c_str(), &hints, &found); rc != 0)
    throw Error("cannot resolve '" + address.host + "': " + gai_strerror(rc));
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> guard(found, &freeaddrinfo);
  char host[NI_MAXHOST];
  char serv[NI_MAXSERV];
  if (int rc = getnameinfo(found->ai_addr, found->ai_addrlen, host, sizeof host, serv, sizeof serv,
                           NI_NUMERICHOST | NI_NUMERICSERV);
      rc != 0)
    throw Error("cannot resolve '" + address.host + "': " + gai_strerror(rc));
  return Address{host, parse_port(serv, address.host)};
}

std::vector<Address> resolve(const std::vector<Address>& addresses) {
  std::vector<Address> out;
  out.reserve(addresses.size());
  for (const Address& address : addresses) out.push_back(resolve(address));
  return out;
}

}  // namespace neo::config
