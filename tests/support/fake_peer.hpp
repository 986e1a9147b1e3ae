// tests/support/fake_peer.hpp
// FakePeer: a net::Peer without a socket, for the unit tests of every
// handler (master, storage, admin, client, net). It records what the code
// under test sends, keeps the callbacks of its requests so that the test
// answers them (or fails them), and, when `on_close` is set, closes as a
// net::Connection does. Single-threaded.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/net/peer.hpp"
#include "core/protocol/codec.hpp"

namespace neo::test {

class FakePeer : public net::Peer {
 public:
  struct Sent {
    std::uint32_t msg_id;
    std::uint16_t code;
    std::string args;
  };

  explicit FakePeer(std::string address = "127.0.0.1:9", std::uint32_t first_id = 1)
      : next_id(first_id) {
    address_ = std::move(address);
  }

  // --- net::Peer ---------------------------------------------------------
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
  void abort(std::error_code reason) override {
    if (!aborted) aborted = reason ? reason : make_error_code(errc::protocol_error);
  }
  // With `on_close` set, as net::Connection: the first close fails the
  // pending requests, then tells on_close, synchronously.
  void close(std::error_code reason) override {
    const bool was_closed = closed();
    closed_reason = reason ? reason : make_error_code(errc::connection_closed);
    if (!on_close || was_closed) return;
    fail_all(make_error_code(errc::connection_closed));
    on_close(*this);
  }
  bool closed() const override { return aborted || closed_reason; }
  std::size_t queued_bytes() const override { return queued; }
  std::size_t queued = 0;  // what queued_bytes() says

  // --- What was sent -----------------------------------------------------
  // The packets of type P sent so far, decoded (a packet that does not
  // decode is skipped: check `sent` for it).
  template <class P>
  std::vector<P> all() const {
    std::vector<P> out;
    for (const Sent& s : sent)
      if (s.code == P::kCode)
        if (Result<P> packet = protocol::decode_args<P>(s.args)) out.push_back(std::move(*packet));
    return out;
  }
  // The last packet of type P sent, if any.
  template <class P>
  std::optional<P> last() const {
    std::vector<P> v = all<P>();
    if (v.empty()) return std::nullopt;
    return std::move(v.back());
  }
  // The very last packet sent, if it is a P.
  template <class P>
  std::optional<P> last_sent() const {
    if (sent.empty() || sent.back().code != P::kCode) return std::nullopt;
    Result<P> packet = protocol::decode_args<P>(sent.back().args);
    if (!packet) return std::nullopt;
    return std::move(*packet);
  }
  std::vector<std::uint16_t> codes() const {
    std::vector<std::uint16_t> out;
    for (const Sent& s : sent) out.push_back(s.code);
    return out;
  }
  void clear() { sent.clear(); }

  // --- Answering the requests of the code under test ----------------------
  // Answers the oldest unanswered request of type P; false if there is none.
  template <class P>
  bool reply(const typename P::Answer& answer) {
    for (const Sent& s : sent)
      if (s.code == P::kCode && callbacks.count(s.msg_id)) {
        reply(s.msg_id, answer);
        return true;
      }
    return false;
  }
  // Answers request `msg_id` with `packet` (an answer, or protocol::Error).
  template <class A>
  void reply(std::uint32_t msg_id, const A& packet) {
    reply_frame(msg_id, protocol::Frame{msg_id, A::kCode, protocol::encode_args(packet)});
  }
  // Delivers a frame, or a local failure, to request `msg_id`.
  void reply_frame(std::uint32_t msg_id, Result<protocol::Frame> frame) {
    net::RawAnswerCallback callback = std::move(callbacks.at(msg_id));
    callbacks.erase(msg_id);
    callback(std::move(frame));
  }
  void fail(std::uint32_t msg_id, std::error_code ec) { reply_frame(msg_id, ec); }
  void fail_all(std::error_code ec) {
    auto pending = std::move(callbacks);
    callbacks.clear();
    for (auto& [id, callback] : pending) callback(ec);
  }
  bool has_pending() const { return !callbacks.empty(); }

  std::uint32_t next_id;
  std::vector<Sent> sent;
  std::map<std::uint32_t, std::uint16_t> expected;  // request msg id -> answer code
  std::map<std::uint32_t, net::RawAnswerCallback> callbacks;
  std::error_code aborted;
  std::error_code closed_reason;
  std::function<void(FakePeer&)> on_close;
};

// A frame as a peer would send it.
template <class P>
protocol::Frame frame_of(const P& packet, std::uint32_t msg_id = 7) {
  return {msg_id, P::kCode, protocol::encode_args(packet)};
}

}  // namespace neo::test
