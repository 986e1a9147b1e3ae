// TransactionManager and replication (NEO/py's replicating / replicated /
// readable / discarded): lockless writes to cells being replicated, and the
// moment an up-to-date cell can be announced (NotifyReplicationDone).
#include <spdlog/spdlog.h>

#include "nodes/storage/transaction_manager.hpp"

namespace neo::storage {

std::uint32_t TransactionManager::partition_of(Oid oid) const {
  const std::uint32_t np = db_.num_partitions();
  return np ? static_cast<std::uint32_t>(oid.value % np) : 0;
}

Result<std::optional<Tid>> TransactionManager::last_serial(Oid oid) {
  Result<std::optional<Tid>> last = db_.last_object_tid(oid);
  const std::uint32_t partition = partition_of(oid);
  if (last || last.error() != errc::non_readable_cell || !replicated_.count(partition)) return last;
  // Replicated but not readable yet: its data is complete.
  db_.set_replicating(partition, true);
  last = db_.last_object_tid(oid);
  db_.set_replicating(partition, false);
  return last;
}

void TransactionManager::replicating(std::span<const std::uint32_t> partitions) {
  for (std::uint32_t partition : partitions) {
    replicating_.insert(partition);
    replicated_.erase(partition);
  }
}

std::error_code TransactionManager::replicated(std::uint32_t partition, Tid tid) {
  replicating_.erase(partition);
  replicated_[partition] = tid;
  return notify_replicated();
}

void TransactionManager::readable(std::span<const std::uint32_t> partitions) {
  for (std::uint32_t partition : partitions) replicated_.erase(partition);
}

std::error_code TransactionManager::notify_replicated() {
  std::set<std::uint32_t> notify;
  for (const auto& [partition, tid] : replicated_)
    if (tid) notify.insert(partition);
  // The oids stored without lock in replicated partitions get the lock of
  // the youngest transaction storing them (transactions_ is ordered by
  // ttid); one shared by several transactions delays the notification.
  for (auto& [ttid, txn] : transactions_) {
    for (Oid oid : txn.lockless) {
      const std::uint32_t partition = partition_of(oid);
      auto it = replicated_.find(partition);
      if (it == replicated_.end() || !it->second) continue;
      if (auto locker = write_locker(oid); locker && *locker != ttid) notify.erase(partition);
      store_locks_[oid] = ttid;
    }
  }
  if (notify.empty()) return {};
  for (std::uint32_t partition : notify) {
    const Tid tid = *replicated_[partition];
    SPDLOG_INFO("partition {} replicated up to {}: no lockless write left", partition,
                to_string(tid));
    if (on_replication_done) on_replication_done({static_cast<std::int64_t>(partition), tid});
    replicated_[partition] = std::nullopt;
  }
  // Every pending oid of these partitions is locked again, normally now:
  // we no longer rely on another cell to check them.
  std::vector<Oid> relock;
  for (const auto& [oid, ttid] : store_locks_)
    if (notify.count(partition_of(oid))) relock.push_back(oid);
  for (Oid oid : relock) {
    const Tid ttid = store_locks_.at(oid);
    store_locks_.erase(oid);
    Transaction& txn = transactions_.at(ttid);
    txn.lockless.erase(oid);
    const LockOutcome outcome = lock_object(ttid, txn, txn.serials.at(oid), oid);
    if (outcome.kind == Lock::Failed) return outcome.error;
    if (outcome.kind == Lock::Conflict) {
      SPDLOG_INFO("lockless store of {} by {} conflicts with {}: forgotten",
                  to_string(Tid{oid.value}), to_string(ttid), to_string(outcome.conflict));
      if (auto data = unstore(txn, oid); !data) return data.error();
    }
  }
  return {};
}

std::error_code TransactionManager::discarded(std::span<const std::uint32_t> partitions) {
  const std::set<std::uint32_t> gone(partitions.begin(), partitions.end());
  for (std::uint32_t partition : gone) {
    replicating_.erase(partition);
    replicated_.erase(partition);
  }
  const auto in_gone = [&](Oid oid) { return gone.count(partition_of(oid)) != 0; };
  std::erase_if(load_locks_, [&](const auto& lock) { return in_gone(lock.first); });
  std::erase_if(store_locks_, [&](const auto& lock) { return in_gone(lock.first); });
  std::vector<std::uint64_t> data_ids;
  for (auto& [ttid, txn] : transactions_) {
    for (auto it = txn.stores.begin(); it != txn.stores.end();) {
      if (!in_gone(it->first)) {
        ++it;
        continue;
      }
      if (it->second.data_id) data_ids.push_back(*it->second.data_id);
      it = txn.stores.erase(it);
    }
    std::erase_if(txn.serials, [&](const auto& serial) { return in_gone(serial.first); });
    std::erase_if(txn.lockless, in_gone);
  }
  if (std::error_code ec = db_.drop_partitions_temporary(partitions)) return ec;
  if (std::error_code ec = db_.release_data(data_ids, true)) return ec;
  queue_.execute();
  read_queue_.execute();
  return {};
}

}  // namespace neo::storage
