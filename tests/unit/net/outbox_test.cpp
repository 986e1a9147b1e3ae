#include "core/net/outbox.hpp"

#include <catch2/catch.hpp>
#include <string>

#include "core/protocol/frame_reader.hpp"
#include "core/protocol/packets.hpp"

using neo::net::Outbox;
namespace protocol = neo::protocol;

namespace {

// Everything gathered, write after write, until empty.
std::string drain(Outbox& outbox, std::size_t* writes = nullptr) {
  std::string written;
  std::vector<std::string_view> buffers;
  while (!outbox.empty()) {
    outbox.gather(buffers);
    REQUIRE(!buffers.empty());
    REQUIRE(buffers.size() <= Outbox::kMaxBuffersPerWrite);
    for (std::string_view b : buffers) written += b;
    outbox.consume();
    if (writes) ++*writes;
  }
  return written;
}

}  // namespace

TEST_CASE("small frames share chunks and cost their bytes", "[net]") {
  Outbox outbox;
  std::string expected;
  for (std::uint32_t i = 0; i < 100000; ++i) {
    const std::size_t growth = outbox.growth(1);
    const std::size_t held = outbox.held();
    outbox.push_frame(i, protocol::Pong::kCode, "\x90");
    CHECK(outbox.held() - held <= growth);
    expected += protocol::encode_frame(i, protocol::Pong::kCode, "\x90");
  }
  CHECK(outbox.bytes() == expected.size());
  // ~8.5 bytes per Pong: chunk capacities and their overhead add under 2 %.
  CHECK(outbox.held() < expected.size() + expected.size() / 50);
  std::size_t writes = 0;
  CHECK(drain(outbox, &writes) == expected);
  CHECK(writes == 1);  // under 1 MiB: one write
  CHECK(outbox.held() == 0);
  CHECK(outbox.bytes() == 0);
}

TEST_CASE("large frames keep a chunk of their own; writes stay under their limits", "[net]") {
  Outbox outbox;
  outbox.push_bytes(protocol::kHandshake);
  std::string expected(protocol::kHandshake);
  for (std::uint32_t i = 0; i < 300; ++i) {
    const std::size_t size = i % 7 == 0 ? (3u << 20) : i % 3 == 0 ? Outbox::kSmallFrame : 100;
    const std::string args(size, char('a' + i % 26));
    const std::size_t held = outbox.held();
    const std::size_t growth = outbox.growth(size);
    outbox.push_frame(i, protocol::AddObject::kCode, args);
    CHECK(outbox.held() - held <= growth);
    if (size >= Outbox::kSmallFrame) CHECK(outbox.held() - held < size + 100);
    expected += protocol::encode_frame(i, protocol::AddObject::kCode, args);
  }
  CHECK(outbox.bytes() == expected.size());
  CHECK(drain(outbox) == expected);
  CHECK(outbox.held() == 0);
}

TEST_CASE("frames queued during a write go after it, not into its buffers", "[net]") {
  Outbox outbox;
  outbox.push_frame(1, protocol::Ping::kCode, "\x90");
  std::vector<std::string_view> buffers;
  outbox.gather(buffers);
  REQUIRE(buffers.size() == 1);
  const std::string first(buffers[0]);
  const char* data = buffers[0].data();
  for (std::uint32_t i = 2; i < 5000; ++i) outbox.push_frame(i, protocol::Ping::kCode, "\x90");
  CHECK(buffers[0].data() == data);  // not moved
  CHECK(std::string(buffers[0]) == first);
  outbox.drop_unsent();  // as on close: the write in progress stays
  CHECK(outbox.bytes() == first.size());
  outbox.consume();
  CHECK(outbox.empty());
  CHECK(outbox.held() == 0);
}
