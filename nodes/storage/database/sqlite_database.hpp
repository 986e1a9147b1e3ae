// Database on SQLite, file-compatible with NEO/py's SQLite adapter (schema
// version 4, spec/storage-schema.md): same tables, columns, keys and
// indexes, same id and data-id rules, same lock, so either implementation
// opens the other's files.
//
// Owned by the storage application, used from its io thread only. Failures
// inside are SQLite errors (sqlite_category(), extended result codes) or the
// neo::errc values documented in database.hpp; only open() throws.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "nodes/storage/database/file_lock.hpp"
#include "nodes/storage/database/sql_database.hpp"

namespace neo::storage {

namespace sqlite {
class Checkpointer;
class Connection;
class Query;
}  // namespace sqlite

// The SQLite error category (for tests and logs).
const std::error_category& sqlite_error_category() noexcept;

class SqliteDatabase final : public SqlDatabase {
 public:
  struct Options {
    bool reset = false;  // drop every table first (--reset)
    bool dedup = false;  // create the unique index on data(hash, compression)
    bool lock = true;    // take the file lock (false: a second, read-only use)
  };

  // What a connection string says (NEO/py's syntax): a path, `~` expanded,
  // or a `file:` URI whose path is used as is and whose query may set the
  // pragmas cache_size, journal_mode, synchronous and cksumvfs=0|1.
  struct Target {
    std::string path;
    std::vector<std::pair<std::string, std::string>> pragmas;  // in query order
    bool cksumvfs = false;
  };
  // Throws DatabaseError for a malformed or unsupported query.
  static Target parse_target(std::string_view database);

  // Opens (creating if needed) the database, locks its file, creates the
  // schema on a new database or upgrades an older one (versions 0 to 3).
  // Throws DatabaseError: "database is locked" if another storage holds it,
  // a newer schema ("can not be downgraded"), cksumvfs=1 (unsupported), an
  // upgrade blocked by unfinished transactions, or any SQLite failure.
  static std::unique_ptr<SqliteDatabase> open(std::string_view database, const Options& options);
  static std::unique_ptr<SqliteDatabase> open(std::string_view database) {
    return open(database, Options{});
  }

  ~SqliteDatabase() override;

  const std::string& path() const { return path_; }

  // ---- Database ----
  std::error_code commit_unsynced() override;
  std::error_code close() override;
  void crash() override;
  Result<std::pair<std::string, std::string>> topology_path() const override;

  Result<DataRecord> load_data(std::uint64_t data_id) override;
  std::error_code store_transaction(Tid tid, std::span<const ObjectRef> objects,
                                    const TransactionMeta* meta, bool temporary) override;
  std::error_code store_pack_order(Tid pack_id, std::optional<bool> approved, bool partial,
                                   const std::optional<std::vector<Oid>>& oids,
                                   Tid pack_tid) override;
  std::error_code mark_locked(Tid tid, Tid ttid, bool approve_pack) override;
  std::error_code unlock_transaction(Tid tid, Tid ttid, bool has_trans, bool has_objects,
                                     bool has_pack) override;
  std::error_code abort_transaction(Tid ttid) override;
  std::error_code drop_partitions_temporary(
      std::optional<std::span<const std::uint32_t>> partitions) override;
  Result<std::vector<std::pair<Tid, std::optional<Tid>>>> locked_transactions() override;
  Result<std::optional<Tid>> final_tid(Tid ttid) override;

  Result<ObjectRecord> load(Oid oid, std::optional<Tid> at, std::optional<Tid> before) override;
  Result<std::optional<Tid>> last_object_tid(Oid oid) override;
  Result<std::size_t> visit_objects(std::uint32_t partition, std::pair<Tid, Oid> first,
                                    std::pair<Tid, Oid> last, const ObjectVisitor& visit) override;
  Result<std::vector<Tid>> tid_list(std::uint64_t offset, std::uint64_t length,
                                    std::span<const std::uint32_t> partitions) override;
  Result<std::vector<std::pair<Tid, Oid>>> replication_object_list(
      Tid min_tid, Tid max_tid, std::optional<std::uint64_t> length, std::uint32_t partition,
      Oid min_oid) override;
  Result<std::vector<protocol::HistoryEntry>> object_history(Oid oid, std::uint64_t offset,
                                                             std::uint64_t length) override;
  Result<OidsFrom> oids_from(std::uint32_t partition, std::uint64_t length, Oid min_oid,
                             Tid tid) override;

  std::error_code delete_transaction(Tid tid) override;
  std::error_code delete_object(Oid oid, std::optional<Tid> serial) override;
  Result<bool> drop_partition(std::uint32_t partition, std::uint64_t count) override;
  Result<std::vector<std::pair<std::uint32_t, Tid>>> packed_ids(bool up_to_date_only) override;
  Result<PackProgress> pack_partition(std::uint32_t partition, Oid min_oid, Tid pack_tid,
                                      std::uint64_t limit) override;
  Result<PackProgress> pack_oids(std::uint32_t partition, std::span<const Oid> oids,
                                 Tid pack_tid) override;
  Result<std::vector<std::uint64_t>> orphan_data_ids() override;

 private:
  SqliteDatabase();

  // Open steps (sqlite_schema.cpp).
  void setup(bool dedup);
  void migrate();
  void alter_table(std::string_view table, const std::string& create_new, std::string_view select);
  void erase() override;
  void load_config();
  void load_state();

  // ---- statements of SqlDatabase ----
  bool is_open() const override { return conn_ != nullptr; }
  void commit_connection() override;
  void write_config(std::string_view key, const std::optional<std::string>& value) override;
  std::vector<PtRow> read_pt() override;
  void write_cell(const PtChange& cell) override;
  void delete_cell(std::uint32_t partition, std::int32_t nid) override;
  std::optional<std::int64_t> max_partition() override;
  std::optional<std::uint64_t> max_data_id(std::uint64_t low, std::uint64_t high) override;
  std::vector<std::pair<std::uint32_t, std::int64_t>> cells_of(NodeId nid) override;
  std::int64_t partition_last_tid(std::uint32_t partition, std::optional<Tid> max_tid) override;
  std::pair<std::int64_t, std::int64_t> partition_last_ids(std::uint32_t partition) override;
  std::optional<Tid> partition_first_tid(std::uint32_t partition) override;
  std::optional<Tid> next_serial(std::uint32_t partition, Oid oid, Tid serial) override;
  std::optional<std::optional<std::uint64_t>> undo_data_id(std::uint32_t partition, Oid oid,
                                                           Tid serial) override;
  std::uint64_t insert_data(std::uint32_t partition, std::string_view checksum,
                            std::string_view data, std::int64_t compression) override;
  std::size_t delete_unused_data(std::set<std::uint64_t> candidates) override;
  std::vector<std::uint64_t> temporary_data_ids() override;
  std::vector<Tid> pack_tids(const std::string& where) override;
  void approve_packs(const std::string& approved, const std::string& where) override;
  std::optional<SqlTransactionRow> transaction_row(std::uint32_t partition, Tid tid,
                                                   bool include_locked) override;
  std::vector<std::uint64_t> trans_tids(std::uint32_t partition, Tid min_tid, Tid max_tid,
                                        std::optional<std::uint64_t> length) override;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> serial_range(
      std::uint32_t partition, std::optional<std::uint64_t> length, Tid min_tid, Tid max_tid,
      Oid min_oid) override;
  std::vector<Tid> undo_serials(std::uint32_t partition, Oid oid, Tid undo_tid) override;
  std::vector<std::pair<Tid, std::optional<Tid>>> later_serials(std::uint32_t partition, Oid oid,
                                                                Tid tid) override;
  void delete_range(std::uint32_t partition, std::optional<Tid> min_tid,
                    std::optional<Tid> max_tid) override;
  std::vector<SqlPackRow> pack_order_rows(Tid min_completed) override;
  std::optional<std::int64_t> cell_pack(std::uint32_t partition, NodeId nid) override;
  void write_cell_pack(std::uint32_t partition, NodeId nid, Tid pack_id) override;

  // Helpers that throw sqlite::Failure.
  sqlite::Query write(std::string_view sql);  // begins a transaction
  bool table_exists(std::string_view table);
  std::optional<bool> table_nonempty(std::string_view table) override;
  // fdatasync(2) of the WAL file after unsynced commits (commit_unsynced).
  void sync_wal_file();
  std::optional<ObjectRecord> fetch_one(sqlite::Query& query);
  static ObjectRecord record_of(const sqlite::Query& query);
  bool in_wal_mode();
  PackProgress pack_rows(std::uint32_t partition, const std::string& oid_condition,
                         std::optional<std::uint64_t> limit, Tid pack_tid);

  std::unique_ptr<sqlite::Connection> conn_;
  std::unique_ptr<sqlite::Checkpointer> checkpointer_;  // WAL: before conn_ goes
  FileLock lock_;
  std::string path_;
  bool batched_wal_ = false;   // WAL syncs go through sqlite::wal_batch_vfs()
  bool wal_unsynced_ = false;  // commits since the WAL file's last sync
};

}  // namespace neo::storage
