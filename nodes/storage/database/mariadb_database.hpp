// Database on a MariaDB (or MySQL) server, compatible with NEO/py's MySQL
// adapter (schema version 4, spec/storage-schema.md 6): the same tables,
// columns, types, keys and indexes (InnoDB, or RocksDB with NEO/py's column
// families), values of 16 MiB or more split into `bigdata` rows, the
// `todel` table, data ids per partition, the exclusive GET_LOCK, so either
// implementation opens the other's database.
//
// Owned by the storage application, used from its io thread only. Failures
// inside are MariaDB errors (mariadb_error_category()) or the neo::errc
// values documented in database.hpp; only open() throws.
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

#include "nodes/storage/database/sql_database.hpp"

namespace neo::storage {

namespace mariadb {
class Connection;
class Row;
}  // namespace mariadb

// The MariaDB error category (server and client error numbers).
const std::error_category& mariadb_error_category() noexcept;

class MariaDbDatabase final : public SqlDatabase {
 public:
  // Values of this size or more go to `bigdata` (MEDIUMBLOB's limit), in
  // chunks of kBigDataChunk bytes; their compression gets kBigDataFlag.
  static constexpr std::size_t kBigDataThreshold = 0x1000000;
  static constexpr std::size_t kBigDataChunk = 0x800000;
  static constexpr std::int64_t kBigDataFlag = 0x80;

  struct Options {
    bool reset = false;    // drop every table first (--reset)
    bool dedup = false;    // a new database gets the unique index on data(hash, compression)
    std::string engine{};  // InnoDB (default) or RocksDB, for new tables
    double wait = 0;       // seconds to retry connecting (-w); < 0: forever
  };

  // Connects to `database` (`[user[:password]@]database[socket]`), takes
  // the exclusive lock, creates the schema or upgrades an older one.
  // Throws DatabaseError: "database is locked", max_allowed_packet too
  // small, unknown engine, cannot connect, newer schema, any server error.
  static std::unique_ptr<MariaDbDatabase> open(std::string_view database, const Options& options);
  static std::unique_ptr<MariaDbDatabase> open(std::string_view database) {
    return open(database, Options{});
  }

  ~MariaDbDatabase() override;

  const std::string& engine() const { return engine_; }
  // The connection's server-side id (tests kill it to check reconnection).
  std::uint64_t connection_id() const;

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
  MariaDbDatabase();

  // Open steps (mariadb_schema.cpp).
  void setup(bool dedup);
  void migrate(std::map<std::string, std::string>& schema);
  void alter_table(std::map<std::string, std::string>& schema, const std::string& table,
                   const std::string& select);
  void erase() override;
  void load_config();
  void load_state();
  void prune_todel();
  std::map<std::string, std::string> schema(bool dedup) const;

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

  // Helpers that throw mariadb::Failure.
  std::vector<mariadb::Row> q(std::string_view sql);
  std::string lit(std::string_view bytes) const;
  std::optional<bool> table_nonempty(std::string_view table) override;
  void insert_rows(const std::string& head, const std::vector<std::string>& rows);
  void store_replicated_object(Tid tid, const ObjectRef& object);
  std::string store_big_data(std::string_view data);
  std::string load_big_data(std::string_view pointer);
  // (tid, compression, hash, value, value_tid) -> ObjectRecord, big data joined.
  ObjectRecord record_of(const mariadb::Row& row);
  PackProgress pack_rows(std::uint32_t partition, const std::string& oid_condition,
                         std::optional<std::uint64_t> limit, Tid pack_tid);

  std::unique_ptr<mariadb::Connection> conn_;
  std::string engine_;
  std::string datadir_;  // the server's, for topology_path()
};

}  // namespace neo::storage
