// A scripted admin node for neoctl's unit tests: records the packets neoctl
// sends and answers them from a queue (no sockets).
#pragma once

#include <catch2/catch.hpp>
#include <deque>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "cli/neoctl/neoctl.hpp"
#include "core/protocol/codec.hpp"

namespace neo::neoctl::test {

struct Sent {
  std::uint16_t code = 0;
  std::string args;
  bool notification = false;
};

class FakeAdmin {
 public:
  template <class A>
  void reply(const A& answer) {
    replies_.push_back(protocol::Frame{0, A::kCode, protocol::encode_args(answer)});
  }
  void reply_error(errc code, std::string message) {
    reply(protocol::Error{.code = static_cast<std::int64_t>(code), .message = std::move(message)});
  }
  void ack(std::string message) { reply_error(errc::ack, std::move(message)); }
  void fail(std::error_code ec) { replies_.push_back(ec); }

  Result<protocol::Frame> ask(std::uint16_t code, std::uint16_t, std::string args) {
    sent.push_back({code, std::move(args)});
    if (replies_.empty()) return connection_closed();
    Result<protocol::Frame> reply = std::move(replies_.front());
    replies_.pop_front();
    return reply;
  }
  std::error_code notify(std::uint16_t code, std::string args) {
    sent.push_back({code, std::move(args), true});
    return notify_error;
  }

  // The i-th packet sent, decoded as P.
  template <class P>
  P request(std::size_t i) const {
    REQUIRE(i < sent.size());
    REQUIRE(sent[i].code == P::kCode);
    Result<P> packet = protocol::decode_args<P>(sent[i].args);
    REQUIRE(packet);
    return *packet;
  }
  bool all_replies_used() const { return replies_.empty(); }

  std::vector<Sent> sent;
  std::error_code notify_error;
  std::optional<net::Address> address;  // where neoctl connected
  bool tls = false;

 private:
  std::deque<Result<protocol::Frame>> replies_;
};

// What one neoctl invocation did.
struct Outcome {
  int status = -1;
  std::string out, err;
};

// The AdminLink of a FakeAdmin.
struct FakeAdminLink final : AdminLink {
  explicit FakeAdminLink(FakeAdmin& admin) : admin(admin) {}
  Result<protocol::Frame> ask(std::uint16_t code, std::uint16_t answer_code,
                              std::string args) override {
    return admin.ask(code, answer_code, std::move(args));
  }
  std::error_code notify(std::uint16_t code, std::string args) override {
    return admin.notify(code, std::move(args));
  }
  FakeAdmin& admin;
};

inline Outcome run(FakeAdmin& admin, std::vector<std::string> args) {
  std::ostringstream out, err;
  Outcome outcome;
  outcome.status =
      run_neoctl(args, out, err, [&](const net::Address& address, const net::ConnectionOptions& o) {
        admin.address = address;
        admin.tls = o.tls != nullptr;
        return std::make_unique<FakeAdminLink>(admin);
      });
  outcome.out = out.str();
  outcome.err = err.str();
  return outcome;
}

}  // namespace neo::neoctl::test
