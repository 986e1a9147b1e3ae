// Loopback tests of Connection and Listener (plain TCP).
#include "core/net/connection.hpp"

#include <asio/connect.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/read.hpp>
#include <asio/write.hpp>
#include <catch2/catch.hpp>

#include "tests/net/net_support.hpp"

namespace protocol = neo::protocol;
using namespace neo::net;
using namespace neo::net::test;
using neo::errc;
using neo::Result;
using neo::Tid;

namespace {

template <class P>
Result<P> decode(const protocol::Frame& frame) {
  REQUIRE(frame.code == P::kCode);
  return protocol::decode_args<P>(frame.args);
}

// Answers Ping with Pong and AskFinalTID with its own ttid.
void echo(Peer& peer, const protocol::Frame& frame) {
  if (frame.code == protocol::Ping::kCode) peer.answer(protocol::Pong{});
  if (frame.code == protocol::AskFinalTID::kCode) {
    peer.answer(protocol::AnswerFinalTID{.tid = decode<protocol::AskFinalTID>(frame)->ttid});
  }
}

// A raw TCP socket speaking bytes, for peers that are not NEO nodes.
struct RawPeer {
  RawPeer(asio::io_context& io, const Address& to) : socket(io) {
    socket.connect({asio::ip::make_address(to.host), to.port});
  }
  // Everything the other side sends until it closes.
  std::string read_all(asio::io_context& io) {
    std::string received;
    bool done = false;
    asio::async_read(socket, asio::dynamic_buffer(received),
                     [&](std::error_code, std::size_t) { done = true; });
    REQUIRE(run_until(io, [&] { return done; }));
    return received;
  }
  asio::ip::tcp::socket socket;
};

}  // namespace

TEST_CASE("requests and answers cross a loopback connection", "[net]") {
  const std::string host = GENERATE("127.0.0.1", "::1");
  asio::io_context io;
  Server server(io, host);
  server.on_frame = echo;
  std::vector<std::tuple<Direction, std::uint32_t, std::uint16_t>> observed;
  ConnectionOptions options;
  options.observer = [&](Direction direction, const Peer&, std::uint32_t msg_id, std::uint16_t code,
                         std::string_view) { observed.emplace_back(direction, msg_id, code); };
  auto client_handler = std::make_shared<RecordingHandler>();
  auto client = Connection::connect(io, server.address(), client_handler, options);
  CHECK(client->address() == to_string(server.address()));
  CHECK(client->address() ==
        (host == "::1" ? "[::1]:" : "127.0.0.1:") + std::to_string(server.address().port));

  bool pong = false;
  std::optional<Tid> final_tid;
  // Sent before the connection is up: queued.
  CHECK(client->ask(protocol::Ping{}, [&](Result<protocol::Pong> answer, std::string_view) {
    pong = answer.has_value();
  }) == 0);
  CHECK(client->ask(protocol::AskFinalTID{.ttid = Tid{0x0102030405060708}},
                    [&](Result<protocol::AnswerFinalTID> answer, std::string_view) {
                      REQUIRE(answer);
                      final_tid = answer->tid.value();
                    }) == 1);
  CHECK(client->notify(protocol::NotifyReady{}) == 2);
  REQUIRE(run_until(io, [&] { return pong && final_tid; }));
  CHECK(*final_tid == Tid{0x0102030405060708});
  CHECK(client_handler->connected);
  CHECK(client->connected());
  CHECK_FALSE(client->is_server());
  CHECK(client->pending_requests() == 0);

  auto server_handler = server.handler(io);
  REQUIRE(run_until(io, [&] { return server_handler->frames.size() == 3; }));
  CHECK(server_handler->frames[2].code == protocol::NotifyReady::kCode);
  CHECK(server_handler->frames[2].msg_id == 2);
  CHECK(server.connections[0]->is_server());
  CHECK(server.connections[0]->address().starts_with(host == "::1" ? "[::1]:" : "127.0.0.1:"));
  CHECK(client_handler->frames.empty());  // answers went to their callbacks

  using Seen = std::tuple<Direction, std::uint32_t, std::uint16_t>;
  CHECK(observed == std::vector<Seen>{
                        {Direction::kSent, 0, protocol::Ping::kCode},
                        {Direction::kSent, 1, protocol::AskFinalTID::kCode},
                        {Direction::kSent, 2, protocol::NotifyReady::kCode},
                        {Direction::kReceived, 0, protocol::Pong::kCode},
                        {Direction::kReceived, 1, protocol::AnswerFinalTID::kCode},
                    });

  client->close({});
  REQUIRE(run_until(io, [&] { return server_handler->closed.has_value(); }));
  CHECK(*server_handler->closed == asio::error::eof);
  CHECK(client_handler->closed == std::error_code{});
}

TEST_CASE("answers may arrive in another order than the requests", "[net]") {
  asio::io_context io;
  Server server(io, "127.0.0.1");
  std::vector<std::uint32_t> held;
  server.on_frame = [&](Peer& peer, const protocol::Frame& frame) {
    held.push_back(frame.msg_id);
    if (held.size() == 3) {
      for (auto it = held.rbegin(); it != held.rend(); ++it) {
        peer.answer(*it, protocol::AnswerFinalTID{.tid = Tid{*it + 100}});
      }
    }
  };
  auto client = Connection::connect(io, server.address(), std::make_shared<RecordingHandler>(), {});
  std::vector<std::pair<std::uint32_t, Tid>> answers;
  for (int i = 0; i < 3; ++i) {
    const std::uint32_t id =
        client->ask(protocol::AskFinalTID{.ttid = Tid{}},
                    [&answers, i](Result<protocol::AnswerFinalTID> answer, std::string_view) {
                      answers.emplace_back(i, answer.value().tid.value());
                    });
    CHECK(id == std::uint32_t(i));
  }
  REQUIRE(run_until(io, [&] { return answers.size() == 3; }));
  using A = std::pair<std::uint32_t, Tid>;
  CHECK(answers == std::vector<A>{{2, Tid{102}}, {1, Tid{101}}, {0, Tid{100}}});
}

TEST_CASE("an Error answer reaches the caller with its code and message", "[net]") {
  asio::io_context io;
  Server server(io, "::1");
  server.on_frame = [](Peer& peer, const protocol::Frame&) {
    peer.answer_error(errc::not_ready, "Retry Later");
  };
  auto client = Connection::connect(io, server.address(), std::make_shared<RecordingHandler>(), {});
  std::optional<std::error_code> code;
  std::string text;
  client->ask(protocol::AskClusterState{},
              [&](Result<protocol::AnswerClusterState> answer, std::string_view message) {
                code = answer.error();
                text = message;
              });
  REQUIRE(run_until(io, [&] { return code.has_value(); }));
  CHECK(*code == errc::not_ready);
  CHECK(text == "Retry Later");
  CHECK(client->connected());  // an Error answer does not close by itself
}

TEST_CASE("an unexpected answer gets PROTOCOL_ERROR and closes the connection", "[net]") {
  asio::io_context io;
  Server server(io, "127.0.0.1");
  server.on_frame = [](Peer& peer, const protocol::Frame& frame) {
    if (frame.code == protocol::Ping::kCode) {
      peer.answer(protocol::AnswerClusterState{});  // wrong answer type
      peer.answer(1234, protocol::Pong{});          // unknown msg id
    }
  };
  auto client_handler = std::make_shared<RecordingHandler>();
  auto client = Connection::connect(io, server.address(), client_handler, {});
  std::optional<std::error_code> ping;
  client->ask(protocol::Ping{},
              [&](Result<protocol::Pong> answer, std::string_view) { ping = answer.error(); });
  auto server_handler = server.handler(io);
  REQUIRE(run_until(io, [&] { return client_handler->closed && server_handler->closed; }));
  CHECK(*client_handler->closed == errc::protocol_error);
  CHECK(ping == errc::connection_closed);
  // Only the first offence is answered: the connection is aborted at once.
  REQUIRE(server_handler->frames.size() == 2);
  const protocol::Frame& error = server_handler->frames[1];
  CHECK(error.msg_id == 0);
  auto decoded = decode<protocol::Error>(error);
  CHECK(decoded->code == 6);
  CHECK(decoded->message == "Unexpected answer: AnswerClusterState");
}

TEST_CASE("an Error for no pending request goes to the handler", "[net]") {
  asio::io_context io;
  Server server(io, "127.0.0.1");
  server.on_frame = [](Peer& peer, const protocol::Frame&) {
    peer.answer_error(77, errc::protocol_error, "invalid partition range");
  };
  auto client_handler = std::make_shared<RecordingHandler>();
  auto client = Connection::connect(io, server.address(), client_handler, {});
  client->notify(protocol::NotifyReady{});
  REQUIRE(run_until(io, [&] { return !client_handler->frames.empty(); }));
  CHECK(client_handler->frames[0].msg_id == 77);
  CHECK(decode<protocol::Error>(client_handler->frames[0])->message == "invalid partition range");
  CHECK(client->connected());
}

TEST_CASE("pending requests fail when the connection closes", "[net]") {
  asio::io_context io;
  Server server(io, "127.0.0.1");
  server.on_frame = [](Peer& peer, const protocol::Frame& frame) {
    if (frame.code == protocol::AskFinalTID::kCode) peer.close(errc::denied);
  };
  auto client_handler = std::make_shared<RecordingHandler>();
  auto client = Connection::connect(io, server.address(), client_handler, {});
  std::vector<std::error_code> failures;
  auto record = [&](Result<protocol::Pong> answer, std::string_view message) {
    failures.push_back(answer.error());
    CHECK(message == "connection closed");
  };
  client->ask(protocol::Ping{}, record);
  client->ask(protocol::AskFinalTID{},
              [&](Result<protocol::AnswerFinalTID> answer, std::string_view) {
                failures.push_back(answer.error());
              });
  REQUIRE(run_until(io, [&] { return client_handler->closed.has_value(); }));
  CHECK(failures.size() == 2);  // both were pending: the server answered neither
  CHECK(client->pending_requests() == 0);
  // A request on a closed connection fails later, not inside ask().
  const std::size_t before = failures.size();
  client->ask(protocol::Ping{}, record);
  CHECK(failures.size() == before);
  REQUIRE(run_until(io, [&] { return failures.size() == before + 1; }));
  for (std::error_code ec : failures) CHECK(ec == errc::connection_closed);
}

TEST_CASE("peers with another protocol version or not NEO are closed silently", "[net]") {
  const auto [bytes, reason] = GENERATE(
      std::pair<std::string, errc>{std::string("\x92\xa3NEO\x04", 6), errc::version_mismatch},
      std::pair<std::string, errc>{"GET / HTTP/1.0\r\n\r\n", errc::not_neo},
      std::pair<std::string, errc>{std::string("\x16\x03\x01\x02\x00\x01", 6), errc::not_neo});
  asio::io_context io;
  Server server(io, "127.0.0.1");
  RawPeer raw(io, server.address());
  asio::write(raw.socket, asio::buffer(bytes));
  auto handler = server.handler(io);
  // The server sent its own handshake at once, then closed: no Error packet.
  CHECK(raw.read_all(io) == protocol::kHandshake);
  REQUIRE(run_until(io, [&] { return handler->closed.has_value(); }));
  CHECK(*handler->closed == reason);
  CHECK(handler->frames.empty());
}

TEST_CASE("a malformed packet closes the connection without an answer", "[net]") {
  asio::io_context io;
  Server server(io, "127.0.0.1");
  RawPeer raw(io, server.address());
  // Handshake, then [0, 0x7777, []]: a code that is not in the protocol.
  const std::string frame("\x93\x00\xcd\x77\x77\x90", 6);
  asio::write(raw.socket, asio::buffer(std::string(protocol::kHandshake) + frame));
  auto handler = server.handler(io);
  CHECK(raw.read_all(io) == protocol::kHandshake);
  REQUIRE(run_until(io, [&] { return handler->closed.has_value(); }));
  CHECK(*handler->closed == errc::unknown_packet);
}

TEST_CASE("a flood of connections logs the first lines of a host, not one per connection",
          "[net]") {
  LogCapture log;
  asio::io_context io;
  Server server(io, "127.0.0.1");
  const auto flooder = asio::ip::make_address("127.0.0.3");  // a host of its own
  for (int i = 0; i < 30; ++i) {
    asio::ip::tcp::socket socket(io);
    socket.open(asio::ip::tcp::v4());
    socket.bind({flooder, 0});
    socket.connect({asio::ip::make_address("127.0.0.1"), server.address().port});
    asio::write(socket, asio::buffer(std::string("GET / HTTP/1.0\r\n\r\n")));
    auto handler = server.handler(io, i);
    REQUIRE(run_until(io, [&] { return handler->closed.has_value(); }));
  }
  const std::string lines = log.out.str();
  auto count = [&](std::string_view what) {
    std::size_t n = 0;
    for (auto at = lines.find(what); at != std::string::npos; at = lines.find(what, at + 1)) ++n;
    return n;
  };
  CHECK(count("? (127.0.0.3:") == 20);  // the first 10 of each kind
  CHECK(count("Rejecting non-NEO peer") == 10);
  CHECK(count(": closed: not a NEO stream") == 10);
}

TEST_CASE("a 10 MiB packet goes through", "[net]") {
  asio::io_context io;
  Server server(io, "127.0.0.1");
  server.on_frame = [](Peer& peer, const protocol::Frame& frame) {
    auto store = decode<protocol::AskStoreObject>(frame);
    REQUIRE(store);
    CHECK(store->data.size() == 10u << 20);
    CHECK(store->data[12345] == char(12345 % 251));
    peer.answer(protocol::AnswerObject{.oid = store->oid, .data = store->data});
  };
  auto client = Connection::connect(io, server.address(), std::make_shared<RecordingHandler>(), {});
  protocol::AskStoreObject store{.oid = neo::Oid{7}};
  store.data.resize(10u << 20);
  for (std::size_t i = 0; i < store.data.size(); ++i) store.data[i] = char(i % 251);
  bool stored = false;
  // AskStoreObject's answer is AnswerStoreObject: ask it raw to accept a big AnswerObject back.
  client->ask_raw(protocol::AskStoreObject::kCode, protocol::AnswerObject::kCode,
                  protocol::encode_args(store), [&](Result<protocol::Frame> frame) {
                    REQUIRE(frame);
                    auto object = decode<protocol::AnswerObject>(*frame);
                    CHECK(object->data == store.data);
                    stored = true;
                  });
  REQUIRE(run_until(
      io, [&] { return stored; }, 30s));
}

TEST_CASE("a burst of small and large packets arrives whole and in order", "[net]") {
  // Small frames are copied side by side into one write, large ones sent
  // as they are: sizes around the copy limit (16 KiB) and the write limit.
  asio::io_context io;
  Server server(io, "127.0.0.1");
  auto client = Connection::connect(io, server.address(), std::make_shared<RecordingHandler>(), {});
  std::vector<std::string> sent;
  for (std::size_t i = 0; i < 3000; ++i) {
    const std::size_t size = i % 97 == 0    ? (16u << 10) + i % 3 - 1
                             : i % 501 == 0 ? (1u << 20) + 5
                                            : 100 + i % 900;
    std::string data(size, char('a' + i % 26));
    data[0] = char(i % 251);
    client->notify(protocol::AddObject{.oid = neo::Oid{i}, .data = data});
    sent.push_back(std::move(data));
  }
  REQUIRE(run_until(
      io, [&] { return server.handlers.size() == 1 && server.handlers[0]->frames.size() == 3000; },
      30s));
  const auto& frames = server.handlers[0]->frames;
  for (std::size_t i = 0; i < frames.size(); ++i) {
    auto add = decode<protocol::AddObject>(frames[i]);
    REQUIRE(add);
    CHECK(add->oid == neo::Oid{i});
    CHECK(add->data == sent[i]);
  }
}

TEST_CASE("exceeding the outgoing bound closes the connection", "[net]") {
  asio::io_context io;
  Server server(io, "127.0.0.1");
  ConnectionOptions options;
  options.max_outgoing_bytes = 1u << 20;
  auto client_handler = std::make_shared<RecordingHandler>();
  auto client = Connection::connect(io, server.address(), client_handler, options);
  protocol::AddObject object;
  object.data.resize(600u << 10);
  client->notify(object);
  CHECK_FALSE(client_handler->closed);
  CHECK(client->queued_bytes() > (600u << 10));
  client->notify(object);
  REQUIRE(client_handler->closed);
  CHECK(*client_handler->closed == std::errc::no_buffer_space);
  CHECK(client->closed());
}

TEST_CASE("abort flushes what is queued, then closes", "[net]") {
  asio::io_context io;
  Server server(io, "127.0.0.1");
  server.on_frame = [](Peer& peer, const protocol::Frame& frame) {
    peer.answer_error(errc::not_ready, "Retry Later");
    peer.abort(errc::not_ready);
    CHECK(peer.closed());
    peer.answer(protocol::Pong{});  // dropped: the connection is aborted
  };
  auto client_handler = std::make_shared<RecordingHandler>();
  auto client = Connection::connect(io, server.address(), client_handler, {});
  std::string text;
  client->ask(protocol::Ping{}, [&](Result<protocol::Pong> answer, std::string_view message) {
    CHECK(answer.error() == errc::not_ready);
    text = message;
  });
  client->notify(protocol::NotifyReady{});  // ignored by the aborted side
  auto server_handler = server.handler(io);
  REQUIRE(run_until(io, [&] { return client_handler->closed && server_handler->closed; }));
  CHECK(text == "Retry Later");
  CHECK(*client_handler->closed == asio::error::eof);
  CHECK(*server_handler->closed == errc::not_ready);
  CHECK(server_handler->frames.size() == 1);
}

TEST_CASE("connecting to a closed port reports the failure", "[net]") {
  asio::io_context io;
  Address address;
  {
    Server server(io, "127.0.0.1");
    address = server.address();
    server.listener->close();
  }
  auto handler = std::make_shared<RecordingHandler>();
  auto client = Connection::connect(io, address, handler, {});
  bool failed = false;
  client->ask(protocol::Ping{}, [&](Result<protocol::Pong> answer, std::string_view) {
    failed = answer.error() == errc::connection_closed;
  });
  REQUIRE(run_until(io, [&] { return handler->closed.has_value() && failed; }));
  CHECK(*handler->closed == asio::error::connection_refused);
  CHECK_FALSE(handler->connected);

  auto bad = std::make_shared<RecordingHandler>();
  Connection::connect(io, Address{"localhost", 1}, bad, {});
  REQUIRE(run_until(io, [&] { return bad->closed.has_value(); }));
  CHECK(*bad->closed == errc::invalid_argument);
}

TEST_CASE("listening on a busy address fails", "[net]") {
  asio::io_context io;
  Server server(io, "127.0.0.1");
  // SO_REUSEADDR does not allow two listeners on one port.
  auto second = Listener::listen(io, server.address(), {}, [](Connection&) { return nullptr; });
  CHECK(second.error() == asio::error::address_in_use);
  CHECK(Listener::listen(io, Address{"nowhere", 0}, {}, [](Connection&) {
          return nullptr;
        }).error() == errc::invalid_argument);
}
