// ClientState: the end of transactions (spec/flows.md sections 3 and 4):
// finish (and, the master lost meanwhile, AskFinalTID), abort, undo.
#include <spdlog/spdlog.h>

#include "nodes/client/client_state.hpp"
#include "nodes/client/client_txn.hpp"

namespace neo::client {

using namespace protocol;

// ---- Finish and abort -------------------------------------------------------

void ClientState::finish(Tid ttid, Reply<Tid> reply) {
  Txn* txn = this->txn(ttid);
  if (!txn || !txn->voted || txn->master_epoch != master_epoch_ || !master_)
    return reply(make_error_code(errc::transaction_failed));
  AskFinishTransaction finish{.ttid = ttid, .pack = txn->pack};
  std::set<std::int64_t> deleted, checked;
  for (const auto& [oid, object] : txn->objects) {
    const std::uint32_t offset = pt_.partition_of(oid);
    if (object.checked)
      checked.insert(offset);
    else if (!object.data && !object.data_serial)
      deleted.insert(offset);
    else
      finish.oid_list.push_back(oid);
  }
  finish.deleted.assign(deleted.begin(), deleted.end());
  finish.checked.assign(checked.begin(), checked.end());
  master_->ask(finish, [this, ttid, reply](Result<AnswerTransactionFinished> answer,
                                           std::string_view message) {
    if (answer) {
      finished(ttid, answer->tid);
      return reply(answer->tid);
    }
    if (answer.error() == errc::connection_closed) return final_tid(ttid, reply);
    txns_.erase(ttid);
    reply(error_of(answer.error(), message, "tpc_finish"));
  });
}

void ClientState::finished(Tid ttid, Tid tid) {
  Txn* txn = this->txn(ttid);
  if (!txn) return;
  for (auto& [oid, object] : txn->objects) {
    if (object.checked) continue;
    invalidate_oid(oid, tid);
    if (object.data && !object.data_serial) cache_.store(oid, tid, std::nullopt, *object.data);
  }
  if (!last_tid_ || *last_tid_ < tid) last_tid_ = tid;
  txns_.erase(ttid);
}

// The master was lost while finishing: ask whether the transaction committed.
void ClientState::final_tid(Tid ttid, Reply<Tid> reply) {
  when_ready([this, ttid, reply](std::error_code ec) {
    if (ec) return txns_.erase(ttid), reply(ec);
    master_->ask(
        AskFinalTID{ttid}, [this, ttid, reply](Result<AnswerFinalTID> answer, std::string_view) {
          if (!answer) return final_tid(ttid, reply);
          const auto done = [this, ttid, reply](std::optional<Tid> tid) {
            if (!tid) return txns_.erase(ttid), reply(make_error_code(errc::transaction_failed));
            finished(ttid, *tid);
            reply(*tid);
          };
          if (answer->tid != kMaxTid) return done(answer->tid);
          // Committed; only the storages know the final TID.
          ask_read(pt_.partition_of(ttid), AskFinalTID{ttid},
                   [done](Result<AnswerFinalTID> tid) { done(tid ? tid->tid : std::nullopt); });
        });
  });
}

void ClientState::send_abort(const Txn& txn) {
  std::vector<NodeId> nids;
  for (const auto& [nid, connection] : txn.connections) {
    nids.push_back(nid);
    if (connection && !connection->closed()) connection->notify(AbortTransaction{txn.ttid, {}});
  }
  // A master found since tpc_begin does not know the ttid: it would answer
  // PROTOCOL_ERROR and close the connection, failing the other transactions.
  if (master_ && txn.master_epoch == master_epoch_)
    master_->notify(AbortTransaction{txn.ttid, nids});
}

void ClientState::abort(Tid ttid) {
  auto it = txns_.find(ttid);
  if (it == txns_.end()) return;
  send_abort(*it->second);
  txns_.erase(it);
}

// ---- Undo -------------------------------------------------------------------

void ClientState::undo(Tid ttid, Tid undone, VoteReply reply) {
  if (!txn(ttid)) return reply(make_error_code(errc::transaction_failed), {});
  const Tid snapshot{last_tid_->value + 1};
  ask_read(pt_.partition_of(undone), AskTransactionInformation{undone},
           [this, ttid, undone, snapshot, reply](Result<AnswerTransactionInformation> info) {
             if (!info) return reply(info.error(), {});
             std::map<std::uint32_t, std::vector<Oid>> by_partition;
             for (Oid oid : info->oid_list) by_partition[pt_.partition_of(oid)].push_back(oid);
             auto serials = std::make_shared<std::map<Oid, UndoSerial>>();
             auto gather = Gather::make(by_partition.size(),
                                        [this, ttid, serials, reply](std::error_code ec) {
                                          if (ec) return reply(ec, {});
                                          undo_stores(ttid, std::move(*serials), reply);
                                        });
             for (auto& [offset, oids] : by_partition) {
               ask_read(offset, AskObjectUndoSerial{ttid, snapshot, undone, std::move(oids)},
                        [gather, serials](Result<AnswerObjectUndoSerial> answer) {
                          if (answer)
                            for (const auto& [oid, serial] : answer->object_tid_dict)
                              (*serials)[oid] = serial;
                          gather->part_done(answer ? std::error_code{} : answer.error());
                        });
             }
           });
}

// For each object, the revision before the undone one, as a back-pointer.
// Objects with later revisions are reported as conflicts (their resolution
// is the application's), after the others are stored.
void ClientState::undo_stores(Tid ttid, std::map<Oid, UndoSerial> serials, VoteReply reply) {
  std::vector<Conflict> conflicts;
  for (auto it = serials.begin(); it != serials.end();) {
    if (it->second.is_current) {
      ++it;
      continue;
    }
    conflicts.push_back(Conflict{it->first, it->second.current_serial,
                                 it->second.undo_serial.value_or(kZeroTid), false});
    it = serials.erase(it);
  }
  auto gather = Gather::make(serials.size(), [reply, conflicts](std::error_code ec) {
    if (!ec && !conflicts.empty()) return reply(make_error_code(errc::conflict), conflicts);
    reply(ec, {});
  });
  for (const auto& [oid, serial] : serials) {
    if (!serial.undo_serial) {  // undoing the creation
      store(ttid, make_store(oid, serial.current_serial, std::nullopt, false));
      gather->part_done({});
      continue;
    }
    // The data goes along for cells that lack the old record.
    load(oid, serial.undo_serial, std::nullopt,
         [this, ttid, oid, serial, gather](Result<Record> record) {
           if (!record && record.error() != errc::no_data) return gather->part_done(record.error());
           std::optional<std::string> data;
           if (record) data = std::move(record->data);
           store(ttid, make_store(oid, serial.current_serial, std::move(data), config_.compress,
                                  serial.undo_serial));
           gather->part_done({});
         });
  }
}

}  // namespace neo::client
