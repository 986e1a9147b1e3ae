// OperationHandler as a replication source (NEO/py's StorageOperationHandler,
// server side): AskFetchTransactions / AskFetchObjects from a storage that
// replicates one of our readable cells. What the requester lacks is sent
// as AddTransaction / AddObject with the request's msg id, a batch per
// round of the event loop, so that clients keep being served meanwhile;
// then the answer lists what the requester has and we do not.
#include <spdlog/spdlog.h>

#include <memory>
#include <set>

#include "core/util/record_data.hpp"
#include "nodes/storage/peer_handlers.hpp"

namespace neo::storage {

namespace {

constexpr std::size_t kFeedBatch = 100;      // packets sent per round of the event loop
constexpr std::size_t kFeedBytes = 1 << 20;  // or object data, if less
// A requester that reads slowly (or not at all) is fed no more while this
// much waits to be written to it; the feed is looked at again kFeedPause
// later. Without it, only the connection's memory bound would stop us.
constexpr std::size_t kFeedQueued = 8 << 20;
constexpr double kFeedPause = 0.01;

// Sends a fetch's packets `batch` at a time: `step` sends the next ones and
// returns true once it has answered. Stops if the connection closes.
void stream(PeerHost& host, std::weak_ptr<net::Peer> weak,
            std::shared_ptr<std::function<bool(net::Peer&)>> step) {
  auto peer = weak.lock();
  if (!peer || peer->closed()) return;
  if (peer->queued_bytes() > kFeedQueued)
    return host.events().run_after(kFeedPause, [&host, weak = std::move(weak), step]() mutable {
      stream(host, std::move(weak), std::move(step));
    });
  if ((*step)(*peer)) return;
  host.events().run_later([&host, weak = std::move(weak), step = std::move(step)]() mutable {
    stream(host, std::move(weak), std::move(step));
  });
}

// The source's data vanished (partition dropped or truncated meanwhile).
bool vanished(const std::error_code& ec) {
  return ec == errc::non_readable_cell || ec == errc::not_ready;
}

}  // namespace

bool OperationHandler::feeding(net::Peer& peer, std::int64_t partition, errc code) {
  StorageState& state = host_.state();
  if (partition < 0 || partition >= state.pt().num_partitions()) {
    write_failed(peer, peer.msg_id(), make_error_code(errc::protocol_error),
                 "invalid partition " + std::to_string(partition));
    return false;
  }
  const auto offset = static_cast<std::uint32_t>(partition);
  const pt::Cell* cell = state.nid() ? state.pt().find_cell(offset, *state.nid()) : nullptr;
  if (cell && (code == errc::checking_error ? cell->state != protocol::CellState::OutOfDate
                                            : cell->readable()))
    return true;
  peer.answer_error(code, "partition " + std::to_string(partition) + " not readable");
  return false;
}

void OperationHandler::on(net::Peer& peer, const protocol::AskFetchTransactions& p) {
  if (!feeding(peer, p.partition, errc::replication_error)) return;
  read_or_delay(peer, [this, p](net::Peer& peer, std::uint32_t msg_id) {
    // Transactions up to max_tid still being committed: wait (the master's
    // NotifyTransactionFinished may overtake its NotifyUnlockInformation).
    if (host_.state().tm().is_locked_tid(p.max_tid)) return false;
    feed_transactions(peer, msg_id, p);
    return true;
  });
}

void OperationHandler::feed_transactions(net::Peer& peer, std::uint32_t msg_id,
                                         const protocol::AskFetchTransactions& p) {
  Database& db = host_.state().db();
  const auto partition = static_cast<std::uint32_t>(p.partition);
  protocol::AnswerFetchTransactions answer;
  if (p.ask_pack_info) {
    auto packed = db.packed_ids(false);
    if (!packed) return write_failed(peer, msg_id, packed.error(), {});
    for (const auto& [offset, pack_id] : *packed)
      if (offset == partition) answer.completed_pack = pack_id;
  }
  const auto length = static_cast<std::uint64_t>(std::max<std::int64_t>(p.length, 0));
  auto tids = db.replication_tid_list(p.min_tid, p.max_tid, length + 1, partition);
  if (!tids) return write_failed(peer, msg_id, tids.error(), {});
  if (tids->size() > length) {
    answer.next_tid = tids->back();
    tids->pop_back();
  }
  auto peer_has = std::make_shared<std::set<Tid>>(p.tid_list.begin(), p.tid_list.end());
  auto todo = std::make_shared<std::vector<Tid>>(std::move(*tids));
  auto step = std::make_shared<std::function<bool(net::Peer&)>>(
      [this, msg_id, partition, answer, peer_has, todo,
       next = std::size_t{0}](net::Peer& peer) mutable {
        for (std::size_t sent = 0; next < todo->size() && sent < kFeedBatch; ++next) {
          const Tid tid = (*todo)[next];
          if (peer_has->erase(tid)) continue;
          auto info = host_.state().db().transaction(tid, false);
          if (!info && !vanished(info.error()))
            return write_failed(peer, msg_id, info.error(), {}), true;
          if (!info || !*info) {
            peer.answer_error(msg_id, errc::replication_error,
                              "partition " + std::to_string(partition) + " dropped");
            return true;
          }
          const TransactionMeta& meta = (*info)->meta;
          peer.answer(msg_id,
                      protocol::AddTransaction{tid, meta.user, meta.description, meta.extension,
                                               meta.packed, meta.ttid, meta.oids, (*info)->pack});
          ++sent;
        }
        if (next < todo->size()) return false;
        answer.tid_list.assign(peer_has->begin(), peer_has->end());
        peer.answer(msg_id, answer);
        return true;
      });
  stream(host_, peer.weak_from_this(), std::move(step));
}

void OperationHandler::on(net::Peer& peer, const protocol::AskFetchObjects& p) {
  if (!feeding(peer, p.partition, errc::replication_error)) return;
  if (host_.state().tm().is_locked_tid(p.max_tid))
    return write_failed(peer, peer.msg_id(), make_error_code(errc::protocol_error),
                        "transactions must be fetched before objects");
  Database& db = host_.state().db();
  const std::uint32_t msg_id = peer.msg_id();
  const auto partition = static_cast<std::uint32_t>(p.partition);
  const auto length = static_cast<std::uint64_t>(std::max<std::int64_t>(p.length, 0));
  auto records = db.replication_object_list(p.min_tid, p.max_tid, length + 1, partition, p.min_oid);
  if (!records) return write_failed(peer, msg_id, records.error(), {});
  protocol::AnswerFetchObjects answer;
  if (records->size() > length) {
    answer.next_tid = records->back().first;
    answer.next_oid = records->back().second;
    records->pop_back();
  }
  auto peer_has = std::make_shared<std::map<Tid, std::set<Oid>>>();
  for (const auto& [serial, oids] : p.object_dict)
    (*peer_has)[serial].insert(oids.begin(), oids.end());
  auto todo = std::make_shared<std::vector<std::pair<Tid, Oid>>>(std::move(*records));
  auto step = std::make_shared<std::function<bool(net::Peer&)>>(
      [this, msg_id, partition, answer, peer_has, todo,
       next = std::size_t{0}](net::Peer& peer) mutable {
        if (next < todo->size()) {
          // The next kFeedBatch records in one read, up to kFeedBytes of data.
          const std::size_t end = std::min(todo->size(), next + kFeedBatch);
          std::size_t bytes = 0;
          bool vanished_record = false, full = false;
          auto read = host_.state().db().visit_objects(
              partition, (*todo)[next], (*todo)[end - 1], [&](Oid oid, ObjectRecord&& r) {
                const auto [serial, expected] = (*todo)[next];
                if (r.serial != serial || oid != expected) return !(vanished_record = true);
                ++next;
                if (auto has = peer_has->find(serial);
                    has != peer_has->end() && has->second.erase(oid)) {
                  if (has->second.empty()) peer_has->erase(has);
                  return true;
                }
                protocol::AddObject add{oid, serial, 0, std::string(kZeroHash), {}, r.data_serial};
                if (r.has_data()) {  // else a deletion or an undone creation
                  add.compression = *r.compression;
                  add.checksum = std::move(r.checksum);
                  add.data = std::move(r.data);
                }
                bytes += add.data.size();
                peer.answer(msg_id, add);
                return !(full = bytes >= kFeedBytes);
              });
          if (!read && !vanished(read.error()))
            return write_failed(peer, msg_id, read.error(), {}), true;
          if (!read || vanished_record || (!full && next < end)) {
            peer.answer_error(msg_id, errc::replication_error,
                              "partition " + std::to_string(partition) + " dropped or truncated");
            return true;
          }
          if (next < todo->size()) return false;
        }
        for (auto& [serial, oids] : *peer_has)
          answer.object_dict.emplace_back(serial, std::vector<Oid>(oids.begin(), oids.end()));
        peer.answer(msg_id, answer);
        return true;
      });
  stream(host_, peer.weak_from_this(), std::move(step));
}

}  // namespace neo::storage
