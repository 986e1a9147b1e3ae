#include "core/protocol/python_description.hpp"

#include <catch2/catch.hpp>
#include <map>
#include <regex>
#include <string>
#include <vector>

#include "core/protocol/codec.hpp"

namespace neo::protocol {
namespace {

// The `_packet(code, 'Name', attributes)` lines of the text, by code.
std::map<std::uint16_t, std::pair<std::string, std::string>> packet_lines(const std::string& text) {
  std::map<std::uint16_t, std::pair<std::string, std::string>> lines;
  static const std::regex line(R"(\n_packet\(0x([0-9a-f]{4}), '(\w+)'(.*)\)(?=\n))");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), line); it != std::sregex_iterator();
       ++it) {
    lines[static_cast<std::uint16_t>(std::stoi((*it)[1], nullptr, 16))] = {(*it)[2], (*it)[3]};
  }
  return lines;
}

// The value at `path` of the decoded arguments of `p`.
template <class P>
Value::Array object_data_at(const P& p, const std::vector<int>& path) {
  Result<Value> args = decode_args_value(encode_args(p));
  REQUIRE(args);
  Value value = *args;
  for (std::size_t i = 0; i + 1 < path.size(); ++i) {
    REQUIRE(value.get_if<Value::Array>());
    value = value.get_if<Value::Array>()->at(path[i]);
  }
  REQUIRE(value.get_if<Value::Array>());
  const Value::Array& items = *value.get_if<Value::Array>();
  REQUIRE(items.size() > static_cast<std::size_t>(path.back() + 2));
  return {items.begin() + path.back(), items.begin() + path.back() + 3};
}

std::vector<int> parse_path(const std::string& attributes, bool& answer) {
  std::smatch m;
  static const std::regex data_path(R"(data_path=\(([0-9, ]+)\))");
  REQUIRE(std::regex_search(attributes, m, data_path));
  std::vector<int> path;
  static const std::regex number(R"(\d+)");
  std::string items = m[1];
  for (auto it = std::sregex_iterator(items.begin(), items.end(), number);
       it != std::sregex_iterator(); ++it)
    path.push_back(std::stoi(it->str()));
  answer = path.front() == 1;
  path.erase(path.begin());
  return path;
}

TEST_CASE("the Python description names every packet once", "[protocol]") {
  const std::string text = python_description();
  auto lines = packet_lines(text);
  REQUIRE(lines.size() == all_packets().size());
  for (const PacketInfo& info : all_packets()) {
    INFO(info.name);
    REQUIRE(lines.count(info.code));
    CHECK(lines[info.code].first == info.name);
  }
  CHECK(lines[0x8000].second == ", _neolog=staticmethod(_error_lines)");
  CHECK(lines[NotifyNodeInformation::kCode].second == ", _neolog=staticmethod(_node_lines)");
  for (const char* name : {"Packets = {}", "def uuid_str(nid):", "def Unpacker(**kw):",
                           "from msgpack import Unpacker as _Unpacker"})
    CHECK(text.find(name) != std::string::npos);
  CHECK(text == python_description());
}

TEST_CASE("the Python description lists enums by ext type and node id namespaces", "[protocol]") {
  const std::string text = python_description();
  CHECK(text.find("    _enum('OUT_OF_DATE', 'UP_TO_DATE', 'FEEDING', 'CORRUPTED', "
                  "'DISCARDED'),  # CellStates\n    _enum('RECOVERING', ") != std::string::npos);
  CHECK(text.find("    _enum('ACK', 'DENIED', ") != std::string::npos);
  CHECK(text.find("'UNDO_PACK_ERROR'),  # ErrorCodes\n    _enum('UNKNOWN', 'DOWN', 'RUNNING', "
                  "'PENDING'),  # NodeStates\n    _enum('MASTER', 'STORAGE', 'CLIENT', "
                  "'ADMIN'),  # NodeTypes\n)") != std::string::npos);
  CHECK(text.find("_NID_PREFIX = {-16: 'M', 0: 'S', -32: 'C', -48: 'A'}") != std::string::npos);
  // Python syntax basics: no tab, no trailing space, ends with a newline.
  CHECK(text.find('\t') == std::string::npos);
  CHECK(text.find(" \n") == std::string::npos);
  CHECK(text.back() == '\n');
}

TEST_CASE("data_path points at (compression, checksum, data) of object-data packets",
          "[protocol]") {
  auto lines = packet_lines(python_description());
  int with_path = 0;
  for (auto& [code, line] : lines) with_path += line.second.find("data_path") != std::string::npos;
  CHECK(with_path == 4);
  const ObjectData data{1, "checksum", "data"};
  auto check = [&](auto packet) {
    using P = decltype(packet);
    INFO(P::kName);
    bool answer = false;
    std::vector<int> path = parse_path(lines[P::kCode].second, answer);
    CHECK(answer == (P::kKind == PacketKind::Answer));
    Value::Array triple = object_data_at(packet, path);
    CHECK(triple[0] == Value::integer(1));
    CHECK(triple[1] == Value::bin("checksum"));
    CHECK(triple[2] == Value::bin("data"));
  };
  check(AskStoreObject{.compression = 1, .checksum = "checksum", .data = "data"});
  check(AnswerObject{.compression = 1, .checksum = "checksum", .data = "data"});
  check(AnswerRelockObject{.conflict = RelockConflict{.data = data}});
  check(AddObject{.compression = 1, .checksum = "checksum", .data = "data"});
}

}  // namespace
}  // namespace neo::protocol
