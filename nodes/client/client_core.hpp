// nodes/client/client_core.hpp
// Client::Core: the client library's I/O side. It owns the I/O thread (one
// asio::io_context run by one thread) and runs a ClientNode there
// (client_node.hpp: master search, storage connections, ClientState) on
// real sockets.
// The blocking public API (client.cpp) hands its calls here with call() and
// post(). Which thread runs the I/O at a given time (the I/O thread, or a
// caller doing its own I/O) is decided by IoLead (io_lead.hpp): one at a
// time. state() is used only by the thread running the I/O.
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
  // Runs `fn` on the thread doing the I/O, soon; false once stopped (fn is
  // dropped). wake false: by the next call() or wake(), or within
  // IoLead's hand-over delay.
  bool post(std::function<void()> fn, bool wake = true);
  // Has what was posted run soon.
  void wake();
  // Runs `fn` on the thread doing the I/O (this one, when no other does) and
  // waits until `done` (set by what `fn` starts, which then calls
  // completed()), at most Options::timeout. spin: wait awake first
  // (Options::spin). errc::timed_out, or connection_closed once stopped.
  std::error_code call(std::function<void()> fn, const std::atomic<bool>& done, bool spin);
  // To call after setting the `done` of a call().
  void completed();
  const Options& options() const { return options_; }

  // ---- thread doing the I/O ----------------------------------------------------
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
