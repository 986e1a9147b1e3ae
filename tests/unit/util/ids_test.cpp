#include "core/util/ids.hpp"

#include <catch2/catch.hpp>

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
