// nodes/storage/transaction_manager.hpp
// The storage side of commits (NEO/py's neo/storage/transactions.py): the
// transactions clients are writing (by TTID), their write locks (one per
// oid, taken by stores and readCurrent checks, with conflict detection),
// their read locks (taken by AskLockInformation: loads of those objects
// wait), deadlock avoidance (NotifyDeadlock / AskRelockObject), the vote
// (data and metadata durable in tobj/ttrans before the answer), lock,
// unlock (moved to obj/trans) and abort.
//
// Requests that must wait for a lock are queued here and answered through
// their callback when they can proceed; requests whose `alive()` became
// false (connection closed) are dropped. No sockets: NotifyDeadlock goes
// through `on_deadlock`. Errors: errc::protocol_error with a message as
// NEO/py's (the handler answers Error and closes), errc::undo_pack_error,
// anything else is a backend failure (fatal for the node).
// Owned by StorageState; io thread only.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <system_error>
#include <vector>

#include "core/protocol/packets.hpp"
#include "core/util/error.hpp"
#include "core/util/ids.hpp"
#include "nodes/storage/database/database.hpp"
#include "nodes/storage/event_queue.hpp"

namespace neo::storage {

class TransactionManager {
 public:
  // Who sent a request: the client's node id, and whether its connection is
  // still open (a delayed request of a closed connection is dropped).
  struct Origin {
    std::optional<NodeId> client{};
    std::function<bool()> alive{};
  };
  // The answer to a store or a check: the `conflict` field of
  // AnswerStoreObject / AnswerCheckCurrentSerial (nil: locked; ZERO_TID:
  // ignored or not locked; else the serial it conflicts with), or an error
  // (protocol_error / undo_pack_error with `message`, else backend failure).
  using LockReply = std::function<void(Result<std::optional<Tid>>, const std::string& message)>;
  using RelockReply = std::function<void(Result<protocol::AnswerRelockObject>)>;

  explicit TransactionManager(Database& db) : db_(db) {}

  // Sends NotifyDeadlock to a client (set by the application).
  std::function<void(NodeId client, const protocol::NotifyDeadlock&)> on_deadlock;
  // Sends NotifyReplicationDone to the master (set by the application).
  std::function<void(const protocol::NotifyReplicationDone&)> on_replication_done;

  // ---- group commit ----
  // Without a scheduler, votes and locks commit at once. With one (the
  // application's: it runs commit_round() once the events at hand are
  // handled), they are written and the scheduler called; commit_round()
  // then commits them all with one sync, so concurrent commits share it.
  void set_commit_scheduler(std::function<void()> schedule) {
    schedule_commit_ = std::move(schedule);
  }
  // Runs `reply` once what is written is committed: at once if no commit
  // is scheduled, else after commit_round(). Answers that promise
  // durability (votes, locks, final tids) go through here.
  void when_durable(std::function<void()> reply);
  // The scheduled commit; on failure the replies are dropped (the node
  // stops: a peer never hears of a vote or lock that is not on disk).
  std::error_code commit_round();

  // ---- client requests ----
  void store_object(const Origin& origin, protocol::AskStoreObject ask, LockReply reply);
  void check_current_serial(const Origin& origin, const protocol::AskCheckCurrentSerial& ask,
                            LockReply reply);
  void relock_object(const Origin& origin, Tid ttid, Oid oid, RelockReply reply);
  // AskStoreTransaction (registers the transaction) and AskVoteTransaction:
  // durable on success once when_durable says so.
  std::error_code store_transaction(const Origin& origin, const protocol::AskStoreTransaction& ask,
                                    std::string& message);
  std::error_code vote(Tid ttid, std::string& message);
  // AskFinalTID from a client: the tid of a locked transaction, else the database's.
  Result<std::optional<Tid>> final_tid(Tid ttid);
  // The value a store of `ttid` recorded for `oid` (undo: its value serial,
  // else ttid), if it stored one (AskObjectUndoSerial).
  std::optional<Tid> stored_serial(Tid ttid, Oid oid) const;

  // ---- master requests ----
  std::error_code lock(Tid ttid, Tid tid, bool pack, std::string& message);
  // Moves the transaction to obj/trans (commit deferred: the caller commits
  // within 1 s) and releases its locks.
  std::error_code unlock(Tid ttid, std::string& message);

  // ---- aborts ----
  // Drops a transaction not locked yet (or even if locked, when it has just
  // been unlocked): temporary rows and held data deleted and committed,
  // locks released, waiting requests retried.
  std::error_code abort(Tid ttid, bool even_if_locked = false);
  // Aborts the transactions of `client` that have not voted (or all of them
  // not locked, with `even_if_voted`).
  std::error_code abort_for(NodeId client, bool even_if_voted);
  // The master connection is lost or operation stops: forgets everything
  // (the database's unfinished data is dropped at the next StartOperation).
  void reset();

  // ---- replication (transaction_replication.cpp) ----
  // Own cells being replicated (OUT_OF_DATE): their stores and checks are
  // accepted without lock nor conflict check (answered ZERO_TID), a
  // readable cell elsewhere does them; the transaction is still stored in
  // full, as the master expects from a cell that asked for the unfinished
  // transactions.
  void replicating(std::span<const std::uint32_t> partitions);
  // Replicated up to `tid`: NotifyReplicationDone is sent once no
  // transaction relies on a lockless store there any more (the lockless
  // oids are locked normally first, which may delay new transactions).
  std::error_code replicated(std::uint32_t partition, Tid tid);
  // The master set these cells UP_TO_DATE or FEEDING.
  void readable(std::span<const std::uint32_t> partitions);
  // The master discarded these cells: their stores, checks and locks are
  // forgotten (temporary rows deleted, not committed).
  std::error_code discarded(std::span<const std::uint32_t> partitions);

  // ---- reads ----
  // True while `oid` is being committed (between lock and unlock).
  bool load_locked(Oid oid) const { return load_locks_.count(oid) != 0; }
  // True if a locked transaction has a tid <= `tid` (AskTIDsFrom, AskOIDsFrom wait).
  bool is_locked_tid(Tid tid) const {
    for (const auto& [ttid, txn] : transactions_)
      if (txn.tid && *txn.tid <= tid) return true;
    return false;
  }
  // Queues a read retried whenever locks are released.
  void queue_read(EventQueue::Event event) { read_queue_.queue(std::move(event)); }

  // ---- introspection (tests, dump) ----
  bool has_transaction(Tid ttid) const { return transactions_.count(ttid) != 0; }
  std::optional<Tid> write_locker(Oid oid) const;
  std::size_t queued() const { return queue_.size(); }
  std::size_t queued_reads() const { return read_queue_.size(); }
  std::vector<std::string> dump() const;

 private:
  struct Stored {
    std::optional<std::uint64_t> data_id{};
    std::optional<Tid> value_serial{};
  };
  struct Transaction {
    std::optional<NodeId> client{};
    std::optional<Tid> tid{};  // set by lock()
    int voted = 0;             // 1: AskVoteTransaction, 2: AskStoreTransaction
    bool pack = false;
    std::map<Oid, Tid> serials{};    // stored or checked oids -> base serial
    std::map<Oid, Stored> stores{};  // stored oids
    std::set<Oid> deadlock{};        // oids NotifyDeadlock was sent for
    std::set<Oid> lockless{};        // stored or checked without lock (replication)
  };
  // Lockless: accepted without lock (replicating partition).
  enum class Lock { Locked, Lockless, Ignored, Delay, Conflict, Failed };
  struct LockOutcome {
    Lock kind = Lock::Locked;
    Tid conflict{};
    std::error_code error{};
  };

  Transaction& register_transaction(const Origin& origin, Tid ttid);
  LockOutcome lock_object(Tid ttid, Transaction& txn, Tid serial, Oid oid);
  // A lock not taken (not Locked): answers a conflict, an ignored store or
  // a failure and returns true; false for Delay (retry later).
  bool answer_unlocked(const LockOutcome& outcome, const LockReply& reply);
  // One attempt; false if it must wait.
  bool try_store(const protocol::AskStoreObject& ask, const LockReply& reply);
  bool try_check(const protocol::AskCheckCurrentSerial& ask, const LockReply& reply);
  bool try_relock(Tid ttid, Oid oid, const RelockReply& reply);
  // Forgets the store/check of `oid`, returning its data (relock conflict).
  Result<std::optional<protocol::ObjectData>> unstore(Transaction& txn, Oid oid);
  void run_or_queue(const Origin& origin, Tid key, std::function<bool()> attempt);
  std::error_code save_vote(Tid ttid, Transaction& txn, const TransactionMeta* meta,
                            const std::optional<protocol::PackRequest>& pack);
  // Commits now, or schedules the round's commit.
  std::error_code commit_or_schedule();
  std::uint32_t partition_of(Oid oid) const;
  // The latest serial of `oid`, reading a replicated (not yet readable)
  // partition too; errc::non_readable_cell otherwise.
  Result<std::optional<Tid>> last_serial(Oid oid);
  // Sends NotifyReplicationDone for the replicated partitions no lockless
  // store depends on any more.
  std::error_code notify_replicated();

  Database& db_;
  std::map<Tid, Transaction> transactions_;
  std::map<Oid, Tid> store_locks_;  // write locks: oid -> ttid
  std::map<Oid, Tid> load_locks_;   // read locks (locked transactions): oid -> ttid
  std::set<std::uint32_t> replicating_;
  // Replicated partitions -> the tid to notify (none: notified, waiting to
  // become readable).
  std::map<std::uint32_t, std::optional<Tid>> replicated_;
  EventQueue queue_;       // delayed stores, checks, relocks (key: ttid)
  EventQueue read_queue_;  // delayed loads
  std::function<void()> schedule_commit_;
  bool commit_scheduled_ = false;
  std::vector<std::function<void()>> awaiting_commit_;
};

}  // namespace neo::storage
