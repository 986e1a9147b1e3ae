#include "core/util/ids.hpp"

#include <catch2/catch.hpp>
#include <cstdint>
#include <string>

using namespace neo;

TEST_CASE("node ids print and parse as NEO/py does", "[util]") {
  CHECK(to_string(NodeId{1}) == "S1");
  CHECK(to_string(NodeId{-268435455}) == "M1");
  CHECK(to_string(NodeId{-536870910}) == "C2");
  CHECK(to_string(NodeId{-805306367}) == "A1");
  CHECK(to_string(NodeId{0}) == "0");
  CHECK(to_string(std::optional<NodeId>{}) == "None");
  CHECK(make_node_id(0, 1) == NodeId{-268435455});
  CHECK(parse_node_id("M2").value() == NodeId{-268435454});
  CHECK(parse_node_id("S17").value() == NodeId{17});
  CHECK_FALSE(parse_node_id("X1"));
  CHECK_FALSE(parse_node_id("S"));
  CHECK_FALSE(parse_node_id("S1x"));
}

TEST_CASE("p64 is 8-byte big-endian", "[util]") {
  CHECK(p64(0x0102030405060708ULL) == std::string("\1\2\3\4\5\6\7\x08", 8));
  CHECK(u64(p64(0xfedcba9876543210ULL)) == 0xfedcba9876543210ULL);
  CHECK(hex(p64(42)) == "000000000000002a");
}

// Expected values from NEO/py: neo.lib.protocol.uuid_str and
// neo.neoctl.app.uuid_int, run once with Debian 12's python3.
TEST_CASE("node ids of every type, counters 0 to 0xffffff", "[util]") {
  struct Case {
    const char* text;
    std::int32_t value;
  };
  const Case cases[] = {
      {"S1", 1},
      {"M1", -268435455},
      {"C1", -536870911},
      {"A1", -805306367},
      {"M0", -268435456},
      {"C0", -536870912},
      {"A0", -805306368},
      {"S16777215", 16777215},
      {"M16777215", -251658241},
      {"C16777215", -520093697},
      {"A16777215", -788529153},
      {"C42", -536870870},
      {"A7", -805306361},
      {"S255", 255},
      {"S256", 256},
      {"S65536", 65536},
  };
  for (const Case& c : cases) {
    INFO(c.text);
    CHECK(to_string(NodeId{c.value}) == c.text);
    Result<NodeId> parsed = parse_node_id(c.text);
    REQUIRE(parsed);
    CHECK(parsed->value == c.value);
  }
  // uuid_int("S0") is 0, which uuid_str prints as "0".
  CHECK(parse_node_id("S0").value() == NodeId{0});
  CHECK(to_string(NodeId{0}) == "0");
}

TEST_CASE("node types and namespaces", "[util]") {
  // NodeTypes: 0 MASTER, 1 STORAGE, 2 CLIENT, 3 ADMIN.
  CHECK(node_type_of(make_node_id(0, 5)) == 0);
  CHECK(node_type_of(make_node_id(1, 5)) == 1);
  CHECK(node_type_of(make_node_id(2, 0xffffff)) == 2);
  CHECK(node_type_of(make_node_id(3, 0)) == 3);
  CHECK(make_node_id(1, 0xffffff) == NodeId{16777215});
  CHECK(make_node_id(3, 0xffffff) == NodeId{-788529153});
  // The counter keeps its low 24 bits only.
  CHECK(make_node_id(1, 0x1000001) == NodeId{1});
  // Namespaces NEO/py does not know (its uuid_str raises KeyError).
  CHECK(node_type_of(NodeId{(-0x40 * (1 << 24)) + 1}) == -1);
  CHECK(node_type_of(NodeId{0x01000001}) == -1);
  CHECK(node_type_of(NodeId{-1}) == -1);
  CHECK(node_type_of(NodeId{INT32_MIN}) == -1);
  CHECK(node_type_of(NodeId{INT32_MAX}) == -1);
}

TEST_CASE("node ids of unknown namespaces print as ?namespace:counter", "[util]") {
  // NEO/py raises KeyError for these; we print something readable instead.
  CHECK(to_string(NodeId{(-0x40 * (1 << 24)) + 1}) == "?-64:1");
  CHECK(to_string(NodeId{-1}) == "?-1:16777215");
  CHECK(to_string(NodeId{0x01000001}) == "?1:1");
  CHECK(to_string(NodeId{INT32_MIN}) == "?-128:0");
  CHECK(to_string(NodeId{(-0x11 * (1 << 24)) + 5}) == "?-17:5");
}

TEST_CASE("parse_node_id rejects what uuid_int rejects, and is stricter", "[util]") {
  // uuid_int raises on these.
  for (const char* text : {"", "S", "S1x", "s1", "X1", "S-1", "S16777216", "m1"}) {
    INFO(text);
    Result<NodeId> parsed = parse_node_id(text);
    CHECK_FALSE(parsed);
    if (!parsed) CHECK(parsed.error() == errc::invalid_argument);
  }
  // uuid_int takes these through Python's int() ("M+1", "S 1", "S1_0"); we
  // accept plain digits only, as neoctl's help and every printed id show.
  for (const char* text : {"M+1", "S 1", "S1_0", "S1 ", "S0x1"}) {
    INFO(text);
    CHECK_FALSE(parse_node_id(text));
  }
}

TEST_CASE("oid and tid print as 0x + 16 hex digits", "[util]") {
  CHECK(to_string(Oid{0}) == "0x0000000000000000");
  CHECK(to_string(Tid{0x03f84a5000000000ULL}) == "0x03f84a5000000000");
  CHECK(to_string(kInvalidTid) == "0xffffffffffffffff");
  CHECK(to_string(kMaxTid) == "0x7fffffffffffffff");
  CHECK(u64(p64(0)) == 0);
  CHECK(p64(0xffffffffffffffffULL) == std::string(8, '\xff'));
  CHECK(hex("") == "");
}
