#include "core/net/connection.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <asio/co_spawn.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/post.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>

#include "core/net/detail/connection_impl.hpp"
#include "core/net/detail/peer_log.hpp"
#include "core/net/detail/tls_context.hpp"

namespace neo::net {

namespace detail {
namespace {

constexpr auto kNoThrow = asio::experimental::as_tuple(asio::use_awaitable);

std::error_code closed_error() { return make_error_code(errc::connection_closed); }

// A closure the peer caused (as opposed to a protocol or local error).
bool is_peer_closure(std::error_code ec) {
  return ec == asio::error::eof || ec == asio::error::connection_reset ||
         ec == asio::ssl::error::stream_truncated || ec == asio::error::broken_pipe;
}

}  // namespace

void set_socket_options(asio::ip::tcp::socket& socket) {
  using KeepIdle = asio::detail::socket_option::integer<IPPROTO_TCP, TCP_KEEPIDLE>;
  using KeepInterval = asio::detail::socket_option::integer<IPPROTO_TCP, TCP_KEEPINTVL>;
  using KeepCount = asio::detail::socket_option::integer<IPPROTO_TCP, TCP_KEEPCNT>;
  asio::error_code ec;
  socket.set_option(asio::ip::tcp::no_delay(true), ec);
  if (!ec) socket.set_option(asio::socket_base::keep_alive(true), ec);
  if (!ec) socket.set_option(KeepIdle(60), ec);
  if (!ec) socket.set_option(KeepInterval(10), ec);
  if (!ec) socket.set_option(KeepCount(3), ec);
  if (ec) spdlog::warn("cannot set socket options: {}", ec.message());
}

ConnectionImpl::ConnectionImpl(asio::io_context& io, asio::ip::tcp::socket socket, bool server,
                               std::string address, std::shared_ptr<Handler> handler,
                               const ConnectionOptions& options)
    : io_(io),
      socket_(std::move(socket)),
      wake_(io, asio::steady_timer::time_point::max()),
      resume_(io, asio::steady_timer::time_point::max()),
      server_(server),
      options_(options),
      handler_(std::move(handler)),
      reader_(options.max_frame) {
  address_ = std::move(address);
  if (options_.tls) {
    tls_ = std::make_unique<asio::ssl::stream<asio::ip::tcp::socket&>>(
        socket_, options_.tls->impl().context);
  }
  if (options_.budget) options_.budget->join(*this);
  // Both sides send the handshake first, without waiting for the peer's.
  outbox_.push_bytes(protocol::kHandshake);
  account();
}

ConnectionImpl::~ConnectionImpl() {
  if (!options_.budget) return;
  options_.budget->leave(*this);
  options_.budget->release(accounted_);
}

std::shared_ptr<ConnectionImpl> ConnectionImpl::self() {
  return std::static_pointer_cast<ConnectionImpl>(shared_from_this());
}

void ConnectionImpl::spawn(asio::awaitable<void> task, const char* what) {
  asio::co_spawn(io_, std::move(task), [self = self(), what](std::exception_ptr error) {
    if (!error) return;
    try {
      std::rethrow_exception(error);
    } catch (const std::exception& e) {
      spdlog::error("{}: {} failed: {}", self->describe(), what, e.what());
    } catch (...) {
      spdlog::error("{}: {} failed with an unknown exception", self->describe(), what);
    }
    self->close(std::make_error_code(std::errc::state_not_recoverable));
  });
}

void ConnectionImpl::start(std::optional<asio::ip::tcp::endpoint> target) {
  spawn(run(target), "reader");
}

asio::awaitable<void> ConnectionImpl::run(std::optional<asio::ip::tcp::endpoint> target) {
  const std::error_code ec = co_await establish(target);
  if (state_ == State::kClosed) co_return;
  if (ec) {
    close(ec);
    co_return;
  }
  state_ = State::kOpen;
  spawn(write_loop(), "writer");
  if (std::shared_ptr<Handler> handler = handler_) handler->on_connected(*this);
  co_await read_loop();
}

asio::awaitable<std::error_code> ConnectionImpl::establish(
    std::optional<asio::ip::tcp::endpoint> target) {
  asio::error_code ec;
  if (target) {
    socket_.open(target->protocol(), ec);
    if (ec) co_return ec;
    set_socket_options(socket_);
    std::tie(ec) = co_await socket_.async_connect(*target, kNoThrow);
    if (state_ == State::kClosed) co_return ec;
    if (ec) {
      spdlog::info("{}: cannot connect: {}", describe(), ec.message());
      co_return ec;
    }
  } else {
    set_socket_options(socket_);
  }
  if (tls_) co_return co_await start_tls();
  co_return std::error_code{};
}

asio::awaitable<std::error_code> ConnectionImpl::start_tls() {
  if (server_) {
    // Peek the first byte: a TLS record starts with 0x16 (handshake).
    unsigned char first = 0;
    auto [ec, n] = co_await socket_.async_receive(asio::buffer(&first, 1),
                                                  asio::socket_base::message_peek, kNoThrow);
    if (state_ == State::kClosed) co_return ec;
    if (ec) co_return ec;
    if (n == 0) co_return asio::error::eof;
    if (first != 0x16) {
      if (std::string more; allow_peer_line(PeerLine::kBadPeer, *this, more)) {
        spdlog::warn("{}: Rejecting non-SSL connection{}", describe(), more);
      }
      co_return make_error_code(errc::not_neo);
    }
  }
  auto [ec] = co_await tls_->async_handshake(
      server_ ? asio::ssl::stream_base::server : asio::ssl::stream_base::client, kNoThrow);
  if (state_ == State::kClosed) co_return ec;
  if (ec) {
    if (std::string more; allow_peer_line(PeerLine::kBadPeer, *this, more)) {
      spdlog::warn("{}: TLS handshake failed: {}{}", describe(), ec.message(), more);
    }
    co_return make_error_code(errc::tls_error);
  }
  SSL* ssl = tls_->native_handle();
  spdlog::debug("{}: TLS established: {} {}", describe(), SSL_get_version(ssl),
                SSL_get_cipher_name(ssl));
  co_return std::error_code{};
}

asio::awaitable<void> ConnectionImpl::read_loop() {
  for (;;) {
    asio::error_code ec;
    std::size_t n = 0;
    if (over_pause()) {
      // Frames already read wait too: they are handled once it drains.
      ec = co_await wait_drained();  // logged
      if (!ec && state_ == State::kOpen) ec = read_error(deliver_frames());
      if (state_ == State::kClosed) co_return;
      if (ec) {
        close(ec);
        co_return;
      }
      continue;
    }
    if (tls_) {
      std::tie(ec, n) = co_await tls_->async_read_some(asio::buffer(buffer_), kNoThrow);
    } else {
      std::tie(ec, n) = co_await socket_.async_read_some(asio::buffer(buffer_), kNoThrow);
    }
    if (state_ == State::kClosed) co_return;
    if (!ec && state_ == State::kAborted) continue;  // packets on an aborted connection: ignored
    if (!ec) {
      reader_.feed(std::string_view(buffer_.data(), n));
      ec = deliver_frames();
      if (state_ == State::kOpen) {  // a partial frame counts too
        account();
        enforce_budget();
      }
      if (state_ == State::kClosed) co_return;
    }
    if (ec) {
      close(read_error(ec));
      co_return;
    }
  }
}

std::error_code ConnectionImpl::read_error(std::error_code ec) const {
  const bool ssl = ec.category() == asio::error::get_ssl_category();
  std::string more;
  if (!ssl && ec.category() != neo_category()) return ec;
  if (!allow_peer_line(PeerLine::kBadPeer, *this, more)) {
  } else if (ec == errc::version_mismatch) {
    spdlog::warn("{}: protocol version mismatch{}", describe(), more);
  } else if (ec == errc::not_neo) {
    spdlog::warn("{}: Rejecting non-NEO peer{}", describe(), more);
  } else if (!ssl) {
    spdlog::error("{}: bad packet received: {}{}", describe(), ec.message(), more);
  } else {
    // E.g. the peer refused our certificate after the handshake (TLS 1.3).
    spdlog::warn("{}: TLS error: {}{}", describe(), ec.message(), more);
  }
  return ssl ? make_error_code(errc::tls_error) : ec;
}

std::error_code ConnectionImpl::deliver_frames() {
  while (state_ == State::kOpen && !over_pause()) {
    Result<std::optional<protocol::Frame>> next = reader_.next();
    if (!next) return next.error();
    if (!*next) break;
    dispatch(**next);
  }
  return {};
}

void ConnectionImpl::dispatch(protocol::Frame& frame) {
  if (options_.observer) {
    options_.observer(Direction::kReceived, *this, frame.msg_id, frame.code, frame.args);
  }
  std::shared_ptr<Handler> handler = handler_;  // on_packet may replace handler_
  deliver_frame(*this, pending_, handler, frame);
}

bool ConnectionImpl::enqueue(std::uint32_t msg_id, std::uint16_t code, std::string_view args) {
  if (closed()) {
    spdlog::debug("{}: not sending {} on a closed connection", describe(), packet_name(code));
    return false;
  }
  if (over_bound(args.size())) return false;
  if (options_.observer) options_.observer(Direction::kSent, *this, msg_id, code, args);
  outbox_.push_frame(msg_id, code, args);
  account();
  enforce_budget();
  if (closed()) return false;            // this one was sacrificed
  if (writer_sleeping_) wake_.cancel();  // else it finds the frame when its write ends
  return true;
}

std::uint32_t ConnectionImpl::ask_raw(std::uint16_t code, std::uint16_t answer_code,
                                      std::string args, RawAnswerCallback on_answer) {
  const std::uint32_t msg_id = next_id_++;
  if (!enqueue(msg_id, code, args)) {
    asio::post(io_, [callback = std::move(on_answer)] { callback(closed_error()); });
    return msg_id;
  }
  if (!pending_.add(msg_id, answer_code, std::move(on_answer))) {
    spdlog::error("{}: msg id {} reused while still pending", describe(), msg_id);
    close(errc::protocol_error);
  }
  return msg_id;
}

std::uint32_t ConnectionImpl::notify_raw(std::uint16_t code, std::string args) {
  const std::uint32_t msg_id = next_id_++;
  enqueue(msg_id, code, args);
  return msg_id;
}

void ConnectionImpl::send_raw(std::uint32_t msg_id, std::uint16_t code, std::string_view args) {
  enqueue(msg_id, code, args);
}

asio::awaitable<void> ConnectionImpl::write_loop() {
  // Each write takes a turn of the event loop, so it carries what was
  // queued meanwhile: a write per frame would let a stream of small frames
  // (AddObject...) pile up in the outbox.
  std::vector<std::string_view> chunks;
  std::vector<asio::const_buffer> buffers;
  while (state_ != State::kClosed) {
    if (outbox_.empty()) {
      if (state_ == State::kAborted) {
        close(abort_reason_);
        co_return;
      }
      wake_.expires_at(asio::steady_timer::time_point::max());
      writer_sleeping_ = true;
      co_await wake_.async_wait(kNoThrow);
      writer_sleeping_ = false;
      continue;
    }
    outbox_.gather(chunks);
    buffers.clear();
    for (std::string_view chunk : chunks) buffers.emplace_back(chunk.data(), chunk.size());
    asio::error_code ec;
    if (tls_) {
      std::tie(ec, std::ignore) = co_await asio::async_write(*tls_, buffers, kNoThrow);
    } else {
      std::tie(ec, std::ignore) = co_await asio::async_write(socket_, buffers, kNoThrow);
    }
    outbox_.consume();
    account();
    if (state_ == State::kClosed) co_return;
    if (ec) {
      close(ec);
      co_return;
    }
    if (reader_paused_) resume_.cancel();  // progress: it checks again
  }
}

void ConnectionImpl::abort(std::error_code reason) {
  if (closed()) return;
  if (state_ == State::kConnecting) {
    close(reason);
    return;
  }
  spdlog::debug("{}: aborting ({})", describe(), reason.message());
  state_ = State::kAborted;
  abort_reason_ = reason;
  wake_.cancel();
}

void ConnectionImpl::close(std::error_code reason) {
  if (state_ == State::kClosed) return;
  state_ = State::kClosed;
  if (std::string more; !allow_peer_line(PeerLine::kClosed, *this, more)) {
  } else if (!reason) {
    spdlog::info("{}: closed{}", describe(), more);
  } else if (is_peer_closure(reason)) {
    spdlog::info("{}: closed by peer ({}){}", describe(), reason.message(), more);
  } else {
    spdlog::info("{}: closed: {}{}", describe(), reason.message(), more);
  }
  asio::error_code ignored;
  socket_.shutdown(asio::socket_base::shutdown_both, ignored);
  socket_.close(ignored);
  wake_.cancel();
  resume_.cancel();
  free_buffers();
  for (RawAnswerCallback& callback : pending_.take_all()) callback(closed_error());
  if (std::shared_ptr<Handler> handler = std::move(handler_)) handler->on_closed(*this, reason);
}

}  // namespace detail

std::shared_ptr<Connection> Connection::connect(asio::io_context& io, const Address& to,
                                                std::shared_ptr<Handler> handler,
                                                const ConnectionOptions& options) {
  auto connection = std::make_shared<detail::ConnectionImpl>(
      io, asio::ip::tcp::socket(io), false, to_string(to), std::move(handler), options);
  asio::error_code ec;
  const asio::ip::address ip = asio::ip::make_address(to.host, ec);
  if (ec) {
    spdlog::error("{}: not an IP address", connection->describe());
    asio::post(io, [connection] { connection->close(errc::invalid_argument); });
  } else {
    connection->start(asio::ip::tcp::endpoint(ip, to.port));
  }
  return connection;
}

}  // namespace neo::net
