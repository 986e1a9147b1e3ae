// nodes/client/client_core.hpp
// Client::Core: the client library's I/O side. It owns the I/O thread (one
// asio::io_context run by one thread) and runs a ClientNode there
// (client_node.hpp: master search, storage connections, ClientState) on
// real sockets.
// The blocking public API (client.cpp) posts its calls here with post() and
// waits for their callback; state() is used on the I/O thread only.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <system_error>
#include <thread>
#include <vector>

#include "core/net/connection.hpp"
#include "neo/client.hpp"
#include "nodes/client/client_node.hpp"

namespace neo::client {

class Client::Core final {
 public:
  explicit Core(Options options);
  ~Core();
  // Parses the options and starts the I/O thread and the master search.
  std::error_code start();
  // Aborts transactions, closes connections, joins the I/O thread.
  void stop();
  // Runs `fn` on the I/O thread; false once stopped (fn is dropped).
  bool post(std::function<void()> fn);
  const Options& options() const { return options_; }

  // ---- I/O thread -----------------------------------------------------------
  ClientState& state() { return node_->state(); }

 private:
  struct Io;

  Options options_;
  std::unique_ptr<Io> io_;
  std::thread thread_;
  std::atomic<bool> stopped_ = false;  // no more posts
  std::unique_ptr<ClientNode> node_;   // created by start(), used on the I/O thread
};

}  // namespace neo::client
