// The database of a storage node: its persistent configuration, its copy of
// the partition table, and the objects and transactions of its partitions,
// in NEO/py's schema version 4 (spec/storage-schema.md) so that a database
// written by NEO/py opens here and the reverse.
//
// `Database` is the interface the node logic talks to; `SqliteDatabase`
// (sqlite_database.hpp) and `MariaDbDatabase` (mariadb_database.hpp)
// implement it. The
// storage application owns its one Database and uses it from its io thread
// only: no method is thread-safe. No logging here: failures come back as
// error codes and `last_error()` says more for the node's log.
//
// Conventions for every method:
// * Errors: `errc::non_readable_cell` when a read names a partition whose own
//   cell is not readable (UP_TO_DATE or FEEDING), `errc::corrupted_record`
//   for bad stored bytes (e.g. an `oids` column whose length is not a
//   multiple of 8); anything else (a backend failure, e.g. a full disk) is in
//   the backend's error category and is fatal for the node, which should log
//   `last_error()` and exit: uncommitted changes are then lost, as after a
//   crash.
// * Writes go to one backend transaction that stays open until `commit()`;
//   the methods that commit by themselves say so (as NEO/py does).
// * Partitions: `np` is 1 + the greatest partition of the saved partition
//   table; `partition_of(id) = id % np`. Methods taking oids or tids need a
//   partition table (np > 0), else they fail with `errc::not_ready`.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "core/protocol/enums.hpp"
#include "core/protocol/packets.hpp"
#include "core/util/error.hpp"
#include "core/util/ids.hpp"

namespace neo::storage {

using protocol::CellState;

// Thrown only by the functions that open a database (bad connection string,
// locked file, schema that cannot be upgraded...): a startup failure.
class DatabaseError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// One row of table `pt`, as stored.
struct PtRow {
  std::uint32_t partition = 0;
  NodeId nid{};
  // -state for UP_TO_DATE/FEEDING/CORRUPTED; >= 0 for OUT_OF_DATE: for an
  // own cell, the TID up to which it is known to be complete, else 0.
  std::int64_t tid = 0;
  std::optional<std::uint64_t> pack{};  // own cells: last completed pack id
  bool operator==(const PtRow&) const = default;
};

// The state a `pt.tid` value encodes: max(0, -tid).
CellState cell_state_of(std::int64_t pt_tid);
// The `pt.tid` value of a state other than OUT_OF_DATE/DISCARDED (-state).
std::int64_t pt_tid_of(CellState state);
// UP_TO_DATE or FEEDING.
bool is_readable(CellState state);

// One cell of the saved partition table.
struct CellRow {
  std::uint32_t partition = 0;
  NodeId nid{};
  CellState state{};
  bool operator==(const CellRow&) const = default;
};

// One object revision of a transaction, as written to `tobj`/`obj`.
struct ObjectRef {
  Oid oid{};
  std::optional<std::uint64_t> data_id{};  // none: deletion or undone creation
  std::optional<Tid> value_serial{};       // undo: the serial whose data it reuses
  bool operator==(const ObjectRef&) const = default;
};

// Transaction metadata, as written to `ttrans`/`trans`.
struct TransactionMeta {
  std::vector<Oid> oids{};  // every oid, including checked-only ones
  std::string user{};
  std::string description{};
  std::string extension{};
  bool packed = false;
  Tid ttid{};
  bool operator==(const TransactionMeta&) const = default;
};

// A committed (or, on request, locked) transaction and its pack order.
struct TransactionInfo {
  TransactionMeta meta{};
  std::optional<protocol::TransactionPack> pack{};
};

// A `data` row.
struct DataRecord {
  std::int64_t compression = 0;
  std::string checksum{};  // SHA-1 of value
  std::string value{};
};

// An object revision as AskObject answers it.
struct ObjectRecord {
  Tid serial{};
  std::optional<Tid> next_serial{};           // next revision of the object, if any
  std::optional<std::int64_t> compression{};  // none: no data (deletion, undone creation)
  std::string checksum{};                     // empty when there is no data
  std::string data{};
  std::optional<Tid> data_serial{};  // undo back-pointer
  bool has_data() const { return compression.has_value(); }
};

// AnswerLastIDs' first two fields.
struct LastIds {
  std::optional<Tid> tid{};
  std::optional<Oid> oid{};
};

// AskObjectUndoSerial's value for one oid (see find_undo_tid).
struct UndoInfo {
  std::optional<Tid> current_serial{};  // none: invisible to the undoing transaction
  std::optional<Tid> undo_serial{};     // none: the undone record was a creation
  bool is_current = false;
};

// AnswerOIDsFrom.
struct OidsFrom {
  std::optional<Oid> next_oid{};  // where the next chunk starts; none: done
  std::vector<Oid> oids{};        // non-deleted oids
};

// AnswerCheckTIDRange / AnswerCheckSerialRange (protocol.md 8.8).
struct TidRangeCheck {
  std::int64_t count = 0;
  std::string checksum{};  // ZERO_HASH when count is 0
  Tid max_tid{};
};
struct SerialRangeCheck {
  std::int64_t count = 0;
  std::string tid_checksum{};
  Tid max_tid{};
  std::string oid_checksum{};
  Oid max_oid{};
};

// Where replication of an own cell resumes (NEO/py's iterCellNextTIDs).
struct CellNextTid {
  std::uint32_t partition = 0;
  bool out_of_date = false;
  // OUT_OF_DATE: both are the first TID to replicate. Readable: both none,
  // except in backup mode: the first TID of transactions to fetch, and the
  // first TID of objects to fetch (the last one may be incomplete).
  std::optional<Tid> next_trans{};
  std::optional<Tid> next_obj{};
};

// What the pack of one chunk did.
struct PackProgress {
  std::optional<Oid> last_oid{};  // last oid examined; none: partition done
  std::size_t pruned_data = 0;    // `data` rows deleted
};

class Database {
 public:
  virtual ~Database() = default;

  // ---- life cycle ----

  // Commits pending changes (clearing a deferred commit).
  virtual std::error_code commit() = 0;
  // Commits without waiting for the disk where the backend can (SQLite in
  // WAL mode, as with synchronous=NORMAL): changes that a machine crash may
  // lose and that are then redone, a replication chunk with its progress.
  // The next commit() makes them durable too.
  virtual std::error_code commit_unsynced() = 0;
  // Marks pending changes to be committed by commit_deferred() (the node
  // calls it 1 s later) or by the next commit(); see unlock_transaction.
  virtual void defer_commit() = 0;
  // Commits if a deferred commit is still pending.
  virtual std::error_code commit_deferred() = 0;
  // Commits if the last commit is older than `seconds` (long loops).
  virtual std::error_code commit_from_time_to_time(double seconds) = 0;
  // Drops every table (`config pt pack trans obj data ttrans tobj`) and
  // commits: `--reset`, or a node told it is UNKNOWN. Only close() may follow.
  virtual std::error_code reset() = 0;
  // Commits a deferred commit, rolls back other pending changes, closes the
  // connection and releases the file lock. The destructor does the same.
  virtual std::error_code close() = 0;
  // As a killed process: drops every change not committed (a deferred
  // commit included), closes, releases the lock (the simulation's crash).
  virtual void crash() = 0;
  // Details of the last failure (backend message, statement), for logs.
  virtual const std::string& last_error() const = 0;
  // (host name, decimal st_dev of the database file): the devpath sent to
  // the master.
  virtual Result<std::pair<std::string, std::string>> topology_path() const = 0;

  // ---- configuration (table config; cached, so reads cannot fail) ----

  // Raw access. set_config(key, nullopt) deletes the key. Not committed.
  virtual std::optional<std::string> config(std::string_view key) const = 0;
  virtual std::error_code set_config(std::string_view key, std::optional<std::string> value) = 0;
  // Typed views; setters do not commit unless said otherwise.
  virtual std::optional<std::string> name() const = 0;
  virtual std::error_code set_name(std::string_view name) = 0;  // commits
  virtual std::optional<NodeId> nid() const = 0;
  // Stores a new node id and rewrites own `pt` rows with it; commits.
  virtual std::error_code set_nid(NodeId nid) = 0;
  virtual std::optional<std::int64_t> ptid() const = 0;
  virtual std::optional<std::int64_t> num_replicas() const = 0;
  virtual std::optional<Tid> backup_tid() const = 0;
  virtual std::error_code set_backup_tid(std::optional<Tid> tid) = 0;
  virtual std::optional<Tid> truncate_tid() const = 0;
  virtual std::error_code set_truncate_tid(std::optional<Tid> tid) = 0;

  // ---- partition table ----

  // Number of partitions (0 without a saved table).
  virtual std::uint32_t num_partitions() const = 0;
  virtual Result<std::vector<PtRow>> pt_rows() = 0;
  // (partition, nid, state) of every saved cell, ordered by (partition, nid).
  virtual Result<std::vector<CellRow>> partition_table() = 0;
  // Own cells: (partition, pt.tid).
  virtual Result<std::vector<std::pair<std::uint32_t, std::int64_t>>> assigned_cells() = 0;
  // True if the own cell of `partition` is readable (or made so by
  // set_replicating).
  virtual bool is_readable_partition(std::uint32_t partition) const = 0;
  virtual std::vector<std::uint32_t> readable_partitions() const = 0;
  // Makes `partition` temporarily readable while it is being replicated
  // (NEO/py's `replicated()` context), or ends it.
  virtual void set_replicating(std::uint32_t partition, bool replicating) = 0;
  // Applies cell changes from the master (NotifyPartitionChanges), or a
  // whole table when `reset` (SendPartitionTable: every other row goes):
  // DISCARDED deletes, an own cell becoming OUT_OF_DATE remembers up to
  // where it is complete, new own cells get pack 0 (readable) or
  // `last_pack_id`. Saves `ptid` and `num_replicas`. Not committed. Returns
  // the partitions whose data the node must now drop (see drop_partition).
  virtual Result<std::vector<std::uint32_t>> change_partition_table(
      std::int64_t ptid, std::int64_t num_replicas, std::span<const protocol::CellChange> cells,
      bool reset, Tid last_pack_id) = 0;
  // Records that the OUT_OF_DATE own cell of `partition` is complete up to
  // `tid` (no-op for a readable cell). Not committed.
  virtual std::error_code update_cell_tid(std::uint32_t partition, Tid tid) = 0;
  // Where replication of each own cell resumes.
  virtual Result<std::vector<CellNextTid>> cell_next_tids() = 0;

  // ---- data and the commit of a transaction ----

  // Stores a record's data (`checksum` = SHA-1 of `data`, already verified)
  // and returns its `data.id`; nullopt for a deletion (empty `checksum`).
  // With `data_serial` (undo), returns the data id of the revision
  // (oid, data_serial) if it exists, else errc::undo_pack_error if the
  // partition is readable, else stores `data`. With --dedup, identical data
  // is reused (other bytes under an existing (hash, compression) are a
  // backend error). Not committed.
  virtual Result<std::optional<std::uint64_t>> store_data(std::string_view checksum, Oid oid,
                                                          std::string_view data,
                                                          std::int64_t compression,
                                                          std::optional<Tid> data_serial) = 0;
  // store_data() plus an in-memory reference that keeps the row from being
  // pruned until release_data() (the node holds the data of stores that are
  // not committed yet).
  virtual Result<std::optional<std::uint64_t>> hold_data(std::string_view checksum, Oid oid,
                                                         std::string_view data,
                                                         std::int64_t compression,
                                                         std::optional<Tid> data_serial) = 0;
  // Drops one reference per id; with `prune`, deletes the rows that nothing
  // references any more. Not committed.
  virtual std::error_code release_data(std::span<const std::uint64_t> data_ids, bool prune) = 0;
  virtual Result<DataRecord> load_data(std::uint64_t data_id) = 0;
  // Writes object revisions with serial `tid` and, if given, the transaction
  // metadata. `temporary` (vote): to tobj/ttrans (tid = ttid, ttrans.tid
  // NULL); else (replication) to obj/trans, an identical existing obj row
  // being accepted. Not committed.
  virtual std::error_code store_transaction(Tid tid, std::span<const ObjectRef> objects,
                                            const TransactionMeta* meta, bool temporary) = 0;
  // Inserts a pack order (id = ttid at vote, tid when replicated). Not committed.
  virtual std::error_code store_pack_order(Tid pack_id, std::optional<bool> approved, bool partial,
                                           const std::optional<std::vector<Oid>>& oids,
                                           Tid pack_tid) = 0;
  // Signs pack orders; returns the ids that existed here. Not committed.
  virtual Result<std::vector<Tid>> sign_pack_orders(std::span<const Tid> approved,
                                                    std::span<const Tid> rejected) = 0;
  // AskLockInformation: sets the final `tid` of the voted ttrans row (and
  // approves the pack order if `approve_pack`). Not committed.
  virtual std::error_code mark_locked(Tid tid, Tid ttid, bool approve_pack) = 0;
  // mark_locked, then commit (NEO/py's lockTransaction).
  std::error_code lock_transaction(Tid tid, Tid ttid, bool approve_pack) {
    if (std::error_code ec = mark_locked(tid, ttid, approve_pack)) return ec;
    return commit();
  }
  // NotifyUnlockInformation: moves the ttrans row (if `has_trans`, with its
  // pack order if `has_pack`) to trans and the tobj rows (if `has_objects`)
  // to obj with serial `tid`, and releases their data references. Not
  // committed: the caller defers the commit by up to 1 s (defer_commit()).
  virtual std::error_code unlock_transaction(Tid tid, Tid ttid, bool has_trans, bool has_objects,
                                             bool has_pack) = 0;
  // Deletes the tobj/ttrans rows of `ttid` and its pack order. NEO/py leaves
  // the order: unsigned, it stops every later pack from being approved once
  // a master reads it back (neostress found this). Not committed; the caller
  // then releases (with prune) the data it held and commits.
  virtual std::error_code abort_transaction(Tid ttid) = 0;
  // Forgets every unfinished transaction (tobj/ttrans, their pack orders,
  // their data references and data). Commits.
  virtual std::error_code drop_unfinished_data() = 0;
  // Deletes the temporary rows of these partitions (all if nullopt): tobj,
  // ttrans and the pack orders of those ttids.
  virtual std::error_code drop_partitions_temporary(
      std::optional<std::span<const std::uint32_t>> partitions) = 0;
  // AskLockedTransactions: every unfinished ttid -> final tid if locked.
  virtual Result<std::vector<std::pair<Tid, std::optional<Tid>>>> locked_transactions() = 0;
  // The committed tid of `ttid`, if any (needs a readable partition of ttid).
  virtual Result<std::optional<Tid>> final_tid(Tid ttid) = 0;

  // ---- reads ----

  // AskObject: `at` exact serial, else `before` (newest serial < before),
  // else the latest. errc::oid_does_not_exist if the oid has no revision at
  // all, errc::oid_not_found if it has some but not the one asked.
  virtual Result<ObjectRecord> load(Oid oid, std::optional<Tid> at, std::optional<Tid> before) = 0;
  // The latest serial of `oid`, if any.
  virtual Result<std::optional<Tid>> last_object_tid(Oid oid) = 0;
  // The smallest serial of `oid` above `serial`, if any.
  virtual Result<std::optional<Tid>> next_object_tid(Oid oid, Tid serial) = 0;
  // Replication source: the records (without next_serial) of `partition`
  // from (tid, oid) `first` to `last` included, in that order, to `visit`
  // until it returns false; how many it got. non_readable_cell if the
  // partition is not readable.
  using ObjectVisitor = std::function<bool(Oid oid, ObjectRecord&& record)>;
  virtual Result<std::size_t> visit_objects(std::uint32_t partition, std::pair<Tid, Oid> first,
                                            std::pair<Tid, Oid> last,
                                            const ObjectVisitor& visit) = 0;
  // AskLastIDs: greatest tid (objects and transactions) and oid of readable partitions.
  virtual Result<LastIds> last_ids() = 0;
  // Greatest committed TID <= max_tid in readable partitions.
  virtual Result<std::optional<Tid>> last_tid(std::optional<Tid> max_tid) = 0;
  // Smallest committed TID of readable partitions; kMaxTid if none.
  virtual Result<Tid> first_tid() = 0;
  // AskTransactionInformation (and replication): nullopt if unknown. With
  // `include_locked`, also looks in ttrans (by final tid).
  virtual Result<std::optional<TransactionInfo>> transaction(Tid tid, bool include_locked) = 0;
  // AskTIDs: positions [offset, offset+length) of the descending list of TIDs
  // of these partitions (all must be readable).
  virtual Result<std::vector<Tid>> tid_list(std::uint64_t offset, std::uint64_t length,
                                            std::span<const std::uint32_t> partitions) = 0;
  // AskTIDsFrom / AskFetchTransactions: TIDs of `partition` in
  // [min_tid, max_tid], ascending, at most `length` (nullopt: all).
  virtual Result<std::vector<Tid>> replication_tid_list(Tid min_tid, Tid max_tid,
                                                        std::optional<std::uint64_t> length,
                                                        std::uint32_t partition) = 0;
  // AskFetchObjects: (serial, oid) of `partition` from (min_tid, min_oid) to
  // max_tid, ordered by (serial, oid), at most `length` (nullopt: all).
  virtual Result<std::vector<std::pair<Tid, Oid>>> replication_object_list(
      Tid min_tid, Tid max_tid, std::optional<std::uint64_t> length, std::uint32_t partition,
      Oid min_oid) = 0;
  // AskObjectHistory: (serial, data size) newest first, from position
  // `offset`; errc::oid_not_found if that is empty.
  virtual Result<std::vector<protocol::HistoryEntry>> object_history(Oid oid, std::uint64_t offset,
                                                                     std::uint64_t length) = 0;
  // AskObjectUndoSerial for one oid: nullopt if `oid` has no record at
  // `undo_tid`. `ltid`: TIDs visible to the undoing transaction are < ltid;
  // `current_tid`: the serial the undoing transaction already stored, if
  // any. The greatest possible undo serial is returned.
  virtual Result<std::optional<UndoInfo>> find_undo_tid(Oid oid, std::optional<Tid> ltid,
                                                        Tid undo_tid,
                                                        std::optional<Tid> current_tid) = 0;
  // AskOIDsFrom: non-deleted oids of `partition` at `tid`, from min_oid.
  virtual Result<OidsFrom> oids_from(std::uint32_t partition, std::uint64_t length, Oid min_oid,
                                     Tid tid) = 0;
  // AskCheckTIDRange / AskCheckSerialRange digests (length nullopt: no limit).
  virtual Result<TidRangeCheck> check_tid_range(std::uint32_t partition,
                                                std::optional<std::uint64_t> length, Tid min_tid,
                                                Tid max_tid) = 0;
  virtual Result<SerialRangeCheck> check_serial_range(std::uint32_t partition,
                                                      std::optional<std::uint64_t> length,
                                                      Tid min_tid, Tid max_tid, Oid min_oid) = 0;

  // ---- replication, truncation, drop, pack ----

  // Deletes a committed transaction (and its pack order). Not committed.
  virtual std::error_code delete_transaction(Tid tid) = 0;
  // Deletes revisions of `oid` (only `serial` if given), pruning data. Not committed.
  virtual std::error_code delete_object(Oid oid, std::optional<Tid> serial) = 0;
  // Deletes everything after the pending truncate_tid (if any) in own
  // partitions, lowers own OUT_OF_DATE cell tids to it and clears it. Commits.
  virtual std::error_code truncate() = 0;
  // Background drop of a partition, in chunks of `count` object rows:
  // returns true while there is more to do. Not committed.
  virtual Result<bool> drop_partition(std::uint32_t partition, std::uint64_t count) = 0;
  // Pack orders with id >= min_completed whose id is in a readable partition,
  // of committed transactions only (an order without its trans row was left
  // by an aborted transaction, e.g. in a database NEO/py wrote).
  virtual Result<std::vector<protocol::PackOrder>> pack_orders(Tid min_completed) = 0;
  // Own cells' last completed pack ids (only UP_TO_DATE ones if asked).
  virtual Result<std::vector<std::pair<std::uint32_t, Tid>>> packed_ids(bool up_to_date_only) = 0;
  virtual std::error_code set_partition_packed(std::uint32_t partition, Tid pack_id) = 0;
  // Lowers the own cell's completed pack id to the replication source's.
  virtual std::error_code update_completed_pack_by_replication(std::uint32_t partition,
                                                               Tid pack_id) = 0;
  // Packs at most `limit` oids of `partition` from `min_oid` at `pack_tid`.
  // Not committed.
  virtual Result<PackProgress> pack_partition(std::uint32_t partition, Oid min_oid, Tid pack_tid,
                                              std::uint64_t limit) = 0;
  // Partial pack: packs these oids (all of `partition`). Not committed.
  virtual Result<PackProgress> pack_oids(std::uint32_t partition, std::span<const Oid> oids,
                                         Tid pack_tid) = 0;
  // `data` ids referenced by no obj row (repair tool; expensive).
  virtual Result<std::vector<std::uint64_t>> orphan_data_ids() = 0;
  // Prunes these data ids if unreferenced; returns the number deleted. Not committed.
  virtual Result<std::size_t> prune_data(std::span<const std::uint64_t> data_ids) = 0;
};

}  // namespace neo::storage
