#include "nodes/storage/transaction_manager.hpp"

#include <spdlog/spdlog.h>

#include "nodes/storage/database/database_logic.hpp"

namespace neo::storage {

namespace {

std::string hex_id(Tid tid) { return dump_tid(tid); }
std::string hex_id(Oid oid) { return dump_tid(Tid{oid.value}); }

// MEDIUMBLOB limit of NEO/py's MySQL backend, enforced for every backend.
}  // namespace

TransactionManager::Transaction& TransactionManager::register_transaction(const Origin& origin,
                                                                          Tid ttid) {
  auto [it, inserted] = transactions_.try_emplace(ttid);
  if (inserted) {
    it->second.client = origin.client;
    SPDLOG_DEBUG("register TXN {} for {}", hex_id(ttid), to_string(origin.client));
  }
  return it->second;
}

std::optional<Tid> TransactionManager::write_locker(Oid oid) const {
  auto it = store_locks_.find(oid);
  if (it == store_locks_.end()) return std::nullopt;
  return it->second;
}

TransactionManager::LockOutcome TransactionManager::lock_object(Tid ttid, Transaction& txn,
                                                                Tid serial, Oid oid) {
  std::optional<Tid> previous;
  if (auto locked = write_locker(oid); locked && !transactions_.count(*locked)) {
    SPDLOG_ERROR("write lock of {} held by unknown transaction {}: released", hex_id(oid),
                 hex_id(*locked));
    store_locks_.erase(oid);
  }
  if (replicating_.count(partition_of(oid))) {
    // Out of date: we may lack the data or the stores that would lock it.
    // A readable cell checks; we must still receive the transaction whole.
    txn.lockless.insert(oid);
    return {Lock::Lockless};
  }
  if (auto locked = write_locker(oid)) {
    Transaction& other = transactions_.at(*locked);
    if (*locked < ttid || other.voted) {
      // Younger, or the locker already voted: wait for the lock (no deadlock possible).
      SPDLOG_INFO("lock delayed for {}:{} by {}", hex_id(oid), hex_id(ttid), hex_id(*locked));
      return {Lock::Delay};
    }
    // A lockless store stored again after a conflict: the lock it shares
    // only delays new transactions; a readable cell still checks.
    if (txn.lockless.count(oid)) return {Lock::Lockless};
    if (&other != &txn) {
      if (other.lockless.count(oid)) {
        txn.lockless.insert(oid);
        return {Lock::Lockless};
      }
      // We are older than the locker: possible deadlock. Ask the younger
      // transaction to relock (once per oid), keeping its lock meanwhile.
      if (other.deadlock.insert(oid).second) {
        SPDLOG_INFO("deadlock on {}:{} with {}", hex_id(oid), hex_id(ttid), hex_id(*locked));
        if (other.client && on_deadlock)
          on_deadlock(*other.client, protocol::NotifyDeadlock{*locked, oid});
      }
      return {Lock::Delay};
    }
    auto stored = txn.stores.find(oid);
    if (stored == txn.stores.end() || !stored->second.value_serial) {
      // Stored again by the same transaction (a resolved conflict).
      SPDLOG_INFO("transaction {} storing {} more than once", hex_id(ttid), hex_id(oid));
      return {Lock::Locked};
    }
    previous = stored->second.value_serial;  // an undo: check against its target
  } else {
    Result<std::optional<Tid>> last = last_serial(oid);
    if (!last) {
      if (last.error() == errc::non_readable_cell || last.error() == errc::not_ready)
        return {Lock::Ignored};
      return {Lock::Failed, {}, last.error()};
    }
    previous = *last;
  }
  if (previous && *previous != serial) {
    SPDLOG_INFO("conflict on {}:{} with {}", hex_id(oid), hex_id(ttid), hex_id(*previous));
    return {Lock::Conflict, *previous};
  }
  SPDLOG_DEBUG("transaction {} locking {}", hex_id(ttid), hex_id(oid));
  store_locks_[oid] = ttid;
  return {Lock::Locked};
}

bool TransactionManager::answer_unlocked(const LockOutcome& outcome, const LockReply& reply) {
  switch (outcome.kind) {
    case Lock::Delay: return false;
    case Lock::Conflict: reply(std::optional<Tid>(outcome.conflict), {}); return true;
    case Lock::Ignored: reply(std::optional<Tid>(kZeroTid), {}); return true;
    case Lock::Failed: reply(outcome.error, {}); return true;
    case Lock::Locked:
    case Lock::Lockless: break;
  }
  return false;
}

void TransactionManager::run_or_queue(const Origin& origin, Tid key,
                                      std::function<bool()> attempt) {
  if (attempt()) return;
  queue_.queue(
      [alive = origin.alive, attempt = std::move(attempt)] {
        if (alive && !alive()) return true;  // connection closed: forget it
        return attempt();
      },
      key);
}

void TransactionManager::store_object(const Origin& origin, protocol::AskStoreObject ask,
                                      LockReply reply) {
  if (ask.compression < 0 || ask.compression > 1)
    return reply(make_error_code(errc::protocol_error), "invalid compression value");
  if (!is_no_data(ask.data, ask.checksum)) {
    if (sha1(ask.data) != ask.checksum) {
      SPDLOG_ERROR("store of {}:{}: invalid checksum", hex_id(ask.oid), hex_id(ask.ttid));
      return reply(make_error_code(errc::protocol_error), "invalid checksum");
    }
  } else {
    ask.checksum.clear();  // a deletion
  }
  register_transaction(origin, ask.ttid);
  const Tid key = ask.ttid;
  run_or_queue(origin, key, [this, ask = std::move(ask), reply = std::move(reply)] {
    return try_store(ask, reply);
  });
}

bool TransactionManager::try_store(const protocol::AskStoreObject& ask, const LockReply& reply) {
  auto it = transactions_.find(ask.ttid);
  if (it == transactions_.end()) {
    SPDLOG_INFO("forget store of {}:{} by {}: transaction aborted", hex_id(ask.oid),
                hex_id(ask.serial), hex_id(ask.ttid));
    reply(std::optional<Tid>(kZeroTid), {});
    return true;
  }
  Transaction& txn = it->second;
  const LockOutcome outcome = lock_object(ask.ttid, txn, ask.serial, ask.oid);
  if (outcome.kind == Lock::Ignored)
    SPDLOG_INFO("ignore store of {}:{} by {}: unassigned partition", hex_id(ask.oid),
                hex_id(ask.serial), hex_id(ask.ttid));
  if (outcome.kind != Lock::Locked && outcome.kind != Lock::Lockless)
    return answer_unlocked(outcome, reply);
  if (txn.serials.count(ask.oid)) {  // stored again (resolved conflict, undo, lockless)
    if (auto dropped = unstore(txn, ask.oid); !dropped) {
      reply(dropped.error(), {});
      return true;
    }
  }
  txn.serials[ask.oid] = ask.serial;
  Result<std::optional<std::uint64_t>> data_id =
      db_.hold_data(ask.checksum, ask.oid, ask.data, ask.compression, ask.data_serial);
  if (!data_id) {
    txn.serials.erase(ask.oid);
    txn.lockless.erase(ask.oid);
    if (write_locker(ask.oid) == ask.ttid) store_locks_.erase(ask.oid);
    if (data_id.error() == errc::undo_pack_error)
      reply(data_id.error(), "Could not undo for oid " + hex_id(ask.oid));
    else
      reply(data_id.error(), {});
    return true;
  }
  txn.stores[ask.oid] = Stored{*data_id, ask.data_serial};
  reply(outcome.kind == Lock::Lockless ? std::optional<Tid>(kZeroTid) : std::nullopt, {});
  return true;
}

void TransactionManager::check_current_serial(const Origin& origin,
                                              const protocol::AskCheckCurrentSerial& ask,
                                              LockReply reply) {
  register_transaction(origin, ask.ttid);
  run_or_queue(origin, ask.ttid,
               [this, ask, reply = std::move(reply)] { return try_check(ask, reply); });
}

bool TransactionManager::try_check(const protocol::AskCheckCurrentSerial& ask,
                                   const LockReply& reply) {
  auto it = transactions_.find(ask.ttid);
  if (it == transactions_.end()) {
    SPDLOG_INFO("forget serial check of {}:{} by {}: transaction aborted", hex_id(ask.oid),
                hex_id(ask.serial), hex_id(ask.ttid));
    reply(std::optional<Tid>(kZeroTid), {});
    return true;
  }
  Transaction& txn = it->second;
  if (txn.serials.count(ask.oid)) {
    reply(make_error_code(errc::protocol_error),
          "oid " + hex_id(ask.oid) + " already stored or checked by " + hex_id(ask.ttid));
    return true;
  }
  const LockOutcome outcome = lock_object(ask.ttid, txn, ask.serial, ask.oid);
  if (outcome.kind != Lock::Locked && outcome.kind != Lock::Lockless)
    return answer_unlocked(outcome, reply);
  txn.serials[ask.oid] = ask.serial;
  reply(outcome.kind == Lock::Lockless ? std::optional<Tid>(kZeroTid) : std::nullopt, {});
  return true;
}

}  // namespace neo::storage
