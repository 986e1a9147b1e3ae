#include "nodes/client/client_node.hpp"

#include <spdlog/spdlog.h>

#include <functional>
#include <utility>

namespace neo::client {

using protocol::Frame;

namespace {

// Forwards a connection's events to the client's functions while the
// client lives (its connections close after it: shut_down aborts them).
class CallbackHandler final : public net::Handler {
 public:
  using PacketFn = std::function<void(net::Peer&, const Frame&)>;
  using ClosedFn = std::function<void(net::Peer&, std::error_code)>;
  CallbackHandler(std::weak_ptr<char> alive, PacketFn on_packet, ClosedFn on_closed)
      : alive_(std::move(alive)), packet_(std::move(on_packet)), closed_(std::move(on_closed)) {}
  void on_packet(net::Peer& peer, const Frame& frame) override {
    if (!alive_.expired()) packet_(peer, frame);
  }
  void on_closed(net::Peer& peer, std::error_code reason) override {
    if (!alive_.expired()) closed_(peer, reason);
  }

 private:
  std::weak_ptr<char> alive_;
  PacketFn packet_;
  ClosedFn closed_;
};

}  // namespace

ClientNode::ClientNode(ClientState::Config config, std::vector<net::Address> masters,
                       net::Network& network, net::Scheduler& scheduler)
    : masters_(std::move(masters)),
      network_(network),
      scheduler_(scheduler),
      state_(std::move(config), *this) {}

ClientNode::~ClientNode() {
  shut_down();
  alive_.reset();  // the connections still closing must not call us
}

void ClientNode::shut_down() {
  if (!state_.shutting_down()) state_.shut_down();
  if (bootstrap_) bootstrap_->cancel();
  bootstrap_.reset();
}

void ClientNode::find_master() {
  if (state_.shutting_down() || bootstrap_) return;
  cluster::Bootstrap::Options options;
  options.masters = masters_;
  options.request = [this] { return state_.master_identification(); };
  bootstrap_ = cluster::Bootstrap::start(
      network_, scheduler_, std::move(options),
      [this](cluster::Bootstrap::Identified identified) {
        this->identified(std::move(identified));
      },
      [this](std::error_code code, std::string message) {
        SPDLOG_ERROR("the primary master refused this client: {} ({})", message, code.message());
        bootstrap_.reset();
        state_.refused(code);
      });
}

void ClientNode::identified(cluster::Bootstrap::Identified identified) {
  bootstrap_.reset();
  identified.connection->set_handler(std::make_shared<CallbackHandler>(
      alive_, [this](net::Peer& peer, const Frame& frame) { state_.master_packet(peer, frame); },
      [this](net::Peer& peer, std::error_code reason) {
        if (!state_.master_closed(peer)) return;
        SPDLOG_WARN("{}: connection to the primary master lost ({})", peer.describe(),
                    reason.message());
        find_master();
      }));
  SPDLOG_INFO("connected to the primary master {} at {} as {}", to_string(identified.accept.nid),
              net::to_string(identified.master), to_string(identified.accept.your_nid));
  state_.master_identified(std::move(identified.connection), identified.accept);
}

std::shared_ptr<net::Peer> ClientNode::connect_storage(NodeId nid,
                                                       const protocol::Address& address) {
  auto handler = std::make_shared<CallbackHandler>(
      alive_,
      [this, nid](net::Peer& peer, const Frame& frame) { state_.storage_packet(nid, peer, frame); },
      [this, nid](net::Peer& peer, std::error_code) { state_.storage_closed(nid, peer); });
  return network_.connect(net::Address{address.host, address.port}, handler);
}

}  // namespace neo::client
