// TransactionManager: relock (deadlock avoidance), vote, lock, unlock and
// aborts (NEO/py's transactions.py, second half).
#include <spdlog/spdlog.h>

#include <utility>

#include "nodes/storage/database/database_logic.hpp"
#include "nodes/storage/transaction_manager.hpp"

namespace neo::storage {

namespace {

std::string hex_id(Tid tid) { return dump_tid(tid); }
std::string hex_id(Oid oid) { return dump_tid(Tid{oid.value}); }

constexpr std::size_t kMaxOids = 0x200000;  // NEO/py: 2^21-1 oids per transaction

std::error_code unknown_ttid(Tid ttid, std::string& message) {
  message = "unknown ttid " + hex_id(ttid);
  return make_error_code(errc::protocol_error);
}

}  // namespace

void TransactionManager::relock_object(const Origin& origin, Tid ttid, Oid oid, RelockReply reply) {
  auto it = transactions_.find(ttid);
  if (it == transactions_.end() || !it->second.serials.count(oid)) {
    SPDLOG_INFO("forget relock of {} by {}", hex_id(oid), hex_id(ttid));
    return reply(protocol::AnswerRelockObject{});
  }
  Transaction& txn = it->second;
  // Release our lock so that the older transaction waiting for it goes on.
  if (txn.deadlock.erase(oid) && write_locker(oid) == ttid) {
    store_locks_.erase(oid);
    queue_.execute();
  }
  run_or_queue(origin, ttid, [this, ttid, oid, reply = std::move(reply)] {
    return try_relock(ttid, oid, reply);
  });
}

bool TransactionManager::try_relock(Tid ttid, Oid oid, const RelockReply& reply) {
  auto it = transactions_.find(ttid);
  if (it == transactions_.end() || !it->second.serials.count(oid)) {
    reply(protocol::AnswerRelockObject{});
    return true;
  }
  Transaction& txn = it->second;
  const Tid serial = txn.serials.at(oid);
  LockOutcome outcome = lock_object(ttid, txn, serial, oid);
  if (outcome.kind == Lock::Delay) return false;
  if (outcome.kind == Lock::Failed) {
    reply(outcome.error);
    return true;
  }
  if (outcome.kind != Lock::Conflict) {
    reply(protocol::AnswerRelockObject{});
    return true;
  }
  // The older transaction committed meanwhile: give the data back to the
  // client for conflict resolution (it may not have it any more).
  Result<std::optional<protocol::ObjectData>> data = unstore(txn, oid);
  if (write_locker(oid) == ttid) store_locks_.erase(oid);  // the oid is not ours any more
  if (!data) {
    reply(data.error());
    return true;
  }
  reply(protocol::AnswerRelockObject{protocol::RelockConflict{serial, outcome.conflict, *data}});
  return true;
}

Result<std::optional<protocol::ObjectData>> TransactionManager::unstore(Transaction& txn, Oid oid) {
  std::optional<protocol::ObjectData> data;
  auto stored = txn.stores.find(oid);
  if (stored != txn.stores.end()) {
    if (auto id = stored->second.data_id) {
      Result<DataRecord> record = db_.load_data(*id);
      if (!record) return record.error();
      data = protocol::ObjectData{record->compression, std::move(record->checksum),
                                  std::move(record->value)};
      const std::uint64_t ids[] = {*id};
      if (std::error_code ec = db_.release_data(ids, true)) return ec;
    }
    txn.stores.erase(stored);
  }
  txn.serials.erase(oid);
  return data;
}

std::error_code TransactionManager::save_vote(Tid ttid, Transaction& txn,
                                              const TransactionMeta* meta,
                                              const std::optional<protocol::PackRequest>& pack) {
  std::vector<ObjectRef> objects;
  objects.reserve(txn.stores.size());
  for (const auto& [oid, stored] : txn.stores)
    objects.push_back({oid, stored.data_id, stored.value_serial});
  if (std::error_code ec = db_.store_transaction(ttid, objects, meta, true)) return ec;
  if (pack) {
    txn.pack = true;
    const bool partial = pack->oids && !pack->oids->empty();
    if (std::error_code ec =
            db_.store_pack_order(ttid, std::nullopt, partial, pack->oids, pack->pack_tid))
      return ec;
  }
  return commit_or_schedule();
}

std::error_code TransactionManager::commit_or_schedule() {
  if (!schedule_commit_) return db_.commit();
  if (!commit_scheduled_) {
    commit_scheduled_ = true;
    schedule_commit_();
  }
  return {};
}

void TransactionManager::when_durable(std::function<void()> reply) {
  if (!commit_scheduled_) return reply();
  awaiting_commit_.push_back(std::move(reply));
}

std::error_code TransactionManager::commit_round() {
  if (!commit_scheduled_) return {};
  commit_scheduled_ = false;
  auto replies = std::exchange(awaiting_commit_, {});
  if (std::error_code ec = db_.commit()) return ec;
  if (replies.size() > 1) SPDLOG_DEBUG("one commit for {} answers", replies.size());
  for (auto& reply : replies) reply();
  return {};
}

std::error_code TransactionManager::store_transaction(const Origin& origin,
                                                      const protocol::AskStoreTransaction& ask,
                                                      std::string& message) {
  if (ask.oid_list.size() >= kMaxOids ||
      (ask.pack && ask.pack->oids && ask.pack->oids->size() >= kMaxOids)) {
    message = "Too many modified OIDs (the default storage backend has a limitation of 2^21-1)";
    return make_error_code(errc::protocol_error);
  }
  Transaction& txn = register_transaction(origin, ask.ttid);
  if (txn.tid) return unknown_ttid(ask.ttid, message);  // already locked
  SPDLOG_DEBUG("vote TXN {} (with metadata)", hex_id(ask.ttid));
  TransactionMeta meta{.oids = ask.oid_list,
                       .user = ask.user,
                       .description = ask.description,
                       .extension = ask.extension,
                       .packed = false,
                       .ttid = ask.ttid};
  txn.voted = 2;
  return save_vote(ask.ttid, txn, &meta, ask.pack);
}

std::error_code TransactionManager::vote(Tid ttid, std::string& message) {
  auto it = transactions_.find(ttid);
  if (it == transactions_.end() || it->second.tid) return unknown_ttid(ttid, message);
  SPDLOG_DEBUG("vote TXN {}", hex_id(ttid));
  it->second.voted = 1;
  return save_vote(ttid, it->second, nullptr, std::nullopt);
}

std::error_code TransactionManager::lock(Tid ttid, Tid tid, bool pack, std::string& message) {
  auto it = transactions_.find(ttid);
  if (it == transactions_.end()) return unknown_ttid(ttid, message);
  Transaction& txn = it->second;
  if (txn.tid || !txn.voted || tid < ttid) {
    message = "cannot lock transaction " + hex_id(ttid) + " with tid " + hex_id(tid) +
              (txn.voted ? " (already locked)" : " (not voted)");
    return make_error_code(errc::protocol_error);
  }
  SPDLOG_DEBUG("lock TXN {} (ttid={})", hex_id(tid), hex_id(ttid));
  txn.tid = tid;
  for (const auto& [oid, stored] : txn.stores) load_locks_[oid] = ttid;
  if (txn.voted != 2) return {};
  if (std::error_code ec = db_.mark_locked(tid, ttid, pack)) return ec;
  return commit_or_schedule();
}

std::error_code TransactionManager::unlock(Tid ttid, std::string& message) {
  auto it = transactions_.find(ttid);
  if (it == transactions_.end()) return unknown_ttid(ttid, message);
  Transaction& txn = it->second;
  if (!txn.tid) {
    message = "cannot unlock transaction " + hex_id(ttid) + ": not locked";
    return make_error_code(errc::protocol_error);
  }
  SPDLOG_DEBUG("unlock TXN {} (ttid={})", hex_id(*txn.tid), hex_id(ttid));
  if (std::error_code ec =
          db_.unlock_transaction(*txn.tid, ttid, txn.voted == 2, !txn.stores.empty(), txn.pack))
    return ec;
  db_.defer_commit();
  return abort(ttid, true);
}

std::error_code TransactionManager::abort(Tid ttid, bool even_if_locked) {
  auto it = transactions_.find(ttid);
  if (it == transactions_.end()) return {};
  Transaction& txn = it->second;
  const bool locked = txn.tid.has_value();
  if (locked && !even_if_locked) return {};
  if (!locked) {
    SPDLOG_DEBUG("abort TXN {}", hex_id(ttid));
    std::vector<std::uint64_t> ids;
    for (const auto& [oid, stored] : txn.stores)
      if (stored.data_id) ids.push_back(*stored.data_id);
    if (std::error_code ec = db_.abort_transaction(ttid)) return ec;
    if (std::error_code ec = db_.release_data(ids, true)) return ec;
    if (std::error_code ec = db_.commit()) return ec;
  }
  for (const auto& [oid, serial] : txn.serials) {
    if (locked) {
      auto load = load_locks_.find(oid);
      if (load != load_locks_.end() && load->second == ttid) load_locks_.erase(load);
    }
    if (write_locker(oid) == ttid) store_locks_.erase(oid);
  }
  transactions_.erase(it);
  if (!replicated_.empty())
    if (std::error_code ec = notify_replicated()) return ec;
  read_queue_.execute();
  queue_.execute();
  return {};
}

std::error_code TransactionManager::abort_for(NodeId client, bool even_if_voted) {
  std::vector<Tid> ttids;
  for (const auto& [ttid, txn] : transactions_)
    if (txn.client == client && (even_if_voted || !txn.voted)) ttids.push_back(ttid);
  for (Tid ttid : ttids) {
    SPDLOG_INFO("aborting transaction {} of {}", hex_id(ttid), to_string(client));
    if (std::error_code ec = abort(ttid)) return ec;
  }
  return {};
}

void TransactionManager::reset() {
  transactions_.clear();
  store_locks_.clear();
  load_locks_.clear();
  queue_.clear();
  read_queue_.clear();
  replicating_.clear();
  replicated_.clear();
}

Result<std::optional<Tid>> TransactionManager::final_tid(Tid ttid) {
  auto it = transactions_.find(ttid);
  if (it != transactions_.end()) return it->second.tid;
  return db_.final_tid(ttid);
}

std::optional<Tid> TransactionManager::stored_serial(Tid ttid, Oid oid) const {
  auto it = transactions_.find(ttid);
  if (it == transactions_.end()) return std::nullopt;
  auto stored = it->second.stores.find(oid);
  if (stored == it->second.stores.end()) return std::nullopt;
  return stored->second.value_serial.value_or(ttid);
}

std::vector<std::string> TransactionManager::dump() const {
  std::vector<std::string> lines{"Transactions:"};
  for (const auto& [ttid, txn] : transactions_)
    lines.push_back("    " + hex_id(ttid) + " " + to_string(txn.client) + " " +
                    (txn.tid     ? "tid=" + hex_id(*txn.tid)
                     : txn.voted ? "voted"
                                 : "not voted"));
  lines.push_back("  Read locks:");
  for (const auto& [oid, ttid] : load_locks_)
    lines.push_back("    " + hex_id(oid) + " by " + hex_id(ttid));
  lines.push_back("  Write locks:");
  for (const auto& [oid, ttid] : store_locks_)
    lines.push_back("    " + hex_id(oid) + " by " + hex_id(ttid));
  lines.push_back("  " + std::to_string(queue_.size()) + " delayed writes, " +
                  std::to_string(read_queue_.size()) + " delayed reads");
  return lines;
}

}  // namespace neo::storage
