// nodes/client/client_core.hpp
// Client::Core: the client library's I/O side. It owns the I/O thread (one
// asio::io_context run by one thread), finds the primary master with
// cluster::Bootstrap (again after a loss), opens the storage connections
// ClientState asks for, and hands every packet and connection end to
// ClientState, which makes all the protocol decisions (client_state.hpp).
// The blocking public API (client.cpp) posts its calls here with post() and
// waits for their callback; state() is used on the I/O thread only.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <system_error>
#include <thread>
#include <vector>

#include "core/cluster/bootstrap.hpp"
#include "core/net/connection.hpp"
#include "neo/client.hpp"
#include "nodes/client/client_state.hpp"

namespace neo::client {

class Client::Core final : public ClientEnv {
 public:
  explicit Core(Options options);
  ~Core() override;
  // Parses the options and starts the I/O thread and the master search.
  std::error_code start();
  // Aborts transactions, closes connections, joins the I/O thread.
  void stop();
  // Runs `fn` on the I/O thread; false once stopped (fn is dropped).
  bool post(std::function<void()> fn);
  const Options& options() const { return options_; }

  // ---- I/O thread -----------------------------------------------------------
  ClientState& state() { return state_; }

 private:
  struct Io;

  // ClientEnv.
  std::shared_ptr<net::Peer> connect_storage(NodeId nid, const protocol::Address& address) override;
  Clock::time_point now() const override { return Clock::now(); }

  void find_master();
  void identified(cluster::Bootstrap::Identified identified);

  Options options_;
  std::vector<net::Address> masters_;
  net::ConnectionOptions connection_;
  std::unique_ptr<Io> io_;
  std::thread thread_;
  std::atomic<bool> stopped_ = false;  // no more posts
  std::shared_ptr<cluster::Bootstrap> bootstrap_;
  ClientState state_;
};

}  // namespace neo::client
