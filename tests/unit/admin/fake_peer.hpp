// tests/unit/admin/fake_peer.hpp
// A net::Peer recording what a handler sends, for socket-free admin tests.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/net/peer.hpp"
#include "core/protocol/codec.hpp"

namespace neo::admin::test {

class FakePeer : public net::Peer {
 public:
  struct Sent {
    std::uint32_t msg_id;
    std::uint16_t code;
    std::string args;
  };

  std::uint32_t ask_raw(std::uint16_t code, std::uint16_t answer_code, std::string args,
                        net::RawAnswerCallback on_answer) override {
    const std::uint32_t id = next_id++;
    sent.push_back({id, code, std::move(args)});
    expected[id] = answer_code;
    callbacks[id] = std::move(on_answer);
    return id;
  }
  std::uint32_t notify_raw(std::uint16_t code, std::string args) override {
    sent.push_back({next_id, code, std::move(args)});
    return next_id++;
  }
  void send_raw(std::uint32_t msg_id, std::uint16_t code, std::string_view args) override {
    sent.push_back({msg_id, code, std::string(args)});
  }
  void abort(std::error_code reason) override { aborted = reason; }
  void close(std::error_code reason) override { closed_reason = reason; }
  bool closed() const override { return aborted || closed_reason; }

  // Answers the request `msg_id` with a packet (or a local failure).
  template <class P>
  void reply(std::uint32_t msg_id, const P& packet) {
    auto callback = std::move(callbacks.at(msg_id));
    callbacks.erase(msg_id);
    callback(protocol::Frame{msg_id, P::kCode, protocol::encode_args(packet)});
  }
  void fail(std::uint32_t msg_id, std::error_code ec) {
    auto callback = std::move(callbacks.at(msg_id));
    callbacks.erase(msg_id);
    callback(ec);
  }

  // The last packet sent, decoded as P (fails the test if it is not one).
  template <class P>
  P last() const {
    REQUIRE(!sent.empty());
    REQUIRE(sent.back().code == P::kCode);
    Result<P> packet = protocol::decode_args<P>(sent.back().args);
    REQUIRE(packet);
    return *packet;
  }

  std::uint32_t next_id = 100;
  std::vector<Sent> sent;
  std::map<std::uint32_t, std::uint16_t> expected;
  std::map<std::uint32_t, net::RawAnswerCallback> callbacks;
  std::error_code aborted;
  std::error_code closed_reason;
};

// A frame as received from a peer.
template <class P>
protocol::Frame frame(std::uint32_t msg_id, const P& packet) {
  return protocol::Frame{msg_id, P::kCode, protocol::encode_args(packet)};
}

}  // namespace neo::admin::test
