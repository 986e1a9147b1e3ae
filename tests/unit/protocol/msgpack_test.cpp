#include "core/protocol/msgpack.hpp"

#include <catch2/catch.hpp>
#include <string>

#include "tests/unit/protocol/vectors.hpp"

namespace neo::protocol::msgpack {
namespace {

using test::to_hex;

template <class F>
std::string written(F&& f) {
  std::string out;
  Writer w(out);
  f(w);
  return to_hex(out);
}

TEST_CASE("integers take msgpack-python's shortest form", "[protocol]") {
  const auto u = [](std::uint64_t v) { return written([&](Writer& w) { w.uint(v); }); };
  const auto s = [](std::int64_t v) { return written([&](Writer& w) { w.sint(v); }); };
  CHECK(u(0) == "00");
  CHECK(u(127) == "7f");
  CHECK(u(128) == "cc80");
  CHECK(u(255) == "ccff");
  CHECK(u(256) == "cd0100");
  CHECK(u(65535) == "cdffff");
  CHECK(u(65536) == "ce00010000");
  CHECK(u(0xffffffff) == "ceffffffff");
  CHECK(u(0x100000000) == "cf0000000100000000");
  CHECK(s(5) == "05");
  CHECK(s(200) == "ccc8");  // non-negative values use the unsigned forms
  CHECK(s(-1) == "ff");
  CHECK(s(-32) == "e0");
  CHECK(s(-33) == "d0df");
  CHECK(s(-128) == "d080");
  CHECK(s(-129) == "d1ff7f");
  CHECK(s(-32768) == "d18000");
  CHECK(s(-32769) == "d2ffff7fff");
  CHECK(s(-268435455) == "d2f0000001");  // M1
  CHECK(s(INT32_MIN) == "d280000000");
  CHECK(s(std::int64_t{INT32_MIN} - 1) == "d3ffffffff7fffffff");
  CHECK(s(INT64_MIN) == "d38000000000000000");
}

TEST_CASE("containers, bytes, floats and exts use NEO/py's encodings", "[protocol]") {
  CHECK(written([](Writer& w) { w.bin(""); }) == "c400");
  CHECK(written([](Writer& w) { w.bin(std::string(255, 'a')); }).substr(0, 4) == "c4ff");
  CHECK(written([](Writer& w) { w.bin(std::string(256, 'a')); }).substr(0, 6) == "c50100");
  CHECK(written([](Writer& w) { w.bin(std::string(65536, 'a')); }).substr(0, 10) == "c600010000");
  CHECK(written([](Writer& w) { w.str("NEO"); }) == "a34e454f");
  CHECK(written([](Writer& w) { w.str(std::string(32, 'a')); }).substr(0, 4) == "d920");
  CHECK(written([](Writer& w) { w.array(15); }) == "9f");
  CHECK(written([](Writer& w) { w.array(16); }) == "dc0010");
  CHECK(written([](Writer& w) { w.array(65536); }) == "dd00010000");
  CHECK(written([](Writer& w) { w.map(15); }) == "8f");
  CHECK(written([](Writer& w) { w.map(16); }) == "de0010");
  CHECK(written([](Writer& w) { w.float64(1.5); }) == "cb3ff8000000000000");
  CHECK(written([](Writer& w) {
          w.nil();
          w.boolean(true);
          w.boolean(false);
        }) == "c0c3c2");
  CHECK(written([](Writer& w) { w.ext(4, "\x03"); }) == "d40403");
  CHECK(written([](Writer& w) { w.ext(1, "ab"); }) == "d5016162");
  CHECK(written([](Writer& w) { w.ext(1, "abc"); }) == "c70301616263");
}

TEST_CASE("the reader accepts every integer width and rejects the rest", "[protocol]") {
  const auto int_of = [](std::string_view hex, std::int64_t& v) {
    const std::string bytes = test::unhex(hex);
    Reader r(bytes);
    return r.read_int(v) && r.at_end();
  };
  std::int64_t v = 0;
  CHECK((int_of("d0df", v) && v == -33));
  CHECK((int_of("d1ff7f", v) && v == -129));
  CHECK((int_of("d30000000000000005", v) && v == 5));
  CHECK((int_of("cf7fffffffffffffff", v) && v == INT64_MAX));
  CHECK_FALSE(int_of("cf8000000000000000", v));
  CHECK_FALSE(int_of("cd00", v));  // truncated
  CHECK_FALSE(int_of("c0", v));
  std::uint64_t u = 0;
  const std::string negative = test::unhex("ff");
  CHECK_FALSE(Reader(negative).read_uint(u));
}

TEST_CASE("the reader refuses counts the remaining bytes cannot hold", "[protocol]") {
  std::uint32_t n = 0;
  const std::string array = test::unhex("dc0003c0c0");
  CHECK_FALSE(Reader(array).read_array(n));
  const std::string ok = test::unhex("dc0002c0c0");
  CHECK((Reader(ok).read_array(n) && n == 2));
  const std::string map = test::unhex("81c0");
  CHECK_FALSE(Reader(map).read_map(n));
  const std::string bin = test::unhex("c5ffff00");
  std::string_view bytes;
  CHECK_FALSE(Reader(bin).read_bin(bytes));
  std::int8_t type;
  const std::string ext = test::unhex("c9ffffffff01");
  CHECK_FALSE(Reader(ext).read_ext(type, bytes));
}

TEST_CASE("headers give the sizes the frame scanner relies on", "[protocol]") {
  CHECK(head_size(0xc1) == 0);
  CHECK(head_size(0x05) == 1);
  CHECK(head_size(0xd7) == 10);
  const std::string bin = test::unhex("c6000001000000");
  const Head h = parse_head(bin.data());
  CHECK(h.size == 5);
  CHECK(h.body == 256);
  const std::string map = test::unhex("df00000002");
  CHECK(parse_head(map.data()).children == 4);
  const std::string ext = test::unhex("c8000302");
  CHECK(parse_head(ext.data()).size == 4);
  CHECK(parse_head(ext.data()).body == 3);
}

}  // namespace
}  // namespace neo::protocol::msgpack
