#include "core/protocol/frame_reader.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <utility>
#include <vector>

#include "core/protocol/codec.hpp"
#include "tests/unit/protocol/vectors.hpp"

namespace neo::protocol {
namespace {

using test::unhex;

nlohmann::json find_record(std::string_view kind, std::string_view variant = "") {
  for (const auto& record : test::read_jsonl("packets.jsonl")) {
    if (record["kind"] == kind && (variant.empty() || record["variant"] == variant)) return record;
  }
  FAIL("no such record");
  return {};
}

// Every frame of the vectors and traces.
std::vector<std::string> all_vector_frames() {
  std::vector<std::string> frames;
  for (const auto& record : test::read_jsonl("packets.jsonl")) {
    if (record["kind"] == "packet") frames.push_back(unhex(record["frame_hex"].get<std::string>()));
  }
  for (const std::string& file : test::trace_files()) {
    for (const auto& record : test::read_jsonl(file)) {
      if (record["kind"] == "trace_packet") {
        frames.push_back(unhex(record["frame_hex"].get<std::string>()));
      }
    }
  }
  return frames;
}

// Reads `stream` fed in pieces of `chunk` bytes; returns [name, msg_id] of
// each frame, every frame also decoded with its typed decoder.
std::vector<std::pair<std::string, std::uint32_t>> read_stream(std::string_view stream,
                                                               std::size_t chunk) {
  FrameReader reader;
  std::vector<std::pair<std::string, std::uint32_t>> seen;
  for (std::size_t at = 0; at < stream.size(); at += chunk) {
    reader.feed(stream.substr(at, chunk));
    for (;;) {
      auto frame = reader.next();
      REQUIRE(frame);
      if (!frame->has_value()) break;
      const Frame& f = **frame;
      seen.emplace_back(find_packet(f.code)->name, f.msg_id);
      visit_packet_type(f.code,
                        [&]<class P>(std::type_identity<P>) { CHECK(decode_args<P>(f.args)); });
    }
  }
  CHECK(reader.handshake_done());
  CHECK(reader.buffered() == 0);
  return seen;
}

std::error_code error_of(FrameReader& reader) {
  auto frame = reader.next();
  return frame ? std::error_code{} : frame.error();
}

std::error_code error_of(std::string_view bytes, bool handshake = false,
                         std::size_t max_frame = kMaxFrameSize) {
  FrameReader reader(max_frame, handshake);
  reader.feed(bytes);
  return error_of(reader);
}

TEST_CASE("the handshake is accepted whole or in pieces", "[protocol]") {
  const auto record = find_record("handshake");
  const std::string handshake = unhex(record["frame_hex"].get<std::string>());
  CHECK(handshake == kHandshake);
  FrameReader reader;
  for (char byte : handshake) {
    CHECK_FALSE(reader.handshake_done());
    reader.feed({&byte, 1});
    auto frame = reader.next();
    REQUIRE(frame);
    CHECK_FALSE(frame->has_value());
  }
  CHECK(reader.handshake_done());
  CHECK(reader.buffered() == 0);
}

TEST_CASE("a handshake of another version is a version mismatch", "[protocol]") {
  const auto record = find_record("handshake_reject", "version_mismatch");
  CHECK(error_of(unhex(record["frame_hex"].get<std::string>()), true) == errc::version_mismatch);
}

TEST_CASE("a TLS ClientHello is not a NEO stream", "[protocol]") {
  const auto record = find_record("handshake_reject", "tls_client_hello");
  const std::string hello = unhex(record["frame_hex"].get<std::string>());
  CHECK(error_of(hello, true) == errc::not_neo);
  CHECK(error_of(hello.substr(0, 1), true) == errc::not_neo);  // known from the first byte
  CHECK(error_of("\x92\xa3NEX", true) == errc::not_neo);
}

TEST_CASE("the stream sample yields its packets in one piece and in any chunk size", "[protocol]") {
  const auto record = find_record("stream");
  const std::string stream = unhex(record["stream_hex"].get<std::string>());
  std::vector<std::pair<std::string, std::uint32_t>> expected;
  for (const auto& item : record["packets"]) {
    expected.emplace_back(item[0].get<std::string>(), item[1].get<std::uint32_t>());
  }
  REQUIRE(expected.size() > 100);
  CHECK(read_stream(stream, stream.size()) == expected);
  for (std::size_t chunk = 1; chunk <= 64; ++chunk) {
    INFO("chunk " << chunk);
    CHECK(read_stream(stream, chunk) == expected);
  }
}

TEST_CASE("every truncated vector frame asks for more bytes", "[protocol]") {
  const std::vector<std::string> frames = all_vector_frames();
  REQUIRE(frames.size() > 400);
  for (const std::string& frame : frames) {
    for (std::size_t size = 0; size < frame.size(); ++size) {
      FrameReader reader(kMaxFrameSize, false);
      reader.feed(std::string_view(frame).substr(0, size));
      auto next = reader.next();
      REQUIRE(next);
      REQUIRE_FALSE(next->has_value());
    }
    // Fed byte by byte to the same reader: nothing until the last byte.
    FrameReader reader;
    reader.feed(kHandshake);
    for (std::size_t i = 0; i < frame.size(); ++i) {
      reader.feed(frame.substr(i, 1));
      auto next = reader.next();
      REQUIRE(next);
      REQUIRE(next->has_value() == (i + 1 == frame.size()));
    }
  }
}

TEST_CASE("frames come out with their id, code and exact argument bytes", "[protocol]") {
  const std::string args =
      encode_args(AskObject{.oid = {42}, .at = std::nullopt, .before = Tid{7}});
  const std::string bytes = encode_frame(0xffffffff, AskObject::kCode, args);
  CHECK(bytes == encode(0xffffffff, AskObject{.oid = {42}, .at = {}, .before = Tid{7}}));
  FrameReader reader(kMaxFrameSize, false);
  reader.feed(bytes + bytes);
  for (int i = 0; i < 2; ++i) {
    auto frame = reader.next();
    REQUIRE(frame);
    REQUIRE(frame->has_value());
    CHECK((*frame)->msg_id == 0xffffffff);
    CHECK((*frame)->code == AskObject::kCode);
    CHECK((*frame)->args == args);
  }
  CHECK_FALSE(reader.next()->has_value());
  // Ping with msg id 22 and its Pong, from the spec.
  CHECK(encode(22, Ping{}) == unhex("93160290"));
  CHECK(encode(22, Pong{}) == unhex("9316cd800290"));
}

TEST_CASE("an unknown packet code is rejected as soon as it is read", "[protocol]") {
  CHECK(error_of(unhex("9301cd7f00")) == errc::unknown_packet);
  CHECK(error_of(unhex("930100")) == errc::unknown_packet);      // code 0 is not a packet
  CHECK(error_of(unhex("93014a90")) == errc::unknown_packet);    // past the last request
  CHECK(error_of(unhex("9301ff90")) == errc::unknown_packet);    // negative
  CHECK(error_of(unhex("9301c090")) == errc::malformed_packet);  // not an integer
}

TEST_CASE("a frame that is not [uint32, uint16, array] is malformed", "[protocol]") {
  CHECK(error_of(unhex("c1")) == errc::malformed_packet);
  CHECK(error_of(unhex("01")) == errc::malformed_packet);
  CHECK(error_of(unhex("920102")) == errc::malformed_packet);
  CHECK(error_of(unhex("9401029000")) == errc::malformed_packet);
  CHECK(error_of(unhex("93ff0290")) == errc::malformed_packet);                  // negative msg id
  CHECK(error_of(unhex("93cf00000001000000000290")) == errc::malformed_packet);  // > 2^32-1
  CHECK(error_of(unhex("93ce000000000290")) == std::error_code{});  // any width is fine
  CHECK(error_of(unhex("93010280")) == errc::malformed_packet);     // args is a map
  CHECK(error_of(unhex("93010291c1")) == errc::malformed_packet);   // bad byte inside
}

TEST_CASE("an announced length beyond the frame limit fails before the bytes arrive",
          "[protocol]") {
  // AnswerObject whose data bin announces 4 GiB.
  CHECK(error_of(unhex("9301cd802097c6ffffffff")) == errc::frame_too_large);
  // An array of 2^32-1 elements.
  CHECK(error_of(unhex("930102ddffffffff")) == errc::frame_too_large);
  CHECK(error_of(unhex("930102dfffffffff")) == errc::frame_too_large);
  // With a small limit: a 200-byte frame is too large for 100, fine for 300.
  const std::string frame = encode(1, AskStoreObject{.data = std::string(180, 'x')});
  CHECK(error_of(frame.substr(0, 30), false, 100) == errc::frame_too_large);
  CHECK(error_of(frame, false, frame.size()) == std::error_code{});
  CHECK(error_of(frame, false, frame.size() - 1) == errc::frame_too_large);
}

TEST_CASE("deeply nested frames are malformed", "[protocol]") {
  const std::string ok = "\x93\x01\x02" + std::string(62, '\x91') + "\x90";
  CHECK(error_of(ok) == std::error_code{});
  const std::string deep = "\x93\x01\x02" + std::string(100, '\x91') + "\x90";
  CHECK(error_of(deep) == errc::malformed_packet);
  CHECK(error_of(deep.substr(0, 80)) == errc::malformed_packet);
}

TEST_CASE("a failed reader keeps returning its error", "[protocol]") {
  FrameReader reader(kMaxFrameSize, false);
  reader.feed(unhex("c1"));
  CHECK(error_of(reader) == errc::malformed_packet);
  reader.feed(encode(1, Ping{}));
  CHECK(error_of(reader) == errc::malformed_packet);
}

TEST_CASE("a large frame fed in small pieces is scanned once", "[protocol]") {
  AnswerTIDs answer;
  for (std::uint64_t i = 0; i < 200000; ++i) answer.tid_list.push_back(Tid{i});
  const std::string frame = encode(5, answer);
  FrameReader reader;
  reader.feed(kHandshake);
  std::size_t frames = 0;
  for (std::size_t at = 0; at < frame.size(); at += 7) {
    reader.feed(std::string_view(frame).substr(at, 7));
    auto next = reader.next();
    REQUIRE(next);
    if (next->has_value()) {
      ++frames;
      CHECK(decode_args<AnswerTIDs>((*next)->args).value().tid_list.size() == 200000);
    }
  }
  CHECK(frames == 1);
  CHECK(reader.buffered() == 0);
}

}  // namespace
}  // namespace neo::protocol
