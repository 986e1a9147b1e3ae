#include <spdlog/spdlog.h>

#include <asio/co_spawn.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <chrono>

#include "core/net/connection.hpp"
#include "core/net/detail/connection_impl.hpp"

namespace neo::net {
namespace {

constexpr auto kNoThrow = asio::experimental::as_tuple(asio::use_awaitable);

class ListenerImpl final : public Listener, public std::enable_shared_from_this<ListenerImpl> {
 public:
  ListenerImpl(asio::io_context& io, const ConnectionOptions& options, AcceptFn accept)
      : io_(io), acceptor_(io), options_(options), accept_(std::move(accept)) {}

  std::error_code bind(const asio::ip::tcp::endpoint& endpoint) {
    asio::error_code ec;
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (!ec) local_ = acceptor_.local_endpoint(ec);
    return ec;
  }

  void start() {
    asio::co_spawn(io_, accept_loop(), [self = shared_from_this()](std::exception_ptr error) {
      if (!error) return;
      try {
        std::rethrow_exception(error);
      } catch (const std::exception& e) {
        spdlog::error("listener {}: accept loop failed: {}", to_string(self->local_address()),
                      e.what());
      }
    });
  }

  Address local_address() const override {
    return Address{local_.address().to_string(), local_.port()};
  }

  void close() override {
    asio::error_code ignored;
    acceptor_.close(ignored);
  }

 private:
  asio::awaitable<void> accept_loop() {
    asio::steady_timer backoff(io_);
    while (acceptor_.is_open()) {
      auto [ec, socket] = co_await acceptor_.async_accept(kNoThrow);
      if (!acceptor_.is_open()) co_return;
      if (ec) {
        // E.g. out of file descriptors: retry a little later, not in a busy loop.
        spdlog::error("listener {}: accept failed: {}", to_string(local_address()), ec.message());
        backoff.expires_after(std::chrono::milliseconds(100));
        co_await backoff.async_wait(kNoThrow);
        continue;
      }
      on_accepted(std::move(socket));
    }
  }

  void on_accepted(asio::ip::tcp::socket socket) {
    asio::error_code ec;
    const asio::ip::tcp::endpoint remote = socket.remote_endpoint(ec);
    if (ec) return;  // already gone
    const Address address{remote.address().to_string(), remote.port()};
    spdlog::debug("listener {}: accepted a connection from {}", to_string(local_address()),
                  to_string(address));
    auto connection = std::make_shared<detail::ConnectionImpl>(
        io_, std::move(socket), true, to_string(address), nullptr, options_);
    std::shared_ptr<Handler> handler = accept_(*connection);
    if (!handler) {
      connection->close(errc::denied);
      return;
    }
    connection->set_handler(std::move(handler));
    connection->start(std::nullopt);
  }

  asio::io_context& io_;
  asio::ip::tcp::acceptor acceptor_;
  asio::ip::tcp::endpoint local_;
  const ConnectionOptions options_;
  const AcceptFn accept_;
};

}  // namespace

Result<std::shared_ptr<Listener>> Listener::listen(asio::io_context& io, const Address& bind,
                                                   const ConnectionOptions& options,
                                                   AcceptFn accept) {
  asio::error_code ec;
  const asio::ip::address ip = asio::ip::make_address(bind.host, ec);
  if (ec) {
    spdlog::error("cannot listen on {}: not an IP address", to_string(bind));
    return errc::invalid_argument;
  }
  auto listener = std::make_shared<ListenerImpl>(io, options, std::move(accept));
  if (std::error_code bind_error = listener->bind(asio::ip::tcp::endpoint(ip, bind.port))) {
    spdlog::error("cannot listen on {}: {}", to_string(bind), bind_error.message());
    return bind_error;
  }
  spdlog::debug("listening on {}", to_string(listener->local_address()));
  listener->start();
  return std::shared_ptr<Listener>(std::move(listener));
}

}  // namespace neo::net
