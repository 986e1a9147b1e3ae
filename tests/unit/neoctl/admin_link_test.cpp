// connect_admin() over loopback TCP, against an "admin" that closes every
// connection once accepted (as an admin with TLS closes a plain one).
#include "cli/neoctl/admin_link.hpp"

#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>
#include <asio/post.hpp>
#include <catch2/catch.hpp>
#include <thread>

#include "core/protocol/codec.hpp"
#include "core/protocol/packets.hpp"

namespace neo::neoctl {
namespace {

// A listener on 127.0.0.1 refusing every connection, on its own thread
// (the link runs its own event loop and blocks).
class ClosingAdmin {
 public:
  ClosingAdmin() {
    auto listener = net::Listener::listen(io_, net::Address{"127.0.0.1", 0}, {},
                                          [](net::Connection&) { return nullptr; });
    REQUIRE(listener);
    listener_ = *listener;
    thread_ = std::thread([this] { io_.run(); });
  }
  ~ClosingAdmin() {
    asio::post(io_, [this] { listener_->close(); });
    work_.reset();
    thread_.join();
  }
  net::Address address() const { return listener_->local_address(); }

 private:
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_ = asio::make_work_guard(io_);
  std::shared_ptr<net::Listener> listener_;
  std::thread thread_;
};

TEST_CASE("a notification succeeds once connected, even if the admin closes", "[neoctl]") {
  ClosingAdmin admin;
  // As NEO/py's neoctl: whether the write beats the closure is a race, and
  // a notification is not acknowledged anyway.
  for (int i = 0; i < 20; ++i) {
    std::unique_ptr<AdminLink> link = connect_admin(admin.address(), {});
    CHECK_FALSE(
        link->notify(protocol::FlushLog::kCode, protocol::encode_args(protocol::FlushLog{})));
  }
  // A request, though, has no answer: the closure is its failure.
  std::unique_ptr<AdminLink> link = connect_admin(admin.address(), {});
  Result<protocol::Frame> answer =
      link->ask(protocol::AskClusterState::kCode, protocol::AnswerClusterState::kCode,
                protocol::encode_args(protocol::AskClusterState{}));
  REQUIRE_FALSE(answer);
  CHECK(answer.error() == connection_closed());
}

TEST_CASE("a notification fails if the admin cannot be reached", "[neoctl]") {
  net::Address nobody;
  {
    ClosingAdmin admin;
    nobody = admin.address();
  }  // the port is closed now
  std::unique_ptr<AdminLink> link = connect_admin(nobody, {});
  CHECK(link->notify(protocol::FlushLog::kCode, protocol::encode_args(protocol::FlushLog{})) ==
        not_connected());
}

}  // namespace
}  // namespace neo::neoctl
