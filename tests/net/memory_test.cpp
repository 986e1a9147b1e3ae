// Loopback tests of what connections hold for sending (issue 20, finding 1):
// peers that send Pings and never read the Pongs, alone or several, against
// the bound per connection, the pause of reading, the node's budget; and a
// fast peer with large answers, which none of them must hurt.
#include <malloc.h>

#include <algorithm>
#include <asio/ip/tcp.hpp>
#include <asio/read.hpp>
#include <asio/write.hpp>
#include <catch2/catch.hpp>

#include "core/net/connection.hpp"
#include "core/protocol/msgpack.hpp"
#include "tests/net/net_support.hpp"

namespace protocol = neo::protocol;
using namespace neo::net;
using namespace neo::net::test;
using neo::errc;
using neo::Result;

namespace {

// Answers Pings (and AskObject with `object`); records nothing else.
struct PongHandler : Handler {
  void on_packet(Peer& peer, const protocol::Frame& frame) override {
    ++packets;
    if (frame.code == protocol::Ping::kCode) peer.answer(protocol::Pong{});
    if (frame.code == protocol::AskObject::kCode) peer.answer(object);
  }
  void on_closed(Peer&, std::error_code reason) override { closed = reason; }
  std::size_t packets = 0;
  std::optional<std::error_code> closed;
  protocol::AnswerObject object;
};

// A listener whose connections get PongHandlers.
struct PongServer {
  PongServer(asio::io_context& io, const ConnectionOptions& options) {
    auto result = Listener::listen(io, Address{"127.0.0.1", 0}, options, [this](Connection& c) {
      connections.push_back(std::static_pointer_cast<Connection>(c.shared_from_this()));
      handlers.push_back(std::make_shared<PongHandler>());
      handlers.back()->object = object;
      return handlers.back();
    });
    REQUIRE(result);
    listener = *result;
  }
  std::shared_ptr<Listener> listener;
  std::vector<std::shared_ptr<Connection>> connections;
  std::vector<std::shared_ptr<PongHandler>> handlers;
  protocol::AnswerObject object;
};

// 1 MiB of Ping frames (msg ids under 128: 4 bytes each, 6 for the Pong).
std::string ping_block() {
  std::string block;
  for (std::uint32_t i = 0; block.size() < (1u << 20); i = (i + 1) % 128) {
    protocol::msgpack::Writer w(block);
    w.array(3);
    w.uint(i);
    w.uint(protocol::Ping::kCode);
    w.array(0);
  }
  return block;
}

// A raw peer that sends `megabytes` MiB of Pings as fast as the node takes
// them and reads nothing (a small receive buffer, so that the node's
// socket buffers fill soon).
struct Flooder {
  Flooder(asio::io_context& io, const Address& to, std::size_t megabytes)
      : socket(io), left(megabytes), block(ping_block()) {
    socket.open(asio::ip::tcp::v4());
    socket.set_option(asio::socket_base::receive_buffer_size(4096));
    socket.connect({asio::ip::make_address(to.host), to.port});
    asio::write(socket, asio::buffer(protocol::kHandshake));
    send();
  }
  void send() {
    if (left == 0) return;
    asio::async_write(socket, asio::buffer(block), [this](std::error_code ec, std::size_t n) {
      sent += n;
      if (ec) {
        failed = true;
        return;
      }
      --left;
      send();
    });
  }
  asio::ip::tcp::socket socket;
  std::size_t left;
  std::size_t sent = 0;
  bool failed = false;
  std::string block;
};

// Bytes of heap in use (the test process holds both ends).
std::size_t heap_in_use() { return mallinfo2().uordblks; }

}  // namespace

TEST_CASE("a peer that never reads its Pongs is closed at the bound of what they really hold",
          "[net]") {
  LogCapture log;
  asio::io_context io;
  ConnectionOptions options;
  options.max_outgoing_bytes = 1u << 20;
  options.pause_reading_bytes = 0;  // the bound alone
  PongServer server(io, options);
  Flooder flooder(io, server.listener->local_address(), 64);
  const std::size_t heap_before = heap_in_use();
  std::size_t heap_peak = heap_before;
  std::size_t held_peak = 0;
  REQUIRE(run_until(
      io,
      [&] {
        heap_peak = std::max(heap_peak, heap_in_use());
        if (!server.connections.empty()) {
          held_peak = std::max(held_peak, server.connections[0]->held_bytes());
        }
        return !server.handlers.empty() && server.handlers[0]->closed;
      },
      30s));
  CHECK(*server.handlers[0]->closed == std::errc::no_buffer_space);
  // The outbox's bound, and the buffer of what is being read: a read of at
  // most 64 KiB after a partial Ping, in a string whose capacity doubles.
  CHECK(held_peak <= options.max_outgoing_bytes + (256u << 10));
  // What the Pongs really cost in memory stays near the bound (before: a
  // string per 6-byte Pong, ~64 bytes each: 11 MiB for a 1 MiB bound).
  CHECK(heap_peak - heap_before < (3u << 20));
  CHECK(server.handlers[0]->packets > 100000);
  const std::string line = log.out.str();
  CHECK_THAT(line, Catch::Contains(server.connections[0]->address() +
                                   "): 1.0 MiB held for sending, a packet of 1 bytes more would "
                                   "exceed the bound of 1.0 MiB: closing"));
}

TEST_CASE("an accepted connection stops reading a peer that does not read, then closes it",
          "[net]") {
  LogCapture log;
  asio::io_context io;
  ConnectionOptions options;
  options.pause_reading_bytes = 256u << 10;
  options.stall_timeout = 300ms;
  PongServer server(io, options);
  Flooder flooder(io, server.listener->local_address(), 16);
  std::size_t held_peak = 0;
  bool paused = false;
  REQUIRE(run_until(
      io,
      [&] {
        if (!server.connections.empty()) {
          held_peak = std::max(held_peak, server.connections[0]->held_bytes());
          paused = paused || server.connections[0]->reading_paused();
        }
        return !server.handlers.empty() && server.handlers[0]->closed;
      },
      30s));
  CHECK(paused);
  CHECK(*server.handlers[0]->closed == errc::timed_out);
  // Over the threshold by at most what one read of Pings brings (64 KiB: 96 KiB of Pongs).
  CHECK(held_peak < options.pause_reading_bytes + (192u << 10));
  CHECK(flooder.sent < (16u << 20));  // the flooder could not send it all
  CHECK_THAT(log.out.str(), Catch::Contains(server.connections[0]->address() +
                                            "): has read nothing for 0.3 s while"));
}

TEST_CASE("a paused connection resumes, losing nothing, once its peer reads", "[net]") {
  asio::io_context io;
  ConnectionOptions options;
  options.pause_reading_bytes = 256u << 10;
  PongServer server(io, options);
  Flooder flooder(io, server.listener->local_address(), 8);
  REQUIRE(run_until(
      io, [&] { return !server.connections.empty() && server.connections[0]->reading_paused(); }));
  const std::size_t pings = (8u << 20) / 4;
  const std::size_t pong_bytes = protocol::kHandshake.size() + pings * 6;
  std::string received;
  std::size_t got = 0;
  std::function<void()> read_more = [&] {
    received.resize(1 << 16);
    flooder.socket.async_read_some(asio::buffer(received), [&](std::error_code ec, std::size_t n) {
      got += n;
      if (!ec) read_more();
    });
  };
  read_more();
  REQUIRE(run_until(
      io, [&] { return got >= pong_bytes; }, 60s));
  CHECK(got == pong_bytes);
  CHECK(server.handlers[0]->packets == pings);
  CHECK_FALSE(server.handlers[0]->closed);
  CHECK_FALSE(server.connections[0]->reading_paused());
}

TEST_CASE("over the node's budget, the accepted connections holding the most are closed", "[net]") {
  LogCapture log;
  asio::io_context io;
  auto budget = std::make_shared<MemoryBudget>(2u << 20);
  ConnectionOptions options;
  options.budget = budget;
  options.pause_reading_bytes = 0;  // the budget alone
  PongServer server(io, options);
  // The node's own link to a peer that reads nothing holds more than its
  // share, but is never sacrificed.
  asio::ip::tcp::acceptor sink(io, {asio::ip::make_address("127.0.0.1"), 0});
  asio::ip::tcp::socket sunk(io);
  sink.async_accept(sunk, [](std::error_code) {});
  auto own = Connection::connect(io, Address{"127.0.0.1", sink.local_endpoint().port()},
                                 std::make_shared<PongHandler>(), options);
  protocol::AddObject object;
  object.data.resize(900u << 10);
  own->notify(object);
  std::vector<std::unique_ptr<Flooder>> flooders;
  for (int i = 0; i < 3; ++i) {
    flooders.push_back(std::make_unique<Flooder>(io, server.listener->local_address(), 16));
  }
  std::size_t total_peak = 0;
  REQUIRE(run_until(
      io,
      [&] {
        total_peak = std::max(total_peak, budget->total());
        return server.handlers.size() == 3 &&
               std::all_of(server.handlers.begin(), server.handlers.end(),
                           [](auto& h) { return h->closed.has_value(); });
      },
      30s));
  for (auto& handler : server.handlers) CHECK(*handler->closed == std::errc::no_buffer_space);
  CHECK_FALSE(own->closed());
  // Over by at most what a turn of the event loop queues before the close.
  CHECK(total_peak < budget->limit() + (1u << 20));
  CHECK_THAT(log.out.str(), Catch::Contains("over the node's budget of 2.0 MiB: closing ? ("));
  own->close({});
  run_until(io, [&] { return budget->total() == 0; });
  CHECK(budget->total() == 0);
}

TEST_CASE("partial frames count in the node's budget: slow senders of large packets are closed",
          "[net]") {
  LogCapture log;
  asio::io_context io;
  auto budget = std::make_shared<MemoryBudget>(4u << 20);
  ConnectionOptions options;
  options.budget = budget;
  PongServer server(io, options);
  // Each peer announces a Ping of 60 MiB (under the frame limit) and sends
  // 3 MiB of it: together, more than the node may hold.
  std::string start(protocol::kHandshake);
  protocol::msgpack::Writer w(start);
  w.array(3);
  w.uint(1);
  w.uint(protocol::Ping::kCode);
  w.array(1);
  w.raw(std::string_view("\xc6\x03\xc0\x00\x00", 5));  // bin32 of 60 MiB
  start.append(3u << 20, 'x');
  std::vector<asio::ip::tcp::socket> peers;
  peers.reserve(3);  // their writes refer to them
  for (int i = 0; i < 3; ++i) {
    const Address to = server.listener->local_address();
    peers.emplace_back(io).connect({asio::ip::make_address(to.host), to.port});
    asio::async_write(peers.back(), asio::buffer(start), [](std::error_code, std::size_t) {});
  }
  std::size_t total_peak = 0;
  REQUIRE(run_until(
      io,
      [&] {
        total_peak = std::max(total_peak, budget->total());
        return std::any_of(server.handlers.begin(), server.handlers.end(),
                           [](auto& h) { return h->closed.has_value(); });
      },
      30s));
  for (auto& handler : server.handlers) {
    if (handler->closed) CHECK(*handler->closed == std::errc::no_buffer_space);
    CHECK(handler->packets == 0);
  }
  // Over by at most what one read adds (64 KiB, doubled by a string's growth).
  CHECK(total_peak < budget->limit() + (8u << 20));
  CHECK_THAT(log.out.str(), Catch::Contains("over the node's budget of 4.0 MiB: closing ? ("));
  for (auto& peer : peers) peer.close();
  run_until(io, [&] { return budget->total() == 0; });
  CHECK(budget->total() == 0);
}

TEST_CASE("a fast peer with large answers is not closed", "[net]") {
  asio::io_context io;
  ConnectionOptions options;  // the defaults, and a budget as every node has
  options.budget = std::make_shared<MemoryBudget>();
  PongServer server(io, options);
  server.object.data.assign(6u << 20, 'x');
  auto client = Connection::connect(io, server.listener->local_address(),
                                    std::make_shared<PongHandler>(), options);
  int answers = 0;
  for (int i = 0; i < 40; ++i) {  // 240 MiB of answers asked at once
    client->ask(protocol::AskObject{.oid = neo::Oid(i)},
                [&](Result<protocol::AnswerObject> answer, std::string_view) {
                  answers += answer && answer->data.size() == (6u << 20);
                });
  }
  REQUIRE(run_until(
      io, [&] { return answers == 40; }, 60s));
  CHECK_FALSE(server.handlers[0]->closed);
  CHECK(client->connected());
  CHECK(server.connections[0]->queued_bytes() == 0);
  CHECK(server.connections[0]->held_bytes() < (64u << 10));  // what reading the requests took
}
