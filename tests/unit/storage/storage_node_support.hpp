// Fakes for the storage node tests: a Peer recording what is sent and
// StorageEvents recording the application calls.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/net/peer.hpp"
#include "core/protocol/codec.hpp"
#include "nodes/storage/storage_events.hpp"

namespace neo::storage::test {

class FakePeer : public net::Peer {
 public:
  struct Sent {
    std::uint32_t msg_id;
    std::uint16_t code;
    std::string args;
  };
  std::uint32_t ask_raw(std::uint16_t code, std::uint16_t, std::string args,
                        net::RawAnswerCallback) override {
    sent.push_back({next_id, code, std::move(args)});
    return next_id++;
  }
  std::uint32_t notify_raw(std::uint16_t code, std::string args) override {
    sent.push_back({next_id, code, std::move(args)});
    return next_id++;
  }
  void send_raw(std::uint32_t msg_id, std::uint16_t code, std::string_view args) override {
    sent.push_back({msg_id, code, std::string(args)});
  }
  void abort(std::error_code reason) override {
    aborted = reason ? reason : make_error_code(errc::protocol_error);
  }
  void close(std::error_code reason) override {
    closed_ = true;
    (void)reason;
  }
  bool closed() const override { return aborted || closed_; }

  // The last packet sent, decoded as P (fails the test if it is another).
  template <class P>
  std::optional<P> last() const {
    if (sent.empty() || sent.back().code != P::kCode) return std::nullopt;
    auto packet = protocol::decode_args<P>(sent.back().args);
    if (!packet) return std::nullopt;
    return *packet;
  }

  std::uint32_t next_id = 1000;
  std::vector<Sent> sent;
  std::error_code aborted;
  bool closed_ = false;
};

class FakeEvents : public StorageEvents {
 public:
  void shutdown(bool erase) override { shutdowns.push_back(erase); }
  void fatal(const std::string& what) override { fatals.push_back(what); }
  void nodes_changed(const std::vector<protocol::NodeInfo>& removed) override {
    ++changes;
    for (const auto& info : removed) this->removed.push_back(info);
  }
  void drop_partitions(const std::vector<std::uint32_t>& partitions) override {
    dropped.insert(dropped.end(), partitions.begin(), partitions.end());
  }
  void operation_stopped() override { ++stops; }

  std::vector<bool> shutdowns;
  std::vector<std::string> fatals;
  std::vector<protocol::NodeInfo> removed;
  std::vector<std::uint32_t> dropped;
  int changes = 0;
  int stops = 0;
};

template <class P>
protocol::Frame frame_of(const P& packet, std::uint32_t msg_id = 7) {
  return {msg_id, P::kCode, protocol::encode_args(packet)};
}

}  // namespace neo::storage::test
