#include "cli/neolog/python_repr.hpp"

#include <catch2/catch.hpp>
#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "core/protocol/msgpack.hpp"

using neo::neolog::Value;
using namespace neo::neolog;
using namespace std::literals;

namespace {
std::string float_repr(double v) {
  std::string s;
  append_float_repr(s, v);
  return s;
}
std::string bytes_repr(std::string_view b) {
  std::string s;
  append_bytes_repr(s, b);
  return s;
}
std::string str_repr(std::string_view t) {
  std::string s;
  append_str_repr(s, t);
  return s;
}
Value bin(std::string b) { return Value::bin(std::move(b)); }
Value tuple(Value::Array items) { return Value::array(std::move(items)); }
}  // namespace

TEST_CASE("floats print as Python's repr()", "[neolog]") {
  // Expected strings produced by CPython 3.11.
  const std::pair<double, const char*> cases[] = {
      {0.0, "0.0"},
      {-0.0, "-0.0"},
      {1.0, "1.0"},
      {1.5, "1.5"},
      {0.1, "0.1"},
      {1e16, "1e+16"},
      {1e15, "1000000000000000.0"},
      {123456789012345678.0, "1.2345678901234568e+17"},
      {1e-05, "1e-05"},
      {0.0001, "0.0001"},
      {0.00012345, "0.00012345"},
      {1795319356.3620303, "1795319356.3620303"},
      {1795319367.299908, "1795319367.299908"},
      {2.5e-300, "2.5e-300"},
      {1.7976931348623157e308, "1.7976931348623157e+308"},
      {5e-324, "5e-324"},
      {100.0, "100.0"},
      {1e22, "1e+22"},
      {123.456, "123.456"},
      {9999999999999998.0, "9999999999999998.0"},
      {0.3, "0.3"},
      {INFINITY, "inf"},
      {-INFINITY, "-inf"},
      {NAN, "nan"}};
  for (const auto& [v, expected] : cases) CHECK(float_repr(v) == expected);
}

TEST_CASE("bytes print as Python's repr(), quote choice included", "[neolog]") {
  CHECK(bytes_repr("") == "b''");
  CHECK(bytes_repr("it's") == "b\"it's\"");
  CHECK(bytes_repr("both ' and \"") == "b'both \\' and \"'");
  CHECK(bytes_repr(std::string("\x00\t\n\r\\\x7f\x80\xff ~", 10)) ==
        "b'\\x00\\t\\n\\r\\\\\\x7f\\x80\\xff ~'");
  CHECK(bytes_repr("\"q\"") == "b'\"q\"'");
  CHECK(bytes_repr(std::string(8, '\0')) == "b'\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00'");
}

TEST_CASE("str values print as Python's repr() of str", "[neolog]") {
  CHECK(str_repr("it's") == "\"it's\"");
  // é stays, ZERO WIDTH SPACE / NEL / LINE SEPARATOR / a tag are escaped, an emoji stays.
  CHECK(str_repr("\xc3\xa9\xe2\x80\x8b\xc2\x85\xe2\x80\xa8\xf0\x9f\x98\x80\xf3\xa0\x80\x81 "
                 "\x00\x7f'\""sv) ==
        std::string("'\xc3\xa9\\u200b\\x85\\u2028\xf0\x9f\x98\x80\\U000e0001 \\x00\\x7f\\'\"'"));
  CHECK(is_printable_non_ascii(0xe9));
  CHECK_FALSE(is_printable_non_ascii(0xa0));  // NO-BREAK SPACE is not printable for Python
  CHECK_FALSE(is_valid_utf8("\xc3"));
  CHECK_FALSE(is_valid_utf8("\xed\xa0\x80"));  // a surrogate
  CHECK(is_valid_utf8("\xf4\x8f\xbf\xbf"));
}

TEST_CASE("tuples, dicts, None, booleans, ints and enums print as Python does", "[neolog]") {
  CHECK(repr(tuple({})) == "()");
  CHECK(repr(tuple({Value::uinteger(1)})) == "(1,)");
  CHECK(repr(tuple({Value::nil(), Value::boolean(true), Value::boolean(false),
                    Value::integer(-268435455), Value::uinteger(18446744073709551615ull)})) ==
        "(None, True, False, -268435455, 18446744073709551615)");
  CHECK(repr(tuple({tuple({bin("a"), tuple({})}), Value::float64(1.5)})) == "((b'a', ()), 1.5)");
  CHECK(repr(Value::ext(4, 1)) == "<EnumItem STORAGE (1)>");
  CHECK(repr(Value::ext(0, 1)) == "<EnumItem UP_TO_DATE (1)>");
  CHECK(repr(Value::ext(1, 2)) == "<EnumItem RUNNING (2)>");
  CHECK(repr(Value::ext(3, 3)) == "<EnumItem PENDING (3)>");
  CHECK(repr(Value::map({})) == "{}");
  CHECK(repr(Value::map({{bin("devpath"), tuple({bin("vm")})}, {bin("new_nid"), tuple({})}})) ==
        "{b'devpath': (b'vm',), b'new_nid': ()}");
}

TEST_CASE("repeated dict keys keep their first place and their last value", "[neolog]") {
  // {1: 'a', 1.0: 'b', True: 'c', 2: 'd'} is {1: 'c', 2: 'd'} in Python.
  const Value m = Value::map({{Value::uinteger(1), bin("a")},
                              {Value::float64(1.0), bin("b")},
                              {Value::boolean(true), bin("c")},
                              {Value::uinteger(2), bin("d")}});
  CHECK(repr(m) == "{1: b'c', 2: b'd'}");
  const Value nan_keys =
      Value::map({{Value::float64(NAN), bin("a")}, {Value::float64(NAN), bin("b")}});
  CHECK(repr(nan_keys) == "{nan: b'a', nan: b'b'}");
  const Value tuples = Value::map({{tuple({bin("x"), Value::uinteger(1)}), bin("a")},
                                   {tuple({bin("x"), Value::float64(1.0)}), bin("b")}});
  CHECK(repr(tuples) == "{(b'x', 1): b'b'}");
}

TEST_CASE("str() of values is what \"%s\" prints", "[neolog]") {
  std::string s;
  append_str(s, Value::ext(4, 0));
  append_str(s, Value::str("x"));
  append_str(s, bin("y"));
  append_str(s, Value::uinteger(7));
  CHECK(s == "MASTERxb'y'7");
}

TEST_CASE("values msgpack-python would refuse are flagged", "[neolog]") {
  CHECK(python_compatible(tuple({bin("\xff"), Value::str("ok")})));
  CHECK_FALSE(python_compatible(tuple({Value::str("\xff")})));
  CHECK_FALSE(python_compatible(Value::map({{Value::map({}), Value::nil()}})));
  CHECK_FALSE(python_compatible(Value::map({{tuple({Value::map({})}), Value::nil()}})));
  CHECK_FALSE(python_truthy(tuple({})));
  CHECK_FALSE(python_truthy(Value::float64(0.0)));
  CHECK(python_truthy(Value::float64(NAN)));
  CHECK_FALSE(python_truthy(Value::ext(0, 0)));
}

namespace {
// The general path: value tree, compatibility, repr.
std::optional<std::string> tree_repr(std::string_view body) {
  auto v = neo::protocol::decode_value(body);
  if (!v || !python_compatible(*v)) return std::nullopt;
  return repr(*v);
}
std::optional<std::string> fast_repr(std::string_view body) {
  std::string out = "prefix ";
  if (!append_msgpack_repr(out, body, 64)) {
    CHECK(out == "prefix ");  // unchanged when it cannot
    return std::nullopt;
  }
  return out.substr(7);
}
}  // namespace

TEST_CASE("the fast -a path prints what the value tree path prints", "[neolog][repr]") {
  using neo::protocol::encode_value;
  const Value ext = Value::ext(4, 1);  // a NEO enum item
  const std::vector<Value> same = {
      tuple({Value::integer(-5), Value::uinteger(1ull << 63), Value::float64(0.1),
             Value::float64(1e16), Value::boolean(true), Value::nil()}),
      tuple({bin("a'b\"\n\x01\xff"), Value::str("h\xc3\xa9\x07"), ext}),
      tuple({tuple({}), tuple({tuple({bin("x")})}), tuple({Value::uinteger(0), Value::nil()})}),
      tuple({Value::uinteger(7)}),
  };
  for (const Value& v : same) {
    const std::string body = encode_value(v);
    INFO(repr(v));
    REQUIRE(tree_repr(body));
    CHECK(fast_repr(body) == tree_repr(body));
  }
  // Not taken: the caller uses the general path (which may refuse too).
  const std::vector<Value> general = {
      tuple({}),                                                   // falsy: nothing printed
      Value::uinteger(3),                                          // not a tuple
      tuple({Value::map({{Value::uinteger(1), Value::nil()}})}),  // dict repr
      tuple({Value::str("\xff")}),                                 // not UTF-8: undecodable
  };
  for (const Value& v : general) {
    INFO(repr(v));
    CHECK_FALSE(fast_repr(encode_value(v)));
  }
  const std::string body = encode_value(tuple({Value::uinteger(1)}));
  CHECK_FALSE(fast_repr(body + "\x01"));                  // trailing bytes
  CHECK_FALSE(fast_repr(body.substr(0, body.size() - 1)));  // cut short
  std::string bad_enum;
  neo::protocol::msgpack::Writer w(bad_enum);
  w.array(1);
  w.ext(4, "\x7f");  // item out of range
  CHECK_FALSE(fast_repr(bad_enum));
  CHECK_FALSE(tree_repr(bad_enum));
  std::string deep;
  for (int i = 0; i < 70; ++i) deep += '\x91';  // nested 1-tuples beyond max depth
  deep += '\xc0';
  CHECK_FALSE(fast_repr(deep));
}
