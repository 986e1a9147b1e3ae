#include "cli/neoctl/admin_link.hpp"

#include <asio/io_context.hpp>
#include <chrono>
#include <optional>
#include <utility>

namespace neo::neoctl {
namespace {

// Follows the connection's life: established, then closed.
struct LinkHandler final : net::Handler {
  bool connected = false;
  bool closed = false;

  void on_connected(net::Peer&) override { connected = true; }
  void on_packet(net::Peer& peer, const protocol::Frame& frame) override {
    // The admin sends nothing unasked to an unidentified peer.
    peer.reject_unexpected(frame);
  }
  void on_closed(net::Peer&, std::error_code) override { closed = true; }
};

class NetAdminLink final : public AdminLink {
 public:
  NetAdminLink(const net::Address& address, const net::ConnectionOptions& options)
      : address_(address), options_(options) {}

  ~NetAdminLink() override {
    if (!connection_) return;
    connection_->close({});
    io_.restart();
    io_.run_for(std::chrono::seconds(1));  // lets the socket's coroutines end
  }

  Result<protocol::Frame> ask(std::uint16_t code, std::uint16_t answer_code,
                              std::string args) override {
    if (std::error_code ec = ensure_connected()) return ec;
    std::optional<Result<protocol::Frame>> answer;
    connection_->ask_raw(
        code, answer_code, std::move(args),
        [&answer](Result<protocol::Frame> frame) { answer.emplace(std::move(frame)); });
    run_until([&] { return answer.has_value(); });
    if (!answer || !*answer) return connection_closed();
    return std::move(**answer);
  }

  // A notification has no answer, so nothing here can tell whether the
  // admin acted on it: bytes written are not bytes processed. Whether the
  // write beats a closure by the admin is a race, e.g. an admin with TLS
  // rejects a plain connection once it peeks at our handshake, before or
  // after our packet is written (EPIPE), and discards it either way.
  // Hence NEO/py's neoctl (flushLog: send, then poll while the connection
  // has output pending; a closed one has none) succeeds once connected.
  // This waits likewise, so that the packet is not dropped by our own
  // close, and a closure only ends the wait.
  std::error_code notify(std::uint16_t code, std::string args) override {
    if (std::error_code ec = ensure_connected()) return ec;
    connection_->notify_raw(code, std::move(args));
    run_until([&] { return handler_->closed || connection_->queued_bytes() == 0; });
    return {};
  }

 private:
  // Opens the connection if there is none (or it was closed), and waits
  // until it is established (TCP, then TLS if enabled).
  std::error_code ensure_connected() {
    if (connection_ && !handler_->closed) return {};
    handler_ = std::make_shared<LinkHandler>();
    connection_ = net::Connection::connect(io_, address_, handler_, options_);
    run_until([&] { return handler_->connected || handler_->closed; });
    return handler_->connected && !handler_->closed ? std::error_code{} : not_connected();
  }

  // Runs the event loop until `done()`, or until nothing is left to wait for.
  template <class Done>
  void run_until(Done done) {
    io_.restart();
    while (!done()) {
      if (io_.run_one() == 0) return;
    }
  }

  asio::io_context io_{1};
  net::Address address_;
  net::ConnectionOptions options_;
  std::shared_ptr<LinkHandler> handler_;
  std::shared_ptr<net::Connection> connection_;
};

}  // namespace

std::unique_ptr<AdminLink> connect_admin(const net::Address& address,
                                         const net::ConnectionOptions& options) {
  return std::make_unique<NetAdminLink>(address, options);
}

}  // namespace neo::neoctl
