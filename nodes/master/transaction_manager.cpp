#include "nodes/master/transaction_manager.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>

namespace neo::master {

namespace {
constexpr std::int64_t kLowOverflow = std::int64_t{1} << 32;

double wall_clock() {
  using namespace std::chrono;
  return duration<double>(system_clock::now().time_since_epoch()).count();
}

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}
}  // namespace

Tid add_tid(Tid tid, std::int64_t offset) {
  std::uint64_t higher = tid.value >> 32;
  const std::int64_t total = static_cast<std::int64_t>(tid.value & 0xffffffffULL) + offset;
  const std::int64_t high_offset = floor_div(total, kLowOverflow);
  const std::uint64_t lower = static_cast<std::uint64_t>(total - high_offset * kLowOverflow);
  if (high_offset) {
    // Minute-aligned time of the higher part, moved by whole minutes.
    const double minute = time_from_tid(Tid{higher << 32});
    const Tid moved = tid_from_time(std::round(minute) + 60.0 * static_cast<double>(high_offset));
    higher = moved.value >> 32;
  }
  return Tid{(higher << 32) | lower};
}

TransactionManager::TransactionManager(Clock clock)
    : clock_(clock ? std::move(clock) : Clock(wall_clock)) {}

void TransactionManager::reset() {
  txns_.clear();
  queue_.clear();
  last_oid_ = kZeroOid;
  first_tid_ = kMaxTid;
  first_unlocked_ = false;
}

Transaction* TransactionManager::find(Tid ttid) {
  auto it = txns_.find(ttid);
  return it == txns_.end() ? nullptr : &it->second;
}

Tid TransactionManager::last_tid() const {
  if (txns_.empty()) return last_transaction_;
  const Tid max_ttid = txns_.rbegin()->first;
  if (!queue_.empty()) {
    const std::optional<Tid>& tid = txns_.at(queue_.back()).tid;
    if (tid) return std::max(max_ttid, *tid);
  }
  return max_ttid;
}

// Now, above every TID given; with `ttid`, in the same partition as it
// (tid % divisor == ttid % divisor), preferring the smallest such TID.
Tid TransactionManager::next_tid(std::optional<Tid> ttid, std::uint32_t divisor) const {
  Tid tid = tid_from_time(clock_());
  const Tid min_tid = last_tid();
  if (tid <= min_tid) {
    if (ttid && *ttid == min_tid) return *ttid;
    tid = add_tid(min_tid, 1);
  }
  if (ttid && divisor > 0) {
    const std::int64_t remainder = static_cast<std::int64_t>(ttid->value % divisor);
    const std::int64_t delta = remainder - static_cast<std::int64_t>(tid.value % divisor);
    if (delta) {
      tid = add_tid(tid, delta);
      if (tid <= min_tid) tid = add_tid(tid, divisor);
    }
  }
  return tid;
}

std::vector<Oid> TransactionManager::new_oids(std::uint32_t count) {
  std::vector<Oid> out;
  out.reserve(count);
  for (std::uint32_t i = 1; i <= count; ++i) out.push_back(Oid{last_oid_.value + i});
  if (!out.empty()) last_oid_ = out.back();
  return out;
}

Result<Tid> TransactionManager::begin(NodeId client, std::uint64_t readiness,
                                      std::optional<Tid> tid) {
  if (!tid) {
    if (txns_.size() == 1 && queue_.size() == 1 && !txns_.begin()->second.tid)
      return make_error_code(errc::protocol_error);  // a begin with TID is in progress
    tid = next_tid();
  } else if (!txns_.empty() || *tid <= last_transaction_) {
    return make_error_code(errc::protocol_error);
  } else {
    queue_.push_back(*tid);
  }
  Transaction& txn = txns_[*tid];
  txn.client = client;
  txn.readiness = readiness;
  txn.ttid = *tid;
  return *tid;
}

Result<bool> TransactionManager::vote(
    Tid ttid, const std::set<NodeId>& failed,
    const std::function<bool(const std::set<NodeId>&)>& operational) {
  Transaction* txn = find(ttid);
  if (!txn) return make_error_code(errc::protocol_error);
  if (failed.empty()) return true;
  if (!operational(failed)) return false;
  std::set<NodeId> all_failed = failed;
  for (const auto& [_, t] : txns_) all_failed.insert(t.failed.begin(), t.failed.end());
  if (!operational(all_failed)) return make_error_code(errc::not_ready);
  txn->failed = failed;
  return true;
}

Result<TransactionManager::Prepared> TransactionManager::prepare(
    Tid ttid, std::vector<Oid> oid_list, const std::vector<std::int64_t>& deleted,
    const std::vector<std::int64_t>& checked, std::uint32_t msg_id, const Layout& layout) {
  Transaction* txn = find(ttid);
  if (!txn || txn->tid || layout.num_partitions == 0) return make_error_code(errc::protocol_error);
  const auto valid = [&](std::int64_t p) { return p >= 0 && p < layout.num_partitions; };
  if (!std::all_of(deleted.begin(), deleted.end(), valid) ||
      !std::all_of(checked.begin(), checked.end(), valid))
    return make_error_code(errc::protocol_error);
  Prepared out;
  if (!txn->failed.empty() && !layout.operational(txn->failed)) return out;
  std::set<std::int64_t> partitions(deleted.begin(), deleted.end());
  for (Oid oid : oid_list) partitions.insert(oid.value % layout.num_partitions);
  std::vector<std::int64_t> partition_list(partitions.begin(), partitions.end());
  partitions.insert(ttid.value % layout.num_partitions);
  partitions.insert(checked.begin(), checked.end());
  std::set<NodeId> involved;
  for (std::int64_t partition : partitions)
    for (NodeId nid : layout.cells(static_cast<std::uint32_t>(partition))) {
      if (involved.count(nid)) continue;
      if (txn->failed.count(nid)) {
        if (std::find(out.close.begin(), out.close.end(), nid) == out.close.end())
          out.close.push_back(nid);
      } else if (layout.ready.count(nid)) {
        involved.insert(nid);
        out.lock.push_back(nid);
      }
    }
  if (out.lock.empty()) return out;  // no storage can lock it: incomplete
  Tid tid = ttid;
  if (std::find(queue_.begin(), queue_.end(), ttid) == queue_.end()) {
    tid = next_tid(ttid, layout.num_partitions);
    queue_.push_back(ttid);
  }
  txn->tid = tid;
  txn->oid_list = std::move(oid_list);
  txn->partition_list = std::move(partition_list);
  txn->msg_id = msg_id;
  txn->involved = involved;
  txn->locking = std::move(involved);
  if (!txn->oid_list.empty())
    set_last_oid(*std::max_element(txn->oid_list.begin(), txn->oid_list.end()));
  out.tid = tid;
  return out;
}

Result<std::set<NodeId>> TransactionManager::abort(Tid ttid) {
  Transaction* txn = find(ttid);
  if (!txn || txn->tid) return make_error_code(errc::protocol_error);
  std::set<NodeId> notify = std::move(txn->notify);
  erase(ttid);
  return notify;
}

std::error_code TransactionManager::lock(Tid ttid, NodeId storage, const Committed& committed) {
  Transaction* txn = find(ttid);
  if (!txn || !txn->tid || !txn->locking.erase(storage)) return make_error_code(errc::protocol_error);
  if (txn->locking.empty() && queue_.front() == ttid) unlock_pending(committed);
  return {};
}

void TransactionManager::storage_lost(NodeId storage, const Committed& committed) {
  bool unlock = false;
  for (auto& [ttid, txn] : txns_) {
    txn.notify.erase(storage);
    if (!txn.tid) continue;
    txn.locking.erase(storage);
    txn.involved.erase(storage);
    if (txn.locking.empty() && queue_.front() == ttid) unlock = true;
  }
  if (unlock) unlock_pending(committed);
}

std::vector<std::pair<Tid, std::set<NodeId>>> TransactionManager::client_lost(NodeId client) {
  std::vector<std::pair<Tid, std::set<NodeId>>> aborted;
  for (auto& [ttid, txn] : txns_) {
    if (txn.client != client) {
      txn.notify.erase(client);
    } else if (txn.tid) {
      txn.client.reset();  // orphan: its commit goes on
    } else {
      aborted.emplace_back(ttid, txn.notify);
    }
  }
  for (const auto& [ttid, _] : aborted) erase(ttid);
  return aborted;
}

std::vector<Tid> TransactionManager::register_for_notification(NodeId nid) {
  std::vector<Tid> out;
  for (auto& [ttid, txn] : txns_) {
    txn.notify.insert(nid);
    out.push_back(ttid);
  }
  return out;
}

void TransactionManager::erase(Tid ttid) {
  if (auto it = std::find(queue_.begin(), queue_.end(), ttid); it != queue_.end())
    queue_.erase(it);
  txns_.erase(ttid);
}

// Commits the head of the queue (fully locked) and those after it that are
// fully locked too, in TID order.
void TransactionManager::unlock_pending(const Committed& committed) {
  if (!first_unlocked_) {
    set_first_tid(*txns_.at(queue_.front()).tid);
    first_unlocked_ = true;
  }
  do {
    const Tid ttid = queue_.front();
    queue_.pop_front();
    auto node = txns_.extract(ttid);
    Transaction& txn = node.mapped();
    committed(txn);
    if (*txn.tid > last_transaction_) last_transaction_ = *txn.tid;
  } while (!queue_.empty() && txns_.at(queue_.front()).locking.empty() &&
           txns_.at(queue_.front()).tid);
}

}  // namespace neo::master
