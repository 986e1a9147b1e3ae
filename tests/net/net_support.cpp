#include "tests/net/net_support.hpp"

#include <catch2/catch.hpp>

namespace neo::net::test {

bool run_until(asio::io_context& io, const std::function<bool()>& done,
               std::chrono::milliseconds timeout) {
  auto work = asio::make_work_guard(io);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    if (io.stopped()) io.restart();
    io.run_one_for(20ms);
  }
  // Let what is already queued run (e.g. coroutines finishing).
  io.restart();
  io.poll();
  return true;
}

void RecordingHandler::on_packet(Peer& peer, const protocol::Frame& frame) {
  frames.push_back(frame);
  if (on_frame) on_frame(peer, frame);
}

Server::Server(asio::io_context& io, const std::string& host, const ConnectionOptions& options) {
  auto result = Listener::listen(io, Address{host, 0}, options, [this](Connection& connection) {
    auto handler = std::make_shared<RecordingHandler>();
    handler->on_frame = on_frame;
    handlers.push_back(handler);
    connections.push_back(std::static_pointer_cast<Connection>(connection.shared_from_this()));
    return handler;
  });
  REQUIRE(result);
  listener = *result;
}

std::shared_ptr<RecordingHandler> Server::handler(asio::io_context& io, std::size_t n) {
  REQUIRE(run_until(io, [&] { return handlers.size() > n; }));
  return handlers[n];
}

}  // namespace neo::net::test
