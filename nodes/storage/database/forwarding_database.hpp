// nodes/storage/database/forwarding_database.hpp
// A Database that passes every call to another one it owns: the base of
// backends that wrap a real one (the Importer serves a FileStorage on top of
// its destination database) and override only what they change. Same
// threading as the wrapped database.
#pragma once

#include <memory>
#include <utility>

#include "nodes/storage/database/database.hpp"

namespace neo::storage {

class ForwardingDatabase : public Database {
 public:
  explicit ForwardingDatabase(std::unique_ptr<Database> db) : db_(std::move(db)) {}
  Database& wrapped() { return *db_; }

  std::error_code commit() override { return db_->commit(); }
  std::error_code commit_unsynced() override { return db_->commit_unsynced(); }
  void defer_commit() override { db_->defer_commit(); }
  std::error_code commit_deferred() override { return db_->commit_deferred(); }
  std::error_code commit_from_time_to_time(double seconds) override {
    return db_->commit_from_time_to_time(seconds);
  }
  std::error_code reset() override { return db_->reset(); }
  std::error_code close() override { return db_->close(); }
  void crash() override { db_->crash(); }
  const std::string& last_error() const override { return db_->last_error(); }
  Result<std::pair<std::string, std::string>> topology_path() const override {
    return db_->topology_path();
  }
  std::optional<std::string> config(std::string_view key) const override {
    return db_->config(key);
  }
  std::error_code set_config(std::string_view key, std::optional<std::string> value) override {
    return db_->set_config(key, value);
  }
  std::optional<std::string> name() const override { return db_->name(); }
  std::error_code set_name(std::string_view name) override { return db_->set_name(name); }
  std::optional<NodeId> nid() const override { return db_->nid(); }
  std::error_code set_nid(NodeId nid) override { return db_->set_nid(nid); }
  std::optional<std::int64_t> ptid() const override { return db_->ptid(); }
  std::optional<std::int64_t> num_replicas() const override { return db_->num_replicas(); }
  std::optional<Tid> backup_tid() const override { return db_->backup_tid(); }
  std::error_code set_backup_tid(std::optional<Tid> tid) override {
    return db_->set_backup_tid(tid);
  }
  std::optional<Tid> truncate_tid() const override { return db_->truncate_tid(); }
  std::error_code set_truncate_tid(std::optional<Tid> tid) override {
    return db_->set_truncate_tid(tid);
  }
  std::uint32_t num_partitions() const override { return db_->num_partitions(); }
  Result<std::vector<PtRow>> pt_rows() override { return db_->pt_rows(); }
  Result<std::vector<CellRow>> partition_table() override { return db_->partition_table(); }
  Result<std::vector<std::pair<std::uint32_t, std::int64_t>>> assigned_cells() override {
    return db_->assigned_cells();
  }
  bool is_readable_partition(std::uint32_t partition) const override {
    return db_->is_readable_partition(partition);
  }
  std::vector<std::uint32_t> readable_partitions() const override {
    return db_->readable_partitions();
  }
  void set_replicating(std::uint32_t partition, bool replicating) override {
    db_->set_replicating(partition, replicating);
  }
  Result<std::vector<std::uint32_t>> change_partition_table(
      std::int64_t ptid, std::int64_t num_replicas, std::span<const protocol::CellChange> cells,
      bool reset, Tid last_pack_id) override {
    return db_->change_partition_table(ptid, num_replicas, cells, reset, last_pack_id);
  }
  std::error_code update_cell_tid(std::uint32_t partition, Tid tid) override {
    return db_->update_cell_tid(partition, tid);
  }
  Result<std::vector<CellNextTid>> cell_next_tids() override { return db_->cell_next_tids(); }
  Result<std::optional<std::uint64_t>> store_data(std::string_view checksum, Oid oid,
                                                  std::string_view data, std::int64_t compression,
                                                  std::optional<Tid> data_serial) override {
    return db_->store_data(checksum, oid, data, compression, data_serial);
  }
  Result<std::optional<std::uint64_t>> hold_data(std::string_view checksum, Oid oid,
                                                 std::string_view data, std::int64_t compression,
                                                 std::optional<Tid> data_serial) override {
    return db_->hold_data(checksum, oid, data, compression, data_serial);
  }
  std::error_code release_data(std::span<const std::uint64_t> data_ids, bool prune) override {
    return db_->release_data(data_ids, prune);
  }
  Result<DataRecord> load_data(std::uint64_t data_id) override { return db_->load_data(data_id); }
  std::error_code store_transaction(Tid tid, std::span<const ObjectRef> objects,
                                    const TransactionMeta* meta, bool temporary) override {
    return db_->store_transaction(tid, objects, meta, temporary);
  }
  std::error_code store_pack_order(Tid pack_id, std::optional<bool> approved, bool partial,
                                   const std::optional<std::vector<Oid>>& oids,
                                   Tid pack_tid) override {
    return db_->store_pack_order(pack_id, approved, partial, oids, pack_tid);
  }
  Result<std::vector<Tid>> sign_pack_orders(std::span<const Tid> approved,
                                            std::span<const Tid> rejected) override {
    return db_->sign_pack_orders(approved, rejected);
  }
  std::error_code mark_locked(Tid tid, Tid ttid, bool approve_pack) override {
    return db_->mark_locked(tid, ttid, approve_pack);
  }
  std::error_code unlock_transaction(Tid tid, Tid ttid, bool has_trans, bool has_objects,
                                     bool has_pack) override {
    return db_->unlock_transaction(tid, ttid, has_trans, has_objects, has_pack);
  }
  std::error_code abort_transaction(Tid ttid) override { return db_->abort_transaction(ttid); }
  std::error_code drop_unfinished_data() override { return db_->drop_unfinished_data(); }
  std::error_code drop_partitions_temporary(
      std::optional<std::span<const std::uint32_t>> partitions) override {
    return db_->drop_partitions_temporary(partitions);
  }
  Result<std::vector<std::pair<Tid, std::optional<Tid>>>> locked_transactions() override {
    return db_->locked_transactions();
  }
  Result<std::optional<Tid>> final_tid(Tid ttid) override { return db_->final_tid(ttid); }
  Result<ObjectRecord> load(Oid oid, std::optional<Tid> at, std::optional<Tid> before) override {
    return db_->load(oid, at, before);
  }
  Result<std::optional<Tid>> last_object_tid(Oid oid) override { return db_->last_object_tid(oid); }
  Result<std::optional<Tid>> next_object_tid(Oid oid, Tid serial) override {
    return db_->next_object_tid(oid, serial);
  }
  Result<std::size_t> visit_objects(std::uint32_t partition, std::pair<Tid, Oid> first,
                                    std::pair<Tid, Oid> last, const ObjectVisitor& visit) override {
    return db_->visit_objects(partition, first, last, visit);
  }
  Result<LastIds> last_ids() override { return db_->last_ids(); }
  Result<std::optional<Tid>> last_tid(std::optional<Tid> max_tid) override {
    return db_->last_tid(max_tid);
  }
  Result<Tid> first_tid() override { return db_->first_tid(); }
  Result<std::optional<TransactionInfo>> transaction(Tid tid, bool include_locked) override {
    return db_->transaction(tid, include_locked);
  }
  Result<std::vector<Tid>> tid_list(std::uint64_t offset, std::uint64_t length,
                                    std::span<const std::uint32_t> partitions) override {
    return db_->tid_list(offset, length, partitions);
  }
  Result<std::vector<Tid>> replication_tid_list(Tid min_tid, Tid max_tid,
                                                std::optional<std::uint64_t> length,
                                                std::uint32_t partition) override {
    return db_->replication_tid_list(min_tid, max_tid, length, partition);
  }
  Result<std::vector<std::pair<Tid, Oid>>> replication_object_list(
      Tid min_tid, Tid max_tid, std::optional<std::uint64_t> length, std::uint32_t partition,
      Oid min_oid) override {
    return db_->replication_object_list(min_tid, max_tid, length, partition, min_oid);
  }
  Result<std::vector<protocol::HistoryEntry>> object_history(Oid oid, std::uint64_t offset,
                                                             std::uint64_t length) override {
    return db_->object_history(oid, offset, length);
  }
  Result<std::optional<UndoInfo>> find_undo_tid(Oid oid, std::optional<Tid> ltid, Tid undo_tid,
                                                std::optional<Tid> current_tid) override {
    return db_->find_undo_tid(oid, ltid, undo_tid, current_tid);
  }
  Result<OidsFrom> oids_from(std::uint32_t partition, std::uint64_t length, Oid min_oid,
                             Tid tid) override {
    return db_->oids_from(partition, length, min_oid, tid);
  }
  Result<TidRangeCheck> check_tid_range(std::uint32_t partition,
                                        std::optional<std::uint64_t> length, Tid min_tid,
                                        Tid max_tid) override {
    return db_->check_tid_range(partition, length, min_tid, max_tid);
  }
  Result<SerialRangeCheck> check_serial_range(std::uint32_t partition,
                                              std::optional<std::uint64_t> length, Tid min_tid,
                                              Tid max_tid, Oid min_oid) override {
    return db_->check_serial_range(partition, length, min_tid, max_tid, min_oid);
  }
  std::error_code delete_transaction(Tid tid) override { return db_->delete_transaction(tid); }
  std::error_code delete_object(Oid oid, std::optional<Tid> serial) override {
    return db_->delete_object(oid, serial);
  }
  std::error_code truncate() override { return db_->truncate(); }
  Result<bool> drop_partition(std::uint32_t partition, std::uint64_t count) override {
    return db_->drop_partition(partition, count);
  }
  Result<std::vector<protocol::PackOrder>> pack_orders(Tid min_completed) override {
    return db_->pack_orders(min_completed);
  }
  Result<std::vector<std::pair<std::uint32_t, Tid>>> packed_ids(bool up_to_date_only) override {
    return db_->packed_ids(up_to_date_only);
  }
  std::error_code set_partition_packed(std::uint32_t partition, Tid pack_id) override {
    return db_->set_partition_packed(partition, pack_id);
  }
  std::error_code update_completed_pack_by_replication(std::uint32_t partition,
                                                       Tid pack_id) override {
    return db_->update_completed_pack_by_replication(partition, pack_id);
  }
  Result<PackProgress> pack_partition(std::uint32_t partition, Oid min_oid, Tid pack_tid,
                                      std::uint64_t limit) override {
    return db_->pack_partition(partition, min_oid, pack_tid, limit);
  }
  Result<PackProgress> pack_oids(std::uint32_t partition, std::span<const Oid> oids,
                                 Tid pack_tid) override {
    return db_->pack_oids(partition, oids, pack_tid);
  }
  Result<std::vector<std::uint64_t>> orphan_data_ids() override { return db_->orphan_data_ids(); }
  Result<std::size_t> prune_data(std::span<const std::uint64_t> data_ids) override {
    return db_->prune_data(data_ids);
  }

 protected:
  std::unique_ptr<Database> db_;
};

}  // namespace neo::storage
