// OperationHandler: what clients send to commit (NEO/py's
// ClientOperationHandler: askStoreObject, askCheckCurrentSerial,
// askRelockObject, askStoreTransaction, askVoteTransaction,
// abortTransaction). The decisions are the TransactionManager's; answers of
// delayed requests go out with the request's msg id when it proceeds.
#include <spdlog/spdlog.h>

#include "nodes/storage/dispatch.hpp"
#include "nodes/storage/peer_handlers.hpp"

namespace neo::storage {

TransactionManager::Origin OperationHandler::origin(net::Peer& peer) const {
  return {.client = peer.nid(), .alive = [weak = peer.weak_from_this()] {
            auto peer = weak.lock();
            return peer && !peer->closed();
          }};
}

void OperationHandler::write_failed(net::Peer& peer, std::uint32_t msg_id, std::error_code ec,
                                    const std::string& message) {
  if (ec == errc::protocol_error) {
    SPDLOG_ERROR("protocol error from {}: {}", peer.describe(), message);
    peer.answer_error(msg_id, errc::protocol_error, message);
    return peer.abort(ec);
  }
  if (ec == errc::undo_pack_error) return peer.answer_error(msg_id, errc::undo_pack_error, message);
  host_.events().fatal("serving " + peer.describe() + ": " + ec.message() + " " +
                       host_.state().db().last_error());
}

template <class Answer>
TransactionManager::LockReply OperationHandler::lock_reply(net::Peer& peer) {
  return [this, weak = peer.weak_from_this(), msg_id = peer.msg_id()](
             Result<std::optional<Tid>> conflict, const std::string& message) {
    auto peer = weak.lock();
    if (!peer || peer->closed()) return;
    if (!conflict) return write_failed(*peer, msg_id, conflict.error(), message);
    peer->answer(msg_id, Answer{*conflict});
  };
}

void OperationHandler::on(net::Peer& peer, const protocol::AskStoreObject& p) {
  host_.state().tm().store_object(origin(peer), p, lock_reply<protocol::AnswerStoreObject>(peer));
}

void OperationHandler::on(net::Peer& peer, const protocol::AskCheckCurrentSerial& p) {
  host_.state().tm().check_current_serial(origin(peer), p,
                                          lock_reply<protocol::AnswerCheckCurrentSerial>(peer));
}

void OperationHandler::on(net::Peer& peer, const protocol::AskRelockObject& p) {
  host_.state().tm().relock_object(origin(peer), p.ttid, p.oid,
                                   [this, weak = peer.weak_from_this(), msg_id = peer.msg_id()](
                                       Result<protocol::AnswerRelockObject> answer) {
                                     auto peer = weak.lock();
                                     if (!peer || peer->closed()) return;
                                     if (!answer)
                                       return write_failed(*peer, msg_id, answer.error(), {});
                                     peer->answer(msg_id, *answer);
                                   });
}

void OperationHandler::on(net::Peer& peer, const protocol::AskStoreTransaction& p) {
  std::string message;
  if (std::error_code ec = host_.state().tm().store_transaction(origin(peer), p, message))
    return write_failed(peer, peer.msg_id(), ec, message);
  answer_when_durable(host_.state().tm(), peer, protocol::AnswerStoreTransaction{});
}

void OperationHandler::on(net::Peer& peer, const protocol::AskVoteTransaction& p) {
  std::string message;
  if (std::error_code ec = host_.state().tm().vote(p.ttid, message))
    return write_failed(peer, peer.msg_id(), ec, message);
  answer_when_durable(host_.state().tm(), peer, protocol::AnswerVoteTransaction{});
}

void OperationHandler::on(net::Peer& peer, const protocol::AbortTransaction& p) {
  if (std::error_code ec = host_.state().tm().abort(p.ttid))
    write_failed(peer, peer.msg_id(), ec, {});
}

}  // namespace neo::storage
