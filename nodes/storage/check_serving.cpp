// OperationHandler: the digests another storage asks when it checks the
// replicas of a partition (NEO/py neo/storage/handlers/storage.py
// askCheckTIDRange, askCheckSerialRange; protocol.md 8.8).
#include <spdlog/spdlog.h>

#include "nodes/storage/peer_handlers.hpp"

namespace neo::storage {

namespace {
std::optional<std::uint64_t> length_of(std::int64_t length) {
  if (length < 0) return std::nullopt;  // SQLite: no limit
  return static_cast<std::uint64_t>(length);
}
}  // namespace

// Waits while a transaction being committed has a tid <= max_tid.
void OperationHandler::on(net::Peer& peer, const protocol::AskCheckTIDRange& p) {
  if (!feeding(peer, p.partition, errc::checking_error)) return;
  read_or_delay(peer, [this, p](net::Peer& peer, std::uint32_t msg_id) {
    if (host_.state().tm().is_locked_tid(p.max_tid)) return false;
    Result<TidRangeCheck> r = host_.state().db().check_tid_range(
        static_cast<std::uint32_t>(p.partition), length_of(p.length), p.min_tid, p.max_tid);
    if (!r) {
      host_.events().fatal("checking a TID range: " + r.error().message() + " " +
                           host_.state().db().last_error());
      return true;
    }
    peer.answer(msg_id, protocol::AnswerCheckTIDRange{r->count, r->checksum, r->max_tid});
    return true;
  });
}

void OperationHandler::on(net::Peer& peer, const protocol::AskCheckSerialRange& p) {
  if (!feeding(peer, p.partition, errc::checking_error)) return;
  if (host_.state().tm().is_locked_tid(p.max_tid)) {
    SPDLOG_ERROR("protocol error from {}: AskCheckSerialRange during a commit", peer.describe());
    peer.answer_error(errc::protocol_error, "transactions must be checked before objects");
    return peer.abort(make_error_code(errc::protocol_error));
  }
  Result<SerialRangeCheck> r =
      host_.state().db().check_serial_range(static_cast<std::uint32_t>(p.partition),
                                            length_of(p.length), p.min_tid, p.max_tid, p.min_oid);
  if (!r)
    return host_.events().fatal("checking a serial range: " + r.error().message() + " " +
                                host_.state().db().last_error());
  peer.answer(protocol::AnswerCheckSerialRange{r->count, r->tid_checksum, r->max_tid,
                                               r->oid_checksum, r->max_oid});
}

}  // namespace neo::storage
