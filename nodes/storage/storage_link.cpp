#include "nodes/storage/storage_link.hpp"

#include <spdlog/spdlog.h>

#include "core/net/dispatch.hpp"

namespace neo::storage {
namespace {

class StorageLinkHandler : public net::Handler {
 public:
  static constexpr std::string_view kName = "StorageLinkHandler";
  explicit StorageLinkHandler(std::function<void(net::Peer&, std::error_code)> on_closed)
      : on_closed_(std::move(on_closed)) {}
  void on_packet(net::Peer& peer, const protocol::Frame& frame) override {
    net::dispatch(*this, peer, frame);
  }
  void on_closed(net::Peer& peer, std::error_code reason) override {
    if (on_closed_) on_closed_(peer, reason);
  }
  void on(net::Peer& peer, const protocol::Ping&) { peer.answer(protocol::Pong{}); }

 private:
  std::function<void(net::Peer&, std::error_code)> on_closed_;
};

}  // namespace

std::shared_ptr<net::Connection> open_storage_link(net::Network& network, const net::Address& to,
                                                   const protocol::RequestIdentification& request,
                                                   StorageLinkEvents events) {
  auto handler = std::make_shared<StorageLinkHandler>(std::move(events.on_closed));
  std::shared_ptr<net::Connection> connection = network.connect(to, handler);
  std::weak_ptr<net::Connection> weak = connection;
  connection->ask(
      request, [weak, on_identified = std::move(events.on_identified), to](
                   Result<protocol::AcceptIdentification> answer, std::string_view message) {
        std::shared_ptr<net::Connection> link = weak.lock();
        if (answer && answer->node_type == protocol::NodeType::Storage) {
          if (link) link->set_nid(answer->nid);
        } else if (answer) {
          answer = make_error_code(errc::protocol_error);
          message = "not a storage node";
        }
        if (!answer && answer.error() != errc::connection_closed)
          SPDLOG_WARN("storage {} refused our identification: {}", net::to_string(to), message);
        if (on_identified) on_identified(answer, message);
        if (!answer && link) link->close(answer.error());
      });
  return connection;
}

}  // namespace neo::storage
