#include "cli/neolog/packet_text.hpp"

#include <zlib.h>

#include <catch2/catch.hpp>
#include <string>

#include "core/protocol/value.hpp"

using namespace neo::neolog;
using neo::protocol::Value;

namespace {
Value bin(std::string b) { return Value::bin(std::move(b)); }
Value tuple(Value::Array items) { return Value::array(std::move(items)); }
Value u(std::uint64_t v) { return Value::uinteger(v); }
Value addr(const char* host, int port) { return tuple({bin(host), u(port)}); }
std::string body(const Value& v) { return neo::protocol::encode_value(v); }

PacketText describe(DecodeLevel level, std::int64_t code, std::optional<std::string> b) {
  PacketDescriber d(level);
  PacketText t;
  d.describe(code, b ? std::optional<std::string_view>(*b) : std::nullopt, t);
  return t;
}

std::string zlib(const std::string& data) {
  uLongf size = compressBound(data.size());
  std::string out(size, '\0');
  compress(reinterpret_cast<Bytef*>(out.data()), &size, reinterpret_cast<const Bytef*>(data.data()),
           data.size());
  out.resize(size);
  return out;
}
}  // namespace

TEST_CASE("packet names come from the protocol table", "[neolog]") {
  CHECK(describe(DecodeLevel::Names, 0x20, body(tuple({}))).name == "AskObject");
  CHECK(describe(DecodeLevel::Names, 0x8020, std::nullopt).name == "AnswerObject");
  const PacketText unknown = describe(DecodeLevel::Arguments, 0x7777, body(tuple({u(1)})));
  CHECK(unknown.name == "UnknownPacket[30583]");
  CHECK(unknown.args.empty());
  CHECK(unknown.extra.empty());
  CHECK(describe(DecodeLevel::Names, -1, std::nullopt).name == "UnknownPacket[-1]");
}

TEST_CASE("-a shows the Python repr of the arguments, none when empty", "[neolog]") {
  const std::string b = body(tuple({bin(std::string(8, '\0')), Value::nil(), Value::nil()}));
  CHECK(describe(DecodeLevel::Names, 0x20, b).args.empty());
  CHECK(describe(DecodeLevel::Arguments, 0x20, b).args ==
        "(b'\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00', None, None)");
  CHECK(describe(DecodeLevel::Arguments, 0x2, body(tuple({}))).args.empty());
  CHECK(describe(DecodeLevel::Arguments, 0x2, std::nullopt).args.empty());
}

TEST_CASE("undecodable bodies print \"Can't decode packet\"", "[neolog]") {
  for (const std::string& b :
       {std::string(""), std::string("\x93\x01", 2), body(tuple({})) + "x", std::string("\xc1"),
        std::string("\x91\xd4\x07\x01", 4),  // unknown ext type
        body(tuple({Value::str("\xff")}))}) {
    const PacketText t = describe(DecodeLevel::Arguments, 0x20, b);
    CHECK(t.args.empty());
    REQUIRE(t.extra.size() == 1);
    CHECK(t.extra[0] == "Can't decode packet");
  }
  // Without -a, bodies are not even looked at...
  CHECK(describe(DecodeLevel::Names, 0x20, std::string("\xc1")).extra.empty());
  // ...except those of Error and NotifyNodeInformation.
  CHECK(describe(DecodeLevel::Names, 0x8000, std::string("\xc1")).extra.size() == 1);
}

TEST_CASE("Error packets always get a '<code> (<message>)' line", "[neolog]") {
  const PacketText t =
      describe(DecodeLevel::Names, 0x8000, body(tuple({u(0), bin("state changed")})));
  CHECK(t.name == "Error");
  CHECK(t.args.empty());
  REQUIRE(t.extra.size() == 1);
  CHECK(t.extra[0] == "0 (b'state changed')");
  CHECK(describe(DecodeLevel::Arguments, 0x8000, body(tuple({u(1), bin("")}))).extra[0] ==
        "1 (b'')");
  CHECK(describe(DecodeLevel::Arguments, 0x8000, body(tuple({u(1)}))).extra[0] ==
        "Can't decode packet");
}

TEST_CASE("NotifyNodeInformation always gets one sorted, aligned line per node", "[neolog]") {
  const Value nodes = tuple({
      tuple({Value::ext(4, 1), addr("127.0.0.1", 21110), u(1), Value::ext(3, 3),
             Value::float64(1795319356.361737)}),
      tuple({Value::ext(4, 2), Value::nil(), Value::nil(), Value::ext(3, 2), Value::nil()}),
      tuple({Value::ext(4, 0), addr("::1", 21100), Value::integer(-268435455), Value::ext(3, 2),
             Value::nil()}),
  });
  const std::string b = body(tuple({Value::float64(1795319356.3620303), nodes}));
  const PacketText plain = describe(DecodeLevel::Names, 0x6, b);
  CHECK(plain.args.empty());
  REQUIRE(plain.extra.size() == 3);
  CHECK(plain.extra[0] == " ! M1   | MASTER  | [::1]:21100     | RUNNING | None");
  CHECK(plain.extra[1] ==
        " ! S1   | STORAGE | 127.0.0.1:21110 | PENDING | 2026-11-22 03:49:16.361737");
  CHECK(plain.extra[2] == " ! None | CLIENT  |                 | RUNNING | None");
  CHECK(describe(DecodeLevel::Arguments, 0x6, b).args == "(1795319356.3620303,)");
  CHECK(describe(DecodeLevel::Names, 0x6, body(tuple({Value::float64(1.5), tuple({})})))
            .extra.empty());
  CHECK(describe(DecodeLevel::Names, 0x6, body(tuple({Value::float64(1.5), tuple({u(1)})})))
            .extra[0] == "Can't decode packet");
}

TEST_CASE("-A replaces (compression, checksum, data) by (length, data)", "[neolog]") {
  const std::string data = "hello hello hello hello";
  const Value answer = tuple({bin("oid"), bin("serial"), Value::nil(), u(1), bin("checksum"),
                              bin(zlib(data)), Value::nil()});
  CHECK(describe(DecodeLevel::Data, 0x8020, body(answer)).args ==
        "(b'oid', b'serial', None, (23, b'hello hello hello hello'), None)");
  const Value raw =
      tuple({bin("oid"), bin("serial"), u(0), bin("sum"), bin("xyz"), Value::nil(), bin("ttid")});
  CHECK(describe(DecodeLevel::Data, 0x1c, body(raw)).args ==
        "(b'oid', b'serial', (3, b'xyz'), None, b'ttid')");
  // AnswerRelockObject: the triple is nested, and may be absent.
  const Value relock = tuple({tuple({bin("s"), bin("c"), tuple({u(0), bin("sum"), bin("ab")})})});
  CHECK(describe(DecodeLevel::Data, 0x801b, body(relock)).args == "((b's', b'c', ((2, b'ab'),)),)");
  CHECK(describe(DecodeLevel::Data, 0x801b, body(tuple({Value::nil()}))).args == "(None,)");
  // Data that is not zlib is shown as stored.
  const Value bad =
      tuple({bin("o"), bin("s"), Value::nil(), u(1), bin("c"), bin("not zlib"), Value::nil()});
  CHECK(describe(DecodeLevel::Data, 0x8020, body(bad)).args ==
        "(b'o', b's', None, 1, b'c', b'not zlib', None)");
  // -a alone leaves the data compressed.
  CHECK(describe(DecodeLevel::Arguments, 0x1c, body(raw)).args ==
        "(b'oid', b'serial', 0, b'sum', b'xyz', None, b'ttid')");
}

TEST_CASE("zlib data must be a complete stream", "[neolog]") {
  const std::string z = zlib("abc");
  CHECK(zlib_decompress(z) == "abc");
  CHECK(zlib_decompress(z + "trailing") == "abc");
  CHECK_FALSE(zlib_decompress(z.substr(0, z.size() - 1)));
  CHECK_FALSE(zlib_decompress(""));
}

TEST_CASE("odd bodies are iterated as Python iterates them", "[neolog]") {
  // Error(*args) with a dict body: its keys are the arguments.
  const Value dict = Value::map({{u(1), u(40000)}, {bin("msg"), bin("x")}});
  CHECK(describe(DecodeLevel::Names, 0x8000, body(dict)).extra[0] == "1 (b'msg')");
  // -A on AnswerRelockObject whose first argument is bytes: list(bytes) gives ints.
  const Value relock = tuple({bin(std::string("\0\0\0\0\0\0\0\1", 8)), bin("c")});
  CHECK(describe(DecodeLevel::Data, 0x801b, body(relock)).args ==
        "((0, 0, None, 0, 0, 0, 0, 1), b'c')");
}

TEST_CASE("text_of() gives describe()'s text, repeated bodies or not", "[neolog]") {
  const std::string big(2000, 'x');
  const std::string inflated(40000, 'y');  // -A: a small body, a large text
  const std::vector<std::pair<std::int64_t, std::optional<std::string>>> packets = {
      {0x20, body(tuple({u(1), u(2), u(3)}))},
      {0x20, body(tuple({u(1), u(2), u(3)}))},
      {0x20, body(tuple({u(1), u(2), u(4)}))},
      {0x20, std::nullopt},
      {0x20, body(tuple({u(1), u(2), u(4)}))},
      {0x20, body(tuple({bin(big)}))},
      {0x20, body(tuple({bin(big)}))},
      {0x8000, body(tuple({u(0), bin("state changed")}))},
      {0x8000, body(tuple({u(1), bin("other")}))},
      {0x8000, std::string("\xc1")},
      {0x7777, body(tuple({u(1)}))},
      {0x8020, body(tuple({u(1), u(2), u(3), u(1), bin(""), bin(zlib(inflated)), u(0)}))},
      {0x8020, body(tuple({u(1), u(2), u(3), u(1), bin(""), bin(zlib(inflated)), u(0)}))},
      {0x8020, body(tuple({u(1), u(2), u(3), u(0), bin(""), bin("raw"), u(0)}))},
  };
  for (const DecodeLevel level : {DecodeLevel::Names, DecodeLevel::Arguments, DecodeLevel::Data}) {
    PacketDescriber memo(level);
    for (int round = 0; round < 2; ++round) {
      for (const auto& [code, b] : packets) {
        INFO("level " << static_cast<int>(level) << " code " << code);
        const auto view = b ? std::optional<std::string_view>(*b) : std::nullopt;
        const PacketText& got = memo.text_of(code, view);
        const PacketText want = describe(level, code, b);
        CHECK(got.name == want.name);
        CHECK(got.args == want.args);
        CHECK(got.extra == want.extra);
      }
    }
  }
}
