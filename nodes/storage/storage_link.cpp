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

class BorrowedLink : public net::Peer {
 public:
  explicit BorrowedLink(std::shared_ptr<net::Peer> incoming) : incoming_(std::move(incoming)) {
    set_nid(incoming_->nid());
    address_ = incoming_->address();
  }
  std::uint32_t ask_raw(std::uint16_t code, std::uint16_t answer_code, std::string args,
                        net::RawAnswerCallback on_answer) override {
    return incoming_->ask_raw(code, answer_code, std::move(args), std::move(on_answer));
  }
  std::uint32_t notify_raw(std::uint16_t code, std::string args) override {
    return incoming_->notify_raw(code, std::move(args));
  }
  void send_raw(std::uint32_t msg_id, std::uint16_t code, std::string_view args) override {
    incoming_->send_raw(msg_id, code, args);
  }
  void abort(std::error_code) override { returned_ = true; }
  void close(std::error_code) override { returned_ = true; }
  bool closed() const override { return returned_ || incoming_->closed(); }

 private:
  std::shared_ptr<net::Peer> incoming_;
  bool returned_ = false;
};

}  // namespace

std::shared_ptr<net::Peer> borrow_storage_link(std::shared_ptr<net::Peer> incoming) {
  return std::make_shared<BorrowedLink>(std::move(incoming));
}

std::shared_ptr<net::Connection> open_storage_link(net::Network& network, const net::Address& to,
                                                   const protocol::RequestIdentification& request,
                                                   StorageLinkEvents events) {
  std::shared_ptr<net::Handler> handler =
      std::make_shared<StorageLinkHandler>(std::move(events.on_closed));
  if (events.wrap_handler) handler = events.wrap_handler(std::move(handler));
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
