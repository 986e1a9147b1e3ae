// The golden vectors of NEO/py: every packet sample and every frame of the
// recorded traces decodes to the described arguments and re-encodes to the
// exact bytes.
#include "tests/unit/protocol/vectors.hpp"

#include <catch2/catch.hpp>
#include <set>
#include <string>

#include "core/protocol/codec.hpp"
#include "core/protocol/frame_reader.hpp"

namespace neo::protocol {
namespace {

using test::to_hex;
using test::unhex;

std::string_view kind_name(PacketKind kind) {
  switch (kind) {
    case PacketKind::Request:
      return "request";
    case PacketKind::Notification:
      return "notification";
    case PacketKind::Answer:
      return "answer";
    case PacketKind::Error:
      return "error";
  }
  return "?";
}

// Reads the one frame of `bytes` without handshake.
Frame read_single_frame(std::string_view bytes) {
  FrameReader reader(kMaxFrameSize, false);
  reader.feed(bytes);
  auto frame = reader.next();
  REQUIRE(frame);
  REQUIRE(frame->has_value());
  CHECK(reader.buffered() == 0);
  return std::move(**frame);
}

// Checks one recorded packet: framing, typed decoding against the JSON
// arguments, byte-exact re-encoding. Returns the packet name decoded.
std::string check_recorded_packet(const nlohmann::json& record) {
  const std::string frame_bytes = unhex(record["frame_hex"].get<std::string>());
  const Frame frame = read_single_frame(frame_bytes);
  CHECK(frame.msg_id == record["msg_id"].get<std::uint32_t>());
  CHECK(frame.code == record["code"].get<std::uint16_t>());
  const Value expected = test::value_from_json(record["args"]);
  CHECK(decode_args_value(frame.args).value() == expected);
  std::string name;
  const bool known = visit_packet_type(frame.code, [&]<class P>(std::type_identity<P>) {
    name = P::kName;
    Result<P> p = decode_args<P>(frame.args);
    REQUIRE(p);
    const std::string args = encode_args(*p);
    CHECK(args == frame.args);
    CHECK(decode_value(args).value() == expected);
    CHECK(to_hex(encode(frame.msg_id, *p)) == record["frame_hex"].get<std::string>());
  });
  REQUIRE(known);
  CHECK(name == record["name"].get<std::string>());
  return name;
}

TEST_CASE("every packet sample of NEO/py decodes and re-encodes byte for byte", "[protocol]") {
  int checked = 0;
  std::set<std::string> names;
  for (const auto& record : test::read_jsonl("packets.jsonl")) {
    if (record["kind"] != "packet") continue;
    INFO(record["name"].get<std::string>() << " " << record["variant"].get<std::string>());
    names.insert(check_recorded_packet(record));
    // The log body is the argument array alone.
    const Frame frame = read_single_frame(unhex(record["frame_hex"].get<std::string>()));
    CHECK(to_hex(frame.args) == record["log_body_hex"].get<std::string>());
    visit_packet_type(frame.code, [&]<class P>(std::type_identity<P>) {
      CHECK(to_hex(encode_args(decode_args<P>(frame.args).value())) == record["log_body_hex"]);
    });
    const PacketInfo* info = find_packet(frame.code);
    REQUIRE(info != nullptr);
    CHECK(kind_name(info->kind) == record["type"].get<std::string>());
    if (record.contains("answer")) {
      CHECK(find_packet(info->answer)->name == record["answer"].get<std::string>());
    }
    if (record.contains("request")) {
      CHECK(find_packet(info->request)->name == record["request"].get<std::string>());
    }
    ++checked;
  }
  CHECK(checked == 173);
  CHECK(names.size() == 111);
}

TEST_CASE("every frame of the recorded NEO/py traces decodes and re-encodes exactly",
          "[protocol]") {
  int total = 0;
  for (const std::string& file : test::trace_files()) {
    const auto records = test::read_jsonl(file);
    REQUIRE(records.at(0)["kind"] == "trace_info");
    int checked = 0;
    for (const auto& record : records) {
      if (record["kind"] != "trace_packet") continue;
      INFO(file << " seq " << record["seq"]);
      check_recorded_packet(record);
      ++checked;
    }
    CHECK(checked == records[0]["packets"].get<int>());
    total += checked;
  }
  CHECK(total == 368);
}

TEST_CASE("the packet table matches the schema of the vectors", "[protocol]") {
  const auto schema = test::read_json("packet_schema.json");
  const auto& packets = schema["packets"];
  REQUIRE(packets.size() == all_packets().size());
  for (std::size_t i = 0; i < packets.size(); ++i) {
    const PacketInfo& info = all_packets()[i];
    CHECK(info.code == packets[i]["code"].get<int>());
    CHECK(info.name == packets[i]["name"].get<std::string>());
    CHECK(kind_name(info.kind) == packets[i]["type"].get<std::string>());
    CHECK(find_packet(info.code) == &info);
    CHECK(find_packet(info.name) == &info);
    visit_packet_type(info.code, [&]<class P>(std::type_identity<P>) {
      CHECK(std::tuple_size_v<decltype(P{}.fields())> == packets[i]["args"].size());
    });
  }
}

}  // namespace
}  // namespace neo::protocol
