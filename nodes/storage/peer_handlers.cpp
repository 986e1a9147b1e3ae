#include "nodes/storage/peer_handlers.hpp"

#include <spdlog/spdlog.h>

#include "nodes/storage/dispatch.hpp"

namespace neo::storage {

void IdentificationHandler::on_packet(net::Peer& peer, const protocol::Frame& frame) {
  dispatch(*this, peer, frame);
}

void IdentificationHandler::on_closed(net::Peer& peer, std::error_code) { host_.peer_closed(peer); }

void IdentificationHandler::on(net::Peer& peer, const protocol::RequestIdentification& p) {
  host_.identify(peer, p);
}

void IdentificationHandler::on(net::Peer& peer, const protocol::Ping&) {
  peer.answer(protocol::Pong{});
}

void OperationHandler::on_packet(net::Peer& peer, const protocol::Frame& frame) {
  const protocol::PacketInfo* info = protocol::find_packet(frame.code);
  const bool client = type_ == protocol::NodeType::Client;
  const bool known =
      info && (frame.code == protocol::Ping::kCode || frame.code == protocol::CloseClient::kCode ||
               (client && (frame.code == protocol::AskObject::kCode ||
                           frame.code == protocol::AskTIDs::kCode ||
                           frame.code == protocol::AskTransactionInformation::kCode ||
                           frame.code == protocol::AskObjectHistory::kCode)));
  if (known) return dispatch(*this, peer, frame);
  const std::string name = net::packet_name(frame.code);
  SPDLOG_ERROR("{} from {} {}: not implemented yet by this storage, closing", name,
               protocol::to_string(type_), peer.describe());
  peer.answer_error(errc::protocol_error, name + " is not implemented yet by this storage");
  peer.abort(make_error_code(errc::protocol_error));
}

void OperationHandler::on_closed(net::Peer& peer, std::error_code) { host_.peer_closed(peer); }

void OperationHandler::on(net::Peer& peer, const protocol::Ping&) { peer.answer(protocol::Pong{}); }

void OperationHandler::on(net::Peer&, const protocol::CloseClient&) {}

template <class A>
void OperationHandler::reply(net::Peer& peer, Result<A> answer, const std::string& message) {
  if (answer) return peer.answer(*answer);
  const std::error_code ec = answer.error();
  if (ec == errc::protocol_error) {
    SPDLOG_ERROR("protocol error from {}: {}", peer.describe(), message);
    peer.answer_error(errc::protocol_error, message);
    return peer.abort(ec);
  }
  if (ec == errc::oid_does_not_exist || ec == errc::oid_not_found || ec == errc::tid_not_found ||
      ec == errc::non_readable_cell)
    return peer.answer_error(static_cast<errc>(ec.value()), message);
  host_.events().fatal("client read: " + ec.message() + " " + host_.state().db().last_error());
}

void OperationHandler::on(net::Peer& peer, const protocol::AskObject& p) {
  std::string message;
  auto answer = host_.state().load_object(p, message);
  reply(peer, std::move(answer), message);
}

void OperationHandler::on(net::Peer& peer, const protocol::AskTIDs& p) {
  std::string message;
  auto answer = host_.state().tids(p, message);
  reply(peer, std::move(answer), message);
}

void OperationHandler::on(net::Peer& peer, const protocol::AskTransactionInformation& p) {
  std::string message;
  auto answer = host_.state().transaction_information(p.tid, message);
  reply(peer, std::move(answer), message);
}

void OperationHandler::on(net::Peer& peer, const protocol::AskObjectHistory& p) {
  std::string message;
  auto answer = host_.state().object_history(p, message);
  reply(peer, std::move(answer), message);
}

}  // namespace neo::storage
