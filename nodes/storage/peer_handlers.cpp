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

namespace {

// What an identified client may send (the others are unexpected).
bool client_packet(std::uint16_t code) {
  using namespace protocol;
  for (std::uint16_t c :
       {AskObject::kCode, AskTIDs::kCode, AskTransactionInformation::kCode, AskObjectHistory::kCode,
        AskFinalTID::kCode, AskObjectUndoSerial::kCode, AskTIDsFrom::kCode, AskOIDsFrom::kCode,
        AskStoreObject::kCode, AskCheckCurrentSerial::kCode, AskRelockObject::kCode,
        AskStoreTransaction::kCode, AskVoteTransaction::kCode, AbortTransaction::kCode})
    if (c == code) return true;
  return false;
}

// What an identified storage may send (the others are unexpected).
bool storage_packet(std::uint16_t code) {
  using namespace protocol;
  return code == AskFetchTransactions::kCode || code == AskFetchObjects::kCode ||
         code == AskCheckTIDRange::kCode || code == AskCheckSerialRange::kCode;
}

}  // namespace

void OperationHandler::on_packet(net::Peer& peer, const protocol::Frame& frame) {
  const protocol::PacketInfo* info = protocol::find_packet(frame.code);
  const bool client = type_ == protocol::NodeType::Client;
  const bool known =
      info && (frame.code == protocol::Ping::kCode || frame.code == protocol::CloseClient::kCode ||
               (client ? client_packet(frame.code) : storage_packet(frame.code)));
  if (known) {
    dispatch(*this, peer, frame);
    return;
  }
  // NEO/py's handler of this peer type has no method for it.
  peer.reject_unexpected(frame, client ? "ClientOperationHandler" : "StorageOperationHandler");
}

void OperationHandler::on_closed(net::Peer& peer, std::error_code) {
  // Abort the client's transactions that have not voted (NEO/py's
  // connectionClosed): voted ones may still be locked by the master.
  if (type_ == protocol::NodeType::Client && peer.nid() && host_.state().operational()) {
    if (std::error_code ec = host_.state().tm().abort_for(*peer.nid(), false))
      host_.events().fatal("aborting transactions: " + ec.message() + " " +
                           host_.state().db().last_error());
  }
  host_.peer_closed(peer);
}

void OutgoingLinkHandler::on_packet(net::Peer& peer, const protocol::Frame& frame) {
  switch (frame.code) {
    case protocol::AskFetchTransactions::kCode:
    case protocol::AskFetchObjects::kCode:
    case protocol::AskCheckTIDRange::kCode:
    case protocol::AskCheckSerialRange::kCode: return served_.on_packet(peer, frame);
    default: return link_->on_packet(peer, frame);
  }
}

void OperationHandler::on(net::Peer& peer, const protocol::Ping&) { peer.answer(protocol::Pong{}); }

void OperationHandler::on(net::Peer&, const protocol::CloseClient&) {}

template <class A>
void OperationHandler::reply(net::Peer& peer, Result<A> answer, const std::string& message) {
  reply_later(peer, peer.msg_id(), std::move(answer), message);
}

template <class A>
void OperationHandler::reply_later(net::Peer& peer, std::uint32_t msg_id, Result<A> answer,
                                   const std::string& message) {
  if (answer) return peer.answer(msg_id, *answer);
  const std::error_code ec = answer.error();
  if (ec == errc::protocol_error) {
    SPDLOG_ERROR("protocol error from {}: {}", peer.describe(), message);
    peer.answer_error(msg_id, errc::protocol_error, message);
    return peer.abort(ec);
  }
  if (ec == errc::oid_does_not_exist || ec == errc::oid_not_found || ec == errc::tid_not_found ||
      ec == errc::non_readable_cell)
    return peer.answer_error(msg_id, static_cast<errc>(ec.value()), message);
  host_.events().fatal("client read: " + ec.message() + " " + host_.state().db().last_error());
}

void OperationHandler::read_or_delay(net::Peer& peer,
                                     std::function<bool(net::Peer&, std::uint32_t)> attempt) {
  const std::uint32_t msg_id = peer.msg_id();
  if (attempt(peer, msg_id)) return;
  host_.state().tm().queue_read(
      [weak = peer.weak_from_this(), msg_id, attempt = std::move(attempt)] {
        auto alive = weak.lock();
        if (!alive || alive->closed()) return true;
        return attempt(*alive, msg_id);
      });
}

void OperationHandler::on(net::Peer& peer, const protocol::AskObject& p) {
  read_or_delay(peer, [this, p](net::Peer& peer, std::uint32_t msg_id) {
    if (host_.state().tm().load_locked(p.oid)) return false;  // being committed: wait
    std::string message;
    auto answer = host_.state().load_object(p, message);
    reply_later(peer, msg_id, std::move(answer), message);
    return true;
  });
}

// Transaction lists and metadata wait while a transaction is locked (the
// client may already know it committed before our NotifyUnlockInformation).
void OperationHandler::on(net::Peer& peer, const protocol::AskTIDs& p) {
  read_or_delay(peer, [this, p](net::Peer& peer, std::uint32_t msg_id) {
    if (host_.state().tm().is_locked_tid(kMaxTid)) return false;
    std::string message;
    auto answer = host_.state().tids(p, message);
    reply_later(peer, msg_id, std::move(answer), message);
    return true;
  });
}

void OperationHandler::on(net::Peer& peer, const protocol::AskTransactionInformation& p) {
  read_or_delay(peer, [this, p](net::Peer& peer, std::uint32_t msg_id) {
    if (host_.state().tm().is_locked_tid(p.tid)) return false;
    std::string message;
    auto answer = host_.state().transaction_information(p.tid, message);
    reply_later(peer, msg_id, std::move(answer), message);
    return true;
  });
}

void OperationHandler::on(net::Peer& peer, const protocol::AskObjectHistory& p) {
  read_or_delay(peer, [this, p](net::Peer& peer, std::uint32_t msg_id) {
    if (p.first < p.last && host_.state().tm().load_locked(p.oid)) return false;
    std::string message;
    auto answer = host_.state().object_history(p, message);
    reply_later(peer, msg_id, std::move(answer), message);
    return true;
  });
}

void OperationHandler::on(net::Peer& peer, const protocol::AskFinalTID& p) {
  auto tid = host_.state().tm().final_tid(p.ttid);
  if (!tid) return reply(peer, Result<protocol::AnswerFinalTID>(tid.error()), {});
  // A lock is final once on disk.
  answer_when_durable(host_.state().tm(), peer, protocol::AnswerFinalTID{*tid});
}

void OperationHandler::on(net::Peer& peer, const protocol::AskObjectUndoSerial& p) {
  // Waits for objects being committed (locked, not unlocked yet): the client
  // may ask right after AnswerTransactionFinished, before the master's
  // NotifyUnlockInformation reached us, and must see that transaction.
  read_or_delay(peer, [this, p](net::Peer& peer, std::uint32_t msg_id) {
    for (Oid oid : p.oid_list)
      if (host_.state().tm().load_locked(oid)) return false;
    std::string message;
    auto answer = host_.state().undo_serials(p, message);
    reply_later(peer, msg_id, std::move(answer), message);
    return true;
  });
}

void OperationHandler::on(net::Peer& peer, const protocol::AskTIDsFrom& p) {
  read_or_delay(peer, [this, p](net::Peer& peer, std::uint32_t msg_id) {
    if (host_.state().tm().is_locked_tid(p.max_tid)) return false;
    std::string message;
    auto answer = host_.state().tids_from(p, message);
    reply_later(peer, msg_id, std::move(answer), message);
    return true;
  });
}

void OperationHandler::on(net::Peer& peer, const protocol::AskOIDsFrom& p) {
  read_or_delay(peer, [this, p](net::Peer& peer, std::uint32_t msg_id) {
    if (host_.state().tm().is_locked_tid(p.tid)) return false;
    std::string message;
    auto answer = host_.state().oids_from(p, message);
    reply_later(peer, msg_id, std::move(answer), message);
    return true;
  });
}

}  // namespace neo::storage
