// The part of the SQL backends (SqliteDatabase, MariaDbDatabase) that does
// not depend on the SQL dialect or the driver (internal to this folder): the
// cached config and partition state, the commit policy, the configuration,
// the changes of the partition table (NEO/py's _changePartitionTable and
// replication resume points), data ids and their reference counts, last
// ids, transaction metadata, check digests, undo lookup, truncation and
// pack bookkeeping (sql_objects.cpp), on a set of statements each backend
// implements with its dialect and its driver. What is left in a backend is
// its SQL, its connection, and what really differs (SQLite's WAL and VFS,
// MariaDB's bigdata chunks, GET_LOCK and reconnection).
//
// Owned by the storage application through a backend, used from its io
// thread only. Statements throw SqlFailure; guard() turns it into the error
// code of the public call (and last_error()).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "nodes/storage/database/database.hpp"
#include "nodes/storage/database/sql_failure.hpp"

namespace neo::storage {

// A row of trans (or ttrans) with the pack row joined to it.
struct SqlTransactionRow {
  std::string oids, user, description, extension;
  bool packed = false;
  Tid ttid{};
  std::optional<bool> partial{};  // set iff a pack row is joined
  std::optional<bool> approved{};
  std::optional<std::string> pack_oids{};
  Tid pack_tid{};
};

// A row of the pack table.
struct SqlPackRow {
  Tid tid{};
  std::optional<bool> approved{};
  bool partial = false;
  std::optional<std::string> oids{};
  Tid pack_tid{};
};

class SqlDatabase : public Database {
 public:
  // Schema version this code writes and reads.
  static constexpr int kVersion = 4;

  // True if the unique index of --dedup exists.
  bool dedup() const { return dedup_; }

  // ---- Database: life cycle and configuration ----
  std::error_code commit() override;
  void defer_commit() override { deferred_commit_ = true; }
  std::error_code commit_deferred() override;
  std::error_code commit_from_time_to_time(double seconds) override;
  std::error_code reset() override;
  const std::string& last_error() const override { return last_error_; }

  std::optional<std::string> config(std::string_view key) const override;
  std::error_code set_config(std::string_view key, std::optional<std::string> value) override;
  std::optional<std::string> name() const override { return config("name"); }
  std::error_code set_name(std::string_view name) override;
  std::optional<NodeId> nid() const override;
  std::error_code set_nid(NodeId nid) override;
  std::optional<std::int64_t> ptid() const override;
  std::optional<std::int64_t> num_replicas() const override;
  std::optional<Tid> backup_tid() const override;
  std::error_code set_backup_tid(std::optional<Tid> tid) override;
  std::optional<Tid> truncate_tid() const override;
  std::error_code set_truncate_tid(std::optional<Tid> tid) override;

  // ---- Database: partition table ----
  std::uint32_t num_partitions() const override { return np_; }
  Result<std::vector<PtRow>> pt_rows() override;
  Result<std::vector<CellRow>> partition_table() override;
  Result<std::vector<std::pair<std::uint32_t, std::int64_t>>> assigned_cells() override;
  bool is_readable_partition(std::uint32_t partition) const override {
    return readable_.count(partition) != 0;
  }
  std::vector<std::uint32_t> readable_partitions() const override {
    return {readable_.begin(), readable_.end()};
  }
  void set_replicating(std::uint32_t partition, bool replicating) override;
  Result<std::vector<std::uint32_t>> change_partition_table(
      std::int64_t ptid, std::int64_t num_replicas, std::span<const protocol::CellChange> cells,
      bool reset, Tid last_pack_id) override;
  std::error_code update_cell_tid(std::uint32_t partition, Tid tid) override;
  Result<std::vector<CellNextTid>> cell_next_tids() override;

  // ---- Database: data, loads, checks, truncation and pack (sql_objects.cpp) ----
  Result<std::optional<std::uint64_t>> store_data(std::string_view checksum, Oid oid,
                                                  std::string_view data, std::int64_t compression,
                                                  std::optional<Tid> data_serial) override;
  Result<std::optional<std::uint64_t>> hold_data(std::string_view checksum, Oid oid,
                                                 std::string_view data, std::int64_t compression,
                                                 std::optional<Tid> data_serial) override;
  std::error_code release_data(std::span<const std::uint64_t> data_ids, bool prune) override;
  Result<std::size_t> prune_data(std::span<const std::uint64_t> data_ids) override;
  std::error_code drop_unfinished_data() override;
  Result<std::vector<Tid>> sign_pack_orders(std::span<const Tid> approved,
                                            std::span<const Tid> rejected) override;
  Result<std::optional<Tid>> next_object_tid(Oid oid, Tid serial) override;
  Result<LastIds> last_ids() override;
  Result<std::optional<Tid>> last_tid(std::optional<Tid> max_tid) override;
  Result<Tid> first_tid() override;
  Result<std::optional<TransactionInfo>> transaction(Tid tid, bool include_locked) override;
  Result<std::vector<Tid>> replication_tid_list(Tid min_tid, Tid max_tid,
                                                std::optional<std::uint64_t> length,
                                                std::uint32_t partition) override;
  Result<std::optional<UndoInfo>> find_undo_tid(Oid oid, std::optional<Tid> ltid, Tid undo_tid,
                                                std::optional<Tid> current_tid) override;
  Result<TidRangeCheck> check_tid_range(std::uint32_t partition,
                                        std::optional<std::uint64_t> length, Tid min_tid,
                                        Tid max_tid) override;
  Result<SerialRangeCheck> check_serial_range(std::uint32_t partition,
                                              std::optional<std::uint64_t> length, Tid min_tid,
                                              Tid max_tid, Oid min_oid) override;
  std::error_code truncate() override;
  Result<std::vector<protocol::PackOrder>> pack_orders(Tid min_completed) override;
  std::error_code set_partition_packed(std::uint32_t partition, Tid pack_id) override;
  std::error_code update_completed_pack_by_replication(std::uint32_t partition,
                                                       Tid pack_id) override;

 protected:
  SqlDatabase() = default;

  // Runs `body`, turning a SqlFailure into an error code (and last_error_).
  // `body` returns the value of the Result, or void (sql_guard.hpp).
  template <class F>
  auto guard(F&& body);

  // Helpers that throw SqlFailure.
  void do_commit();
  void do_set_config(std::string_view key, std::optional<std::string> value);
  std::uint32_t partition_of(std::uint64_t id) const;           // else not_ready
  std::uint32_t readable_partition_of(std::uint64_t id) const;  // else non_readable_cell
  std::uint32_t readable(std::uint32_t partition) const;        // else non_readable_cell
  // A row of pt to write: without tid, the cell goes.
  struct PtChange {
    std::uint32_t partition;
    NodeId nid;
    std::optional<std::int64_t> tid;
    std::optional<std::uint64_t> pack;
  };
  // NEO/py's _changePartitionTable: a cell without tid is deleted; an
  // existing cell only gets its tid updated; with `reset`, unlisted cells go.
  void change_pt(const std::vector<PtChange>& cells, bool reset);
  // Reloads np_, next_data_id_ (if np changed or `recompute_partitions`)
  // and readable_ from the tables.
  void update_readable(bool recompute_partitions);
  std::int64_t out_of_date_tid(std::uint32_t partition, std::int64_t previous,
                               std::uint64_t backup_tid);
  // Open: the config's schema version (0 if none); DatabaseError if it is
  // invalid or newer than kVersion.
  int schema_version() const;
  // Upgrade to schema version 1: DatabaseError if ttrans or tobj has rows.
  void check_no_unfinished_transactions();
  // Open: every config value this code reads must parse; else DatabaseError.
  void check_config() const;
  // topology_path() of a database whose files are at `path`.
  static Result<std::pair<std::string, std::string>> host_and_device(const std::string& path);
  // Stores a value (or, for an undo, finds the one of `data_serial`); its
  // data id, nullopt for a deletion.
  std::optional<std::uint64_t> do_store_data(std::string_view checksum, Oid oid,
                                             std::string_view data, std::int64_t compression,
                                             std::optional<Tid> data_serial);
  // Deletes the data rows of `data_ids` that nothing references; how many.
  std::size_t do_prune_data(std::span<const std::uint64_t> data_ids);
  // Drops references held by hold_data().
  void do_release_data(std::span<const std::uint64_t> data_ids);
  // pt.pack of the own cell of `partition`; else invalid_argument.
  std::int64_t partition_packed(std::uint32_t partition);

  // ---- statements, in each backend's dialect (they throw SqlFailure) ----
  virtual bool is_open() const = 0;
  // Whether `table` has rows; nullopt if it does not exist.
  virtual std::optional<bool> table_nonempty(std::string_view table) = 0;
  // Commits the connection's transaction (do_commit() does the rest).
  virtual void commit_connection() = 0;
  // Drops every table and recreates the schema (reset()).
  virtual void erase() = 0;
  // Writes (value) or deletes (nullopt) a row of the config table.
  virtual void write_config(std::string_view key, const std::optional<std::string>& value) = 0;
  // The pt table, by partition and nid.
  virtual std::vector<PtRow> read_pt() = 0;
  // Inserts the cell, or sets the tid of an existing one (cell.tid is set).
  virtual void write_cell(const PtChange& cell) = 0;
  virtual void delete_cell(std::uint32_t partition, std::int32_t nid) = 0;
  // MAX(pt.partition); MAX(data.id) in [low, high); the (partition, tid)
  // of the cells of `nid`.
  virtual std::optional<std::int64_t> max_partition() = 0;
  virtual std::optional<std::uint64_t> max_data_id(std::uint64_t low, std::uint64_t high) = 0;
  virtual std::vector<std::pair<std::uint32_t, std::int64_t>> cells_of(NodeId nid) = 0;
  // The greatest trans.tid of a partition (<= max_tid if given); -1 if none.
  virtual std::int64_t partition_last_tid(std::uint32_t partition, std::optional<Tid> max_tid) = 0;
  // (greatest object serial, greatest oid) of a partition; -1 when empty.
  virtual std::pair<std::int64_t, std::int64_t> partition_last_ids(std::uint32_t partition) = 0;
  // MIN(trans.tid) of a partition.
  virtual std::optional<Tid> partition_first_tid(std::uint32_t partition) = 0;
  // The next serial of `oid` after `serial`.
  virtual std::optional<Tid> next_serial(std::uint32_t partition, Oid oid, Tid serial) = 0;

  // obj.data_id of (oid, serial): nullopt if there is no such row (inside:
  // nullopt for a deletion).
  virtual std::optional<std::optional<std::uint64_t>> undo_data_id(std::uint32_t partition, Oid oid,
                                                                   Tid serial) = 0;
  // Inserts a data row with the partition's next data id (or, with --dedup,
  // finds the same value already stored); its id.
  virtual std::uint64_t insert_data(std::uint32_t partition, std::string_view checksum,
                                    std::string_view data, std::int64_t compression) = 0;
  // Deletes the data rows of `candidates` that no obj row references; how many.
  virtual std::size_t delete_unused_data(std::set<std::uint64_t> candidates) = 0;
  // The data ids tobj references.
  virtual std::vector<std::uint64_t> temporary_data_ids() = 0;
  // The pack.tid values `where` selects; sets pack.approved = `approved` there.
  virtual std::vector<Tid> pack_tids(const std::string& where) = 0;
  virtual void approve_packs(const std::string& approved, const std::string& where) = 0;

  // A trans (or, if none and `include_locked`, ttrans) row with its pack row.
  virtual std::optional<SqlTransactionRow> transaction_row(std::uint32_t partition, Tid tid,
                                                           bool include_locked) = 0;
  // trans.tid in [min_tid, max_tid] of a partition, ascending, `length` at most.
  virtual std::vector<std::uint64_t> trans_tids(std::uint32_t partition, Tid min_tid, Tid max_tid,
                                                std::optional<std::uint64_t> length) = 0;
  // (tid, oid) of obj from (min_tid, min_oid) to max_tid, ascending, `length` at most.
  virtual std::vector<std::pair<std::uint64_t, std::uint64_t>> serial_range(
      std::uint32_t partition, std::optional<std::uint64_t> length, Tid min_tid, Tid max_tid,
      Oid min_oid) = 0;
  // The two greatest serials of `oid` <= undo_tid, descending; then its
  // (serial, value_tid) after undo_tid, ascending.
  virtual std::vector<Tid> undo_serials(std::uint32_t partition, Oid oid, Tid undo_tid) = 0;
  virtual std::vector<std::pair<Tid, std::optional<Tid>>> later_serials(std::uint32_t partition,
                                                                        Oid oid, Tid tid) = 0;
  // Deletes the transactions (and pack orders) and objects of a partition
  // in (min_tid, max_tid], then prunes their data.
  virtual void delete_range(std::uint32_t partition, std::optional<Tid> min_tid,
                            std::optional<Tid> max_tid) = 0;

  // Pack orders from `min_completed` of the readable partitions, by tid.
  virtual std::vector<SqlPackRow> pack_order_rows(Tid min_completed) = 0;
  // pt.pack of a cell (nullopt: no cell or NULL); sets it.
  virtual std::optional<std::int64_t> cell_pack(std::uint32_t partition, NodeId nid) = 0;
  virtual void write_cell_pack(std::uint32_t partition, NodeId nid, Tid pack_id) = 0;

  bool dedup_ = false;
  std::map<std::string, std::string, std::less<>> config_;  // the config table
  std::uint32_t np_ = 0;
  std::set<std::uint32_t> readable_;
  std::vector<std::uint64_t> next_data_id_;  // per partition
  // Data ids referenced by transactions not committed yet -> reference count.
  std::unordered_map<std::uint64_t, std::int64_t> uncommitted_data_;
  bool deferred_commit_ = false;
  std::chrono::steady_clock::time_point last_commit_{};
  mutable std::string last_error_;
};

}  // namespace neo::storage
