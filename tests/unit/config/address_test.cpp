#include "core/config/address.hpp"

#include <catch2/catch.hpp>

using namespace neo::config;

TEST_CASE("addresses: host:port, [ipv6]:port, host with a default port", "[config]") {
  CHECK(parse_address("127.0.0.1:10000") == Address{"127.0.0.1", 10000});
  CHECK(parse_address("localhost:1") == Address{"localhost", 1});
  CHECK(parse_address("[::1]:20000") == Address{"::1", 20000});
  CHECK(parse_address("[fe80::1%eth0]:5") == Address{"fe80::1%eth0", 5});
  CHECK(parse_address("127.0.0.1", 0) == Address{"127.0.0.1", 0});
  CHECK(parse_address("admin.example", 9999) == Address{"admin.example", 9999});
  CHECK(parse_address("[::1]", 9999) == Address{"::1", 9999});
  CHECK(parse_address("::1", 0) == Address{"::1", 0});  // bare IPv6 literal: no port
  CHECK(parse_address("0.0.0.0:65535") == Address{"0.0.0.0", 65535});
}

TEST_CASE("bad addresses are rejected with the reason", "[config]") {
  CHECK_THROWS_WITH(parse_address("127.0.0.1"), "missing port in address '127.0.0.1'");
  CHECK_THROWS_WITH(parse_address("[::1]"), "missing port in address '[::1]'");
  CHECK_THROWS_WITH(parse_address("h:65536"), "invalid port in address 'h:65536'");
  CHECK_THROWS_WITH(parse_address("h:"), "invalid port in address 'h:'");
  CHECK_THROWS_WITH(parse_address("h:x1"), "invalid port in address 'h:x1'");
  CHECK_THROWS_WITH(parse_address("h:-1"), "invalid port in address 'h:-1'");
  CHECK_THROWS_WITH(parse_address(":1"), "missing host in address ':1'");
  CHECK_THROWS_WITH(parse_address("[::1:1"), "missing ']' in address '[::1:1'");
  CHECK_THROWS_WITH(parse_address("[::1]1"), "invalid address '[::1]1'");
  CHECK_THROWS_WITH(parse_address("[1.2.3.4]:1"), "invalid IPv6 address in '[1.2.3.4]:1'");
  CHECK_THROWS_WITH(parse_address("a:b:c", 0), "invalid address 'a:b:c'");
  CHECK_THROWS(parse_address("", 0));
}

TEST_CASE("addresses print as NEO/py prints them", "[config]") {
  CHECK(to_string(Address{"127.0.0.1", 10000}) == "127.0.0.1:10000");
  CHECK(to_string(Address{"::1", 20000}) == "[::1]:20000");
  CHECK(to_string(parse_address("[2001:db8::5]:1")) == "[2001:db8::5]:1");
}

TEST_CASE("IPv6 literals are recognized", "[config]") {
  CHECK(is_ipv6_literal("::1"));
  CHECK(is_ipv6_literal("2001:db8::1"));
  CHECK(is_ipv6_literal("::ffff:127.0.0.1"));
  CHECK(is_ipv6_literal("fe80::1%lo"));
  CHECK_FALSE(is_ipv6_literal("127.0.0.1"));
  CHECK_FALSE(is_ipv6_literal("localhost"));
  CHECK_FALSE(is_ipv6_literal("a:b:c"));
}

TEST_CASE("master lists: whitespace-separated, ports mandatory", "[config]") {
  CHECK(parse_master_list("").empty());
  CHECK(parse_master_list(" \n ").empty());
  CHECK(parse_master_list("127.0.0.1:10000") == std::vector<Address>{{"127.0.0.1", 10000}});
  CHECK(parse_master_list("127.0.0.1:10000 [::1]:10001\n\t10.0.0.1:10002\n") ==
        std::vector<Address>{{"127.0.0.1", 10000}, {"::1", 10001}, {"10.0.0.1", 10002}});
  CHECK_THROWS_WITH(parse_master_list("127.0.0.1:10000 127.0.0.2"),
                    "missing port in address '127.0.0.2'");
  CHECK_THROWS_WITH(parse_master_list("127.0.0.1:10000,127.0.0.2:1"), Catch::Contains("invalid address"));
}

TEST_CASE("resolving literals gives them back", "[config]") {
  CHECK(resolve(Address{"127.0.0.1", 10000}) == Address{"127.0.0.1", 10000});
  CHECK(resolve(Address{"::1", 5}) == Address{"::1", 5});
  CHECK(resolve(std::vector<Address>{{"10.1.2.3", 0}}) == std::vector<Address>{{"10.1.2.3", 0}});
}
