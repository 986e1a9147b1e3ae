#include "cli/neoctl/storage_links.hpp"

#include <asio/io_context.hpp>
#include <chrono>
#include <map>
#include <optional>
#include <utility>

#include "cli/neoctl/admin_link.hpp"
#include "core/protocol/codec.hpp"
#include "core/protocol/packets.hpp"

namespace neo::neoctl {
namespace {

// Follows one connection's life; a storage sends nothing unasked to an
// anonymous peer but may ping it.
struct StorageHandler final : net::Handler {
  bool connected = false;
  bool closed = false;

  void on_connected(net::Peer&) override { connected = true; }
  void on_packet(net::Peer& peer, const protocol::Frame& frame) override {
    if (frame.code == protocol::Ping::kCode) return peer.answer(frame.msg_id, protocol::Pong{});
    peer.reject_unexpected(frame);
  }
  void on_closed(net::Peer&, std::error_code) override { closed = true; }
};

class NetStorageLinks final : public StorageLinks {
 public:
  NetStorageLinks(std::string cluster, const net::ConnectionOptions& options)
      : cluster_(std::move(cluster)), options_(options) {}

  ~NetStorageLinks() override {
    for (auto& [nid, link] : links_)
      if (link.connection) link.connection->close({});
    io_.restart();
    io_.run_for(std::chrono::seconds(1));  // lets the sockets' coroutines end
  }

  std::vector<Result<protocol::Frame>> ask_all(std::span<const StorageTarget> targets,
                                               std::uint16_t code, std::uint16_t answer_code,
                                               const std::string& args) override {
    for (const StorageTarget& target : targets) open(target);
    run_until([&] {
      for (const StorageTarget& target : targets)
        if (!links_.at(target.nid).failure && !links_.at(target.nid).identified) return false;
      return true;
    });
    std::vector<std::optional<Result<protocol::Frame>>> answers(targets.size());
    for (std::size_t i = 0; i < targets.size(); ++i) {
      Link& link = links_.at(targets[i].nid);
      if (link.failure) {
        answers[i] = *link.failure;
        continue;
      }
      link.connection->ask_raw(
          code, answer_code, args,
          [&answers, i](Result<protocol::Frame> frame) { answers[i].emplace(std::move(frame)); });
    }
    run_until([&] {
      for (const auto& answer : answers)
        if (!answer) return false;
      return true;
    });
    std::vector<Result<protocol::Frame>> result;
    for (std::size_t i = 0; i < targets.size(); ++i) {
      if (answers[i] && *answers[i]) {
        result.push_back(std::move(*answers[i]));
        continue;
      }
      Link& link = links_.at(targets[i].nid);  // lost: so are the next requests
      link.failure = lost(link);
      result.push_back(*link.failure);
    }
    return result;
  }

 private:
  struct Link {
    std::shared_ptr<StorageHandler> handler;
    std::shared_ptr<net::Connection> connection;
    bool identified = false;
    std::optional<Result<protocol::Frame>> failure;  // what every request gets
  };

  // Connects and identifies, unless already done.
  void open(const StorageTarget& target) {
    Link& link = links_[target.nid];
    if (link.connection) return;
    link.handler = std::make_shared<StorageHandler>();
    link.connection = net::Connection::connect(io_, target.address, link.handler, options_);
    const protocol::RequestIdentification request{.node_type = protocol::NodeType::Storage,
                                                  .nid = std::nullopt,
                                                  .address = std::nullopt,
                                                  .name = cluster_,
                                                  .id_timestamp = std::nullopt,
                                                  .extra = {}};
    link.connection->ask_raw(protocol::RequestIdentification::kCode,
                             protocol::AcceptIdentification::kCode, protocol::encode_args(request),
                             [this, nid = target.nid](Result<protocol::Frame> frame) {
                               Link& link = links_.at(nid);
                               if (frame && frame->code == protocol::AcceptIdentification::kCode) {
                                 link.identified = true;
                               } else {
                                 link.failure = frame ? std::move(frame) : lost(link);
                                 link.connection->close({});
                               }
                             });
  }

  static Result<protocol::Frame> lost(const Link& link) {
    return link.handler->connected ? connection_closed() : not_connected();
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
  std::string cluster_;
  net::ConnectionOptions options_;
  std::map<NodeId, Link> links_;
};

}  // namespace

std::unique_ptr<StorageLinks> connect_storages(std::string cluster,
                                               const net::ConnectionOptions& options) {
  return std::make_unique<NetStorageLinks>(std::move(cluster), options);
}

}  // namespace neo::neoctl
