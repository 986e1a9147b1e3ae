// Helpers of the loopback socket tests: an io_context driven until a
// condition holds (bounded, never a fixed sleep), a handler that records
// what it sees, and a listener + client pair.
#pragma once

#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "core/net/connection.hpp"
#include "tests/support/log_capture.hpp"

namespace neo::net::test {

using namespace std::chrono_literals;

// Runs `io` until `done()` holds; false if `timeout` passes first.
bool run_until(asio::io_context& io, const std::function<bool()>& done,
               std::chrono::milliseconds timeout = 10s);

using neo::test::LogCapture;  // tests/support/log_capture.hpp

// Records connection events; `on_frame` (if set) reacts to each packet.
class RecordingHandler : public Handler {
 public:
  void on_connected(Peer& peer) override { connected = true; }
  void on_packet(Peer& peer, const protocol::Frame& frame) override;
  void on_closed(Peer& peer, std::error_code reason) override { closed = reason; }

  bool connected = false;
  std::optional<std::error_code> closed;
  std::vector<protocol::Frame> frames;
  std::function<void(Peer&, const protocol::Frame&)> on_frame;
};

// A listener on `host`:0 whose connections get fresh RecordingHandlers.
struct Server {
  Server(asio::io_context& io, const std::string& host, const ConnectionOptions& options = {});
  Address address() const { return listener->local_address(); }
  // The handler of the n-th accepted connection (waits for it).
  std::shared_ptr<RecordingHandler> handler(asio::io_context& io, std::size_t n = 0);

  std::shared_ptr<Listener> listener;
  std::vector<std::shared_ptr<RecordingHandler>> handlers;
  std::vector<std::shared_ptr<Connection>> connections;
  std::function<void(Peer&, const protocol::Frame&)> on_frame;  // for new handlers
};

}  // namespace neo::net::test
