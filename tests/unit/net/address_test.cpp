#include "core/net/address.hpp"

#include <catch2/catch.hpp>

using neo::errc;
using neo::net::Address;
using neo::net::parse_address;

TEST_CASE("addresses print as NEO/py's formatAddress", "[net]") {
  CHECK(to_string(Address{"127.0.0.1", 20001}) == "127.0.0.1:20001");
  CHECK(to_string(Address{"::1", 20001}) == "[::1]:20001");
  CHECK(to_string(Address{"fe80::1", 0}) == "[fe80::1]:0");
  CHECK(neo::net::is_ipv6("::1"));
  CHECK_FALSE(neo::net::is_ipv6("10.0.0.1"));
}

TEST_CASE("addresses parse back, IPv6 bracketed, hosts canonical", "[net]") {
  CHECK(parse_address("127.0.0.1:10000").value() == Address{"127.0.0.1", 10000});
  CHECK(parse_address("[::1]:10000").value() == Address{"::1", 10000});
  CHECK(parse_address("[0:0::0001]:5").value() == Address{"::1", 5});
  CHECK(parse_address("::1", 10000).value() == Address{"::1", 10000});
  CHECK(parse_address("[::1]", 7).value() == Address{"::1", 7});
  CHECK(parse_address("10.1.2.3", 7).value() == Address{"10.1.2.3", 7});
  CHECK(parse_address("0.0.0.0:0").value() == Address{"0.0.0.0", 0});
}

TEST_CASE("malformed addresses are rejected", "[net]") {
  for (const char* text :
       {"", "127.0.0.1", "::1", "localhost:80", "1.2.3.4:", "1.2.3.4:65536", "1.2.3.4:-1",
        "1.2.3.4:8x", "[::1", "[::1]x", "[1.2.3.4]:5", "1.2.3:5", ":5", "[]:5"}) {
    INFO(text);
    CHECK(parse_address(text).error() == errc::invalid_argument);
  }
  CHECK(parse_address("localhost", 80).error() == errc::invalid_argument);
}
