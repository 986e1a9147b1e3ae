// The part of the SQL backends (SqliteDatabase, MariaDbDatabase) that does
// not depend on the SQL dialect or the driver (internal to this folder): the
// cached config and partition state, the commit policy, the configuration,
// the changes of the partition table (NEO/py's _changePartitionTable and
// replication resume points), on a small set of statements each backend
// implements with its dialect and its driver.
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

  // ---- statements, in each backend's dialect (they throw SqlFailure) ----
  virtual bool is_open() const = 0;
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
