// tests/unit/master/fake_peer.hpp
// A net::Peer that records what the master sends and lets the test answer
// its requests. Single-threaded, no sockets.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/net/peer.hpp"
#include "core/protocol/codec.hpp"

namespace neo::master::test {

class FakePeer : public net::Peer {
 public:
  struct Sent {
    std::uint32_t msg_id;
    std::uint16_t code;
    std::string args;
  };

  explicit FakePeer(std::string address = "127.0.0.1:9") { address_ = std::move(address); }

  std::uint32_t ask_raw(std::uint16_t code, std::uint16_t, std::string args,
                        net::RawAnswerCallback on_answer) override {
    const std::uint32_t id = next_id_++;
    sent.push_back({id, code, std::move(args)});
    callbacks_[id] = std::move(on_answer);
    return id;
  }
  std::uint32_t notify_raw(std::uint16_t code, std::string args) override {
    sent.push_back({next_id_, code, std::move(args)});
    return next_id_++;
  }
  void send_raw(std::uint32_t msg_id, std::uint16_t code, std::string_view args) override {
    sent.push_back({msg_id, code, std::string(args)});
  }
  void abort(std::error_code reason) override { aborted = true, reason_ = reason; }
  void close(std::error_code reason) override {
    const bool was_closed = closed();
    closed_ = true, reason_ = reason;
    if (!on_close || was_closed) return;
    // As net::Connection: pending requests fail, then the handler is told,
    // synchronously.
    auto callbacks = std::move(callbacks_);
    callbacks_.clear();
    for (auto& [id, callback] : callbacks) callback(make_error_code(errc::connection_closed));
    on_close(*this);
  }
  // When set, close() behaves as a real connection's (see above).
  std::function<void(FakePeer&)> on_close;
  bool closed() const override { return aborted || closed_; }

  // The packets of type P sent so far, decoded.
  template <class P>
  std::vector<P> all() const {
    std::vector<P> out;
    for (const Sent& s : sent)
      if (s.code == P::kCode) out.push_back(*protocol::decode_args<P>(s.args));
    return out;
  }
  template <class P>
  std::optional<P> last() const {
    std::vector<P> v = all<P>();
    if (v.empty()) return std::nullopt;
    return v.back();
  }
  std::vector<std::uint16_t> codes() const {
    std::vector<std::uint16_t> out;
    for (const Sent& s : sent) out.push_back(s.code);
    return out;
  }
  // Answers the oldest unanswered request of type P with `answer`; false if none.
  template <class P>
  bool reply(const typename P::Answer& answer) {
    for (const Sent& s : sent) {
      auto it = callbacks_.find(s.msg_id);
      if (s.code != P::kCode || it == callbacks_.end()) continue;
      net::RawAnswerCallback callback = std::move(it->second);
      callbacks_.erase(it);
      callback(protocol::Frame{s.msg_id, P::Answer::kCode, protocol::encode_args(answer)});
      return true;
    }
    return false;
  }
  bool has_pending() const { return !callbacks_.empty(); }

  bool aborted = false;
  std::vector<Sent> sent;

 private:
  std::uint32_t next_id_ = 1;
  std::map<std::uint32_t, net::RawAnswerCallback> callbacks_;
  bool closed_ = false;
  std::error_code reason_;
};

// A frame as a peer would send it.
template <class P>
protocol::Frame frame_of(const P& packet, std::uint32_t msg_id = 7) {
  return {msg_id, P::kCode, protocol::encode_args(packet)};
}

}  // namespace neo::master::test
