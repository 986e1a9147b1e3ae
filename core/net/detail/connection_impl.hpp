// Internal to core/net: the Asio implementation of Connection, shared by
// connection.cpp and listener.cpp. Only core/net .cpp files include it.
#pragma once

#include <array>
#include <asio/awaitable.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/ssl/stream.hpp>
#include <asio/steady_timer.hpp>
#include <deque>
#include <memory>
#include <optional>
#include <string>

#include "core/net/connection.hpp"
#include "core/net/pending_answers.hpp"
#include "core/protocol/frame_reader.hpp"

namespace neo::net::detail {

// TCP_NODELAY, SO_KEEPALIVE with NEO/py's keepalive timings (60 s idle,
// 10 s interval, 3 probes). Errors are logged, not fatal.
void set_socket_options(asio::ip::tcp::socket& socket);

class ConnectionImpl final : public Connection {
 public:
  // `socket` is connected for a server connection, closed for a client one.
  ConnectionImpl(asio::io_context& io, asio::ip::tcp::socket socket, bool server,
                 std::string address, std::shared_ptr<Handler> handler,
                 const ConnectionOptions& options);

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
  std::size_t queued_bytes() const override { return outbox_bytes_; }
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
  // The frames of the next write (a prefix of outbox_): their buffers; their count.
  std::size_t gather(std::vector<asio::const_buffer>& buffers);
  std::error_code deliver_frames();
  void dispatch(protocol::Frame& frame);
  bool enqueue(std::uint32_t msg_id, std::uint16_t code, std::string_view args);
  // Logs why reading failed; the reason to close with.
  std::error_code read_error(std::error_code ec) const;

  asio::io_context& io_;
  asio::ip::tcp::socket socket_;
  std::unique_ptr<asio::ssl::stream<asio::ip::tcp::socket&>> tls_;
  asio::steady_timer wake_;  // the writer sleeps on it; enqueue() cancels it
  bool writer_sleeping_ = false;
  const bool server_;
  const ConnectionOptions options_;
  std::shared_ptr<Handler> handler_;
  protocol::FrameReader reader_;
  PendingAnswers pending_;
  std::deque<std::string> outbox_;  // encoded frames, oldest first
  std::string batch_;               // small frames of the write in progress, side by side
  std::size_t outbox_bytes_ = 0;
  std::uint32_t next_id_ = 0;
  State state_ = State::kConnecting;
  std::error_code abort_reason_;
  std::array<char, 65536> buffer_;
};

}  // namespace neo::net::detail
