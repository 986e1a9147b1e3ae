#include "core/protocol/value.hpp"

#include <catch2/catch.hpp>
#include <string>

#include "core/protocol/enums.hpp"
#include "tests/unit/protocol/vectors.hpp"

namespace neo::protocol {
namespace {

using test::unhex;

TEST_CASE("values round-trip through msgpack in wire order", "[protocol]") {
  const Value v = Value::array(
      {Value::nil(), Value::boolean(true), Value::integer(-5), Value::uinteger(1ULL << 40),
       Value::float64(0.5), Value::bin(""), Value::str("NEO"),
       Value::map({{Value::bin("z"), Value::integer(1)}, {Value::bin("a"), Value::integer(2)}}),
       Value::ext(kExtCellStates, 1)});
  const std::string bytes = encode_value(v);
  CHECK(test::to_hex(bytes) ==
        "99c0c3fbcf0000010000000000cb3fe0000000000000c400a34e454f"
        "82c4017a01c4016102d40001");
  CHECK(decode_value(bytes).value() == v);
  CHECK(to_string(v) ==
        "[nil, true, -5, 1099511627776, 0.5, x'', \"NEO\", {x'7a': 1, x'61': 2}, ext(0, 1)]");
}

TEST_CASE("equal integers compare equal whatever their width", "[protocol]") {
  CHECK(decode_value(unhex("cd0005")).value() == Value::integer(5));
  CHECK(decode_value(unhex("d3fffffffffffffffb")).value() == Value::integer(-5));
  CHECK(decode_value(unhex("ca3f000000")).value() == Value::float64(0.5));
}

TEST_CASE("bad values are rejected", "[protocol]") {
  CHECK(decode_value(unhex("")).error() == errc::malformed_packet);
  CHECK(decode_value(unhex("c1")).error() == errc::malformed_packet);
  CHECK(decode_value(unhex("c0c0")).error() == errc::malformed_packet);    // trailing
  CHECK(decode_value(unhex("d40505")).error() == errc::malformed_packet);  // unknown ext
  CHECK(decode_value(unhex("d4020e")).error() == errc::malformed_packet);  // ErrorCodes has 14
  CHECK(decode_value(unhex("d4020d")).value() == Value::ext(kExtErrorCodes, 13));
  const std::string deep = std::string(64, '\x91') + "\xc0";
  CHECK(decode_value(deep).error() == errc::malformed_packet);
  CHECK(decode_value(deep.substr(1)));
}

}  // namespace
}  // namespace neo::protocol
