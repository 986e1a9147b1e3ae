// nodes/master/transaction_manager.hpp
// The master's transactions in progress (NEO/py neo/master/transactions.py):
// temporary and final TIDs, new OIDs, the commit queue that serializes
// unlocks in TID order, and the nodes to notify when a transaction ends.
// Pure logic, no sockets, no logging: the Master asks it what to do and
// sends the packets. Owned by the Master; use from one thread.
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include "core/util/error.hpp"
#include "core/util/ids.hpp"

namespace neo::master {

// A transaction between AskBeginTransaction and its end.
struct Transaction {
  std::optional<NodeId> client;   // nullopt once orphaned (client lost after prepare)
  std::uint64_t readiness = 0;    // storage readiness when it began
  Tid ttid{};
  std::optional<Tid> tid;         // set by prepare (AskFinishTransaction)
  std::vector<Oid> oid_list;
  std::vector<std::int64_t> partition_list;
  std::uint32_t msg_id = 0;       // of the client's AskFinishTransaction
  std::set<NodeId> involved;      // storages asked to lock
  std::set<NodeId> locking;       // ...that have not answered yet
  std::set<NodeId> failed;        // storages whose stores failed (FailedVote)
  std::set<NodeId> notify;        // nodes waiting for its end
};

class TransactionManager {
 public:
  using Clock = std::function<double()>;  // UNIX time
  // Called for each transaction fully locked, in TID order.
  using Committed = std::function<void(Transaction&)>;

  explicit TransactionManager(Clock clock = {});

  // Forgets every transaction (back to recovery); the counters too.
  void reset();

  // --- Counters: last committed TID, last OID, first TID -----------------
  Tid last_transaction() const { return last_transaction_; }
  void set_last_transaction(Tid tid) { last_transaction_ = tid; }
  Oid last_oid() const { return last_oid_; }
  void set_last_oid(Oid oid) { if (oid > last_oid_) last_oid_ = oid; }
  Tid first_tid() const { return first_tid_; }
  void set_first_tid(Tid tid) { if (tid < first_tid_) first_tid_ = tid; }
  // The last TID given (committed, or of a transaction in progress).
  Tid last_tid() const;

  // --- Requests ---------------------------------------------------------
  std::vector<Oid> new_oids(std::uint32_t count);
  // A new TTID, or `tid` itself if given (no concurrent transaction then).
  // errc::protocol_error as upstream's BeginWithTIDError and for a TID not
  // above the last committed one.
  Result<Tid> begin(NodeId client, std::uint64_t readiness, std::optional<Tid> tid);
  // FailedVote. `failed` are the reported storages that were ready when the
  // transaction began. `operational(excluded)`: whether the partition table
  // stays operational without those nodes. Returns whether the transaction
  // may still be finished; errc::not_ready means: retry later (other voted
  // transactions must end first); errc::protocol_error: unknown ttid.
  Result<bool> vote(Tid ttid, const std::set<NodeId>& failed,
                    const std::function<bool(const std::set<NodeId>&)>& operational);

  struct Prepared {
    std::optional<Tid> tid;        // nullopt: cannot commit (incomplete)
    std::vector<NodeId> lock;      // storages to ask AskLockInformation
    std::vector<NodeId> close;     // failed storages to disconnect first
  };
  struct Layout {
    std::uint32_t num_partitions = 1;
    // The identified storages having a cell (any state) of a partition.
    std::function<std::vector<NodeId>(std::uint32_t partition)> cells;
    // Storages ready since before the transaction began.
    std::set<NodeId> ready;
    std::function<bool(const std::set<NodeId>&)> operational;
  };
  // AskFinishTransaction: chooses the final TID (same partition as the
  // TTID, above every TID given so far) and the storages to lock.
  Result<Prepared> prepare(Tid ttid, std::vector<Oid> oid_list,
                           const std::vector<std::int64_t>& deleted,
                           const std::vector<std::int64_t>& checked, std::uint32_t msg_id,
                           const Layout& layout);
  // AbortTransaction from the client: the nodes to notify (those waiting).
  // errc::protocol_error if unknown or already being finished.
  Result<std::set<NodeId>> abort(Tid ttid);
  // AnswerInformationLocked from `storage`; unlocks finished transactions
  // in order. errc::protocol_error if the ttid is unknown.
  std::error_code lock(Tid ttid, NodeId storage, const Committed& committed);
  // A storage lost: not waited for anymore.
  void storage_lost(NodeId storage, const Committed& committed);
  // A client lost: its unprepared transactions are aborted (returned with
  // the nodes to notify); prepared ones become orphans.
  std::vector<std::pair<Tid, std::set<NodeId>>> client_lost(NodeId client);
  // Registers `nid` to be notified at the end of every transaction in
  // progress (AskUnfinishedTransactions); returns their TTIDs.
  std::vector<Tid> register_for_notification(NodeId nid);

  bool has_pending() const { return !txns_.empty(); }
  bool contains(Tid ttid) const { return txns_.count(ttid) != 0; }
  Transaction* find(Tid ttid);
  const std::map<Tid, Transaction>& transactions() const { return txns_; }

 private:
  Tid next_tid(std::optional<Tid> ttid = {}, std::uint32_t divisor = 1) const;
  void erase(Tid ttid);
  void unlock_pending(const Committed& committed);

  Clock clock_;
  std::map<Tid, Transaction> txns_;
  std::deque<Tid> queue_;  // TTIDs of prepared transactions, by increasing TID
  Tid last_transaction_{};
  Oid last_oid_{};
  Tid first_tid_ = kMaxTid;
  bool first_unlocked_ = false;
};

// NEO/py's addTID: `tid` moved by `offset` units of its lower 32 bits, the
// minute part carried over (calendar aware).
Tid add_tid(Tid tid, std::int64_t offset);

}  // namespace neo::master
