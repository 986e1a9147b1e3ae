// Internal to core/net: the Asio implementation of Connection, shared by
// connection.cpp and listener.cpp. Only core/net .cpp files include it.
#pragma once

#include <array>
#include <asio/awaitable.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/ssl/stream.hpp>
#include <asio/steady_timer.hpp>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/net/connection.hpp"
#include "core/net/outbox.hpp"
#include "core/net/pending_answers.hpp"
#include "core/protocol/frame_reader.hpp"

namespace neo::net::detail {

// TCP_NODELAY, SO_KEEPALIVE with NEO/py's keepalive timings (60 s idle,
// 10 s interval, 3 probes). Errors are logged, not fatal.
void set_socket_options(asio::ip::tcp::socket& socket);

// After large frees: gives the freed memory back to the system (glibc
// keeps it otherwise), once per turn of the event loop.
void schedule_trim(asio::io_context& io);

class ConnectionImpl final : public Connection {
 public:
  // `socket` is connected for a server connection, closed for a client one.
  ConnectionImpl(asio::io_context& io, asio::ip::tcp::socket socket, bool server,
                 std::string address, std::shared_ptr<Handler> handler,
                 const ConnectionOptions& options);
  ~ConnectionImpl() override;

  // Starts the coroutines; a client connection connects to `target` first.
  void start(std::optional<asio::ip::tcp::endpoint> target);

  std::uint32_t ask_raw(std::uint16_t code, std::uint16_t answer_code, std::string args,
                        RawAnswerCallback on_answer) override;
  std::uint32_t notify_raw(std::uint16_t code, std::string args) override;
  void send_raw(std::uint32_t msg_id, std::uint16_t code, std::string_view args) override;
  void abort(std::error_code reason) override;
  void close(std::error_code reason) override;
  bool closed() const override { return state_ == State::kAborted || state_ == State::kClosed; }

  void set_handler(std::shared_ptr<Handler> handler) override { handler_ = std::move(handler); }
  bool is_server() const override { return server_; }
  bool connected() const override { return state_ == State::kOpen || state_ == State::kAborted; }
  bool aborted() const override { return state_ == State::kAborted; }
  std::size_t queued_bytes() const override { return outbox_.bytes(); }
  std::size_t held_bytes() const override { return outbox_.held() + reader_.held(); }
  bool reading_paused() const override { return reader_paused_; }
  std::size_t pending_requests() const override { return pending_.size(); }

 private:
  enum class State { kConnecting, kOpen, kAborted, kClosed };

  std::shared_ptr<ConnectionImpl> self();
  void spawn(asio::awaitable<void> task, const char* what);
  asio::awaitable<void> run(std::optional<asio::ip::tcp::endpoint> target);
  asio::awaitable<std::error_code> establish(std::optional<asio::ip::tcp::endpoint> target);
  asio::awaitable<std::error_code> start_tls();
  asio::awaitable<void> read_loop();
  asio::awaitable<void> write_loop();
  std::error_code deliver_frames();
  void dispatch(protocol::Frame& frame);
  bool enqueue(std::uint32_t msg_id, std::uint16_t code, std::string_view args);
  // Memory (connection_memory.cpp).
  // True if queuing `args` would exceed max_outgoing_bytes; then closed.
  bool over_bound(std::size_t args_size);
  // Reports the change of held_bytes() to the budget.
  void account();
  // Over the budget, closes the connection it sacrifices (this one or
  // another).
  void enforce_budget();
  // Frees what the outbox and the reader hold, but a write in progress (on
  // close).
  void free_buffers();
  bool over_pause() const {
    return server_ && state_ == State::kOpen && options_.pause_reading_bytes != 0 &&
           outbox_.held() > options_.pause_reading_bytes;
  }
  // Reading paused: waits until the outbox drains to half the threshold;
  // errc::timed_out (logged) if no write completes for stall_timeout.
  asio::awaitable<std::error_code> wait_drained();
  // Logs why reading failed; the reason to close with.
  std::error_code read_error(std::error_code ec) const;

  asio::io_context& io_;
  asio::ip::tcp::socket socket_;
  std::unique_ptr<asio::ssl::stream<asio::ip::tcp::socket&>> tls_;
  asio::steady_timer wake_;  // the writer sleeps on it; enqueue() cancels it
  bool writer_sleeping_ = false;
  asio::steady_timer resume_;  // the paused reader sleeps on it; each write cancels it
  bool reader_paused_ = false;
  const bool server_;
  const ConnectionOptions options_;
  std::shared_ptr<Handler> handler_;
  protocol::FrameReader reader_;
  PendingAnswers pending_;
  Outbox outbox_;
  std::size_t accounted_ = 0;  // held_bytes() as last reported to options_.budget
  std::uint32_t next_id_ = 0;
  State state_ = State::kConnecting;
  std::error_code abort_reason_;
  std::array<char, 65536> buffer_;
};

}  // namespace neo::net::detail
