#include "cli/neolog/text_formatter.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

using namespace neo::neolog;

namespace {
std::vector<std::string> lines(std::string_view text) {
  std::vector<std::string> out;
  for_each_line(text, [&](std::string_view l) { out.emplace_back(l); });
  return out;
}
}  // namespace

TEST_CASE("messages are cut into lines as Python's str.splitlines()", "[neolog]") {
  using V = std::vector<std::string>;
  CHECK(lines("").empty());
  CHECK(lines("a") == V{"a"});
  CHECK(lines("a\n") == V{"a"});
  CHECK(lines("a\n\nb") == V{"a", "", "b"});
  CHECK(lines("a\r\nb\rc\vd\fe\x1c"
              "f\x1dg\x1eh") == V{"a", "b", "c", "d", "e", "f", "g", "h"});
  CHECK(lines("a\xc2\x85"
              "b\xe2\x80\xa8"
              "c\xe2\x80\xa9"
              "d") == V{"a", "b", "c", "d"});
  CHECK(lines("\n") == V{""});
  CHECK(lines("tab\there \xc3\xa9\x1f") == V{"tab\there \xc3\xa9\x1f"});
  CHECK(lines("\xc2") == V{"\xc2"});
}

TEST_CASE("level names are logging.getLevelName()'s", "[neolog]") {
  CHECK(level_name(10) == "DEBUG");
  CHECK(level_name(20) == "INFO");
  CHECK(level_name(30) == "WARNING");
  CHECK(level_name(40) == "ERROR");
  CHECK(level_name(50) == "CRITICAL");
  CHECK(level_name(0) == "NOTSET");
  CHECK(level_name(25) == "Level 25");
}

TEST_CASE("message ids and padding follow Python's % formatting", "[neolog]") {
  std::string s;
  append_msg_id(s, 0);
  append_msg_id(s, 0x9a);
  append_msg_id(s, 0x12345);
  append_msg_id(s, -5);
  CHECK(s == "#0x0000#0x009a#0x12345#0x-005");
  s.clear();
  append_padded(s, "S1", 10);
  append_padded(s, "\xc3\xa9t\xc3\xa9", 5);  // 3 characters, 5 bytes
  append_padded(s, "longer than ten", 10);
  CHECK(s == "S1        \xc3\xa9t\xc3\xa9  longer than ten");
}
