// SqlDatabase: data reference counts, last ids, transaction metadata,
// checks, undo lookup, truncation and pack bookkeeping.
#include <algorithm>

#include "nodes/storage/database/database_logic.hpp"
#include "nodes/storage/database/sql_database.hpp"
#include "nodes/storage/database/sql_guard.hpp"

namespace neo::storage {

// ---- data ----

Result<std::optional<std::uint64_t>> SqlDatabase::store_data(std::string_view checksum, Oid oid,
                                                             std::string_view data,
                                                             std::int64_t compression,
                                                             std::optional<Tid> data_serial) {
  return guard([&] { return do_store_data(checksum, oid, data, compression, data_serial); });
}

Result<std::optional<std::uint64_t>> SqlDatabase::hold_data(std::string_view checksum, Oid oid,
                                                            std::string_view data,
                                                            std::int64_t compression,
                                                            std::optional<Tid> data_serial) {
  return guard([&] {
    auto id = do_store_data(checksum, oid, data, compression, data_serial);
    if (id) ++uncommitted_data_[*id];
    return id;
  });
}

std::optional<std::uint64_t> SqlDatabase::do_store_data(std::string_view checksum, Oid oid,
                                                        std::string_view data,
                                                        std::int64_t compression,
                                                        std::optional<Tid> data_serial) {
  const std::uint32_t partition = partition_of(oid.value);
  if (data_serial) {
    // Undo: share the data of the undone-to revision.
    if (auto found = undo_data_id(partition, oid, *data_serial)) return *found;
    if (readable_.count(partition)) {
      sql_fail(make_error_code(errc::undo_pack_error),
               "no record " + to_string(oid) + " at " + to_string(*data_serial) + " to undo to");
    }
  }
  if (checksum.empty()) return std::nullopt;  // deletion
  return insert_data(partition, checksum, data, compression);
}

std::size_t SqlDatabase::do_prune_data(std::span<const std::uint64_t> data_ids) {
  std::set<std::uint64_t> candidates;
  for (std::uint64_t id : data_ids) {
    if (!uncommitted_data_.count(id)) candidates.insert(id);
  }
  if (candidates.empty()) return 0;
  return delete_unused_data(std::move(candidates));
}

void SqlDatabase::do_release_data(std::span<const std::uint64_t> data_ids) {
  for (std::uint64_t id : data_ids) {
    auto it = uncommitted_data_.find(id);
    if (it != uncommitted_data_.end() && --it->second <= 0) uncommitted_data_.erase(it);
  }
}

std::error_code SqlDatabase::release_data(std::span<const std::uint64_t> data_ids, bool prune) {
  return guard([&] {
    do_release_data(data_ids);
    if (prune) do_prune_data(data_ids);
  });
}

Result<std::size_t> SqlDatabase::prune_data(std::span<const std::uint64_t> data_ids) {
  return guard([&] { return do_prune_data(data_ids); });
}

std::error_code SqlDatabase::drop_unfinished_data() {
  return guard([&] {
    const std::vector<std::uint64_t> data_ids = temporary_data_ids();
    if (auto ec = drop_partitions_temporary(std::nullopt)) sql_fail(ec, last_error_);
    do_release_data(data_ids);
    do_prune_data(data_ids);
    do_commit();
  });
}

Result<std::vector<Tid>> SqlDatabase::sign_pack_orders(std::span<const Tid> approved,
                                                       std::span<const Tid> rejected) {
  return guard([&] {
    auto in = [](std::span<const Tid> tids) -> std::string {
      if (tids.empty()) return "0";
      std::string list;
      for (Tid tid : tids) list += (list.empty() ? "" : ",") + std::to_string(tid.value);
      return "tid IN (" + list + ")";
    };
    const std::string where = " WHERE " + in(approved) + " OR " + in(rejected);
    std::vector<Tid> changed = pack_tids(where);
    if (!changed.empty()) approve_packs(in(approved), where);
    return changed;
  });
}

// ---- loads ----

Result<std::optional<Tid>> SqlDatabase::next_object_tid(Oid oid, Tid serial) {
  return guard([&] { return next_serial(readable_partition_of(oid.value), oid, serial); });
}

Result<std::optional<Tid>> SqlDatabase::last_tid(std::optional<Tid> max_tid) {
  return guard([&]() -> std::optional<Tid> {
    std::int64_t last = -1;
    for (std::uint32_t p : readable_) last = std::max(last, partition_last_tid(p, max_tid));
    if (last < 0) return std::nullopt;
    return Tid{static_cast<std::uint64_t>(last)};
  });
}

Result<LastIds> SqlDatabase::last_ids() {
  return guard([&] {
    LastIds ids;
    if (readable_.empty()) return ids;
    std::int64_t tid = -1, oid = -1, trans_tid = -1;
    for (std::uint32_t p : readable_) {
      const auto [t, o] = partition_last_ids(p);
      tid = std::max(tid, t);
      oid = std::max(oid, o);
      trans_tid = std::max(trans_tid, partition_last_tid(p, std::nullopt));
    }
    tid = std::max(tid, trans_tid);
    if (tid >= 0) ids.tid = Tid{static_cast<std::uint64_t>(tid)};
    if (oid >= 0) ids.oid = Oid{static_cast<std::uint64_t>(oid)};
    return ids;
  });
}

Result<Tid> SqlDatabase::first_tid() {
  return guard([&] {
    Tid first = kMaxTid;
    for (std::uint32_t p : readable_) {
      if (auto tid = partition_first_tid(p)) first = std::min(first, *tid);
    }
    return first;
  });
}

Result<std::optional<TransactionInfo>> SqlDatabase::transaction(Tid tid, bool include_locked) {
  return guard([&]() -> std::optional<TransactionInfo> {
    auto row = transaction_row(readable_partition_of(tid.value), tid, include_locked);
    if (!row) return std::nullopt;
    auto split = [&](const std::string& column) {
      auto oids = split_oids(column);
      if (!oids) {
        sql_fail(
            make_error_code(errc::corrupted_record),
            "invalid oids length for tid " + dump_tid(tid) + ": " + std::to_string(column.size()));
      }
      return std::move(*oids);
    };
    TransactionInfo info;
    info.meta.oids = split(row->oids);
    info.meta.user = std::move(row->user);
    info.meta.description = std::move(row->description);
    info.meta.extension = std::move(row->extension);
    info.meta.packed = row->packed;
    info.meta.ttid = row->ttid;
    if (row->partial) {
      protocol::TransactionPack pack;
      pack.approved = row->approved;
      pack.partial = *row->partial;
      if (row->pack_oids) pack.oids = split(*row->pack_oids);
      pack.pack_tid = row->pack_tid;
      info.pack = std::move(pack);
    }
    return info;
  });
}

// ---- replication and checks (protocol.md 8.8) ----

Result<std::vector<Tid>> SqlDatabase::replication_tid_list(Tid min_tid, Tid max_tid,
                                                           std::optional<std::uint64_t> length,
                                                           std::uint32_t partition) {
  return guard([&] {
    std::vector<Tid> tids;
    for (std::uint64_t tid : trans_tids(partition, min_tid, max_tid, length)) {
      tids.push_back(Tid{tid});
    }
    return tids;
  });
}

Result<TidRangeCheck> SqlDatabase::check_tid_range(std::uint32_t partition,
                                                   std::optional<std::uint64_t> length, Tid min_tid,
                                                   Tid max_tid) {
  return guard([&] {
    const std::vector<std::uint64_t> tids = trans_tids(partition, min_tid, max_tid, length);
    if (tids.empty()) return TidRangeCheck{0, std::string(kZeroHash), kZeroTid};
    return TidRangeCheck{static_cast<std::int64_t>(tids.size()), decimal_list_digest(tids),
                         Tid{tids.back()}};
  });
}

Result<SerialRangeCheck> SqlDatabase::check_serial_range(std::uint32_t partition,
                                                         std::optional<std::uint64_t> length,
                                                         Tid min_tid, Tid max_tid, Oid min_oid) {
  return guard([&] {
    std::vector<std::uint64_t> tids, oids;
    for (const auto& [tid, oid] : serial_range(partition, length, min_tid, max_tid, min_oid)) {
      tids.push_back(tid);
      oids.push_back(oid);
    }
    if (tids.empty()) {
      return SerialRangeCheck{0, std::string(kZeroHash), kZeroTid, std::string(kZeroHash),
                              kZeroOid};
    }
    return SerialRangeCheck{static_cast<std::int64_t>(tids.size()), decimal_list_digest(tids),
                            Tid{tids.back()}, decimal_list_digest(oids), Oid{oids.back()}};
  });
}

Result<std::optional<UndoInfo>> SqlDatabase::find_undo_tid(Oid oid, std::optional<Tid> ltid,
                                                           Tid undo_tid,
                                                           std::optional<Tid> current_tid) {
  return guard([&]() -> std::optional<UndoInfo> {
    const std::uint32_t partition = readable_partition_of(oid.value);
    const std::vector<Tid> undo = undo_serials(partition, oid, undo_tid);
    if (undo.empty() || undo[0] != undo_tid) return std::nullopt;
    const auto later = later_serials(partition, oid, undo_tid);
    const std::optional<Tid> undone = undo.size() > 1 ? std::optional(undo[1]) : std::nullopt;
    return resolve_undo(undone, later, ltid, undo_tid, current_tid);
  });
}

// ---- truncation and pack ----

std::error_code SqlDatabase::truncate() {
  return guard([&] {
    const auto tid = truncate_tid();
    if (!tid) return;
    const auto own = nid();
    std::vector<PtChange> lowered;
    for (const PtRow& row : read_pt()) {
      if (!own || row.nid != *own) continue;
      if (row.tid > static_cast<std::int64_t>(tid->value)) {
        lowered.push_back(
            {row.partition, *own, static_cast<std::int64_t>(tid->value), std::nullopt});
      }
      delete_range(row.partition, *tid, std::nullopt);
    }
    if (!lowered.empty()) change_pt(lowered, false);
    do_set_config("truncate_tid", std::nullopt);
    do_commit();
  });
}

Result<std::vector<protocol::PackOrder>> SqlDatabase::pack_orders(Tid min_completed) {
  return guard([&] {
    std::vector<protocol::PackOrder> orders;
    if (readable_.empty()) return orders;
    for (SqlPackRow& row : pack_order_rows(min_completed)) {
      protocol::PackOrder order;
      order.pack_id = row.tid;
      order.approved = row.approved;
      order.partial = row.partial;
      if (row.oids) {
        auto oids = split_oids(*row.oids);
        if (!oids) sql_fail(make_error_code(errc::corrupted_record), "invalid pack.oids length");
        order.oids = std::move(*oids);
      }
      order.pack_tid = row.pack_tid;
      orders.push_back(std::move(order));
    }
    return orders;
  });
}

std::int64_t SqlDatabase::partition_packed(std::uint32_t partition) {
  const auto own = nid();
  const auto pack = own ? cell_pack(partition, *own) : std::nullopt;
  if (!pack) {
    sql_fail(make_error_code(errc::invalid_argument),
             "no pack id for own cell of partition " + std::to_string(partition));
  }
  return *pack;
}

std::error_code SqlDatabase::set_partition_packed(std::uint32_t partition, Tid pack_id) {
  return guard([&] {
    const auto own = nid();
    if (!own) sql_fail(make_error_code(errc::not_ready), "no node id");
    write_cell_pack(partition, *own, pack_id);
  });
}

std::error_code SqlDatabase::update_completed_pack_by_replication(std::uint32_t partition,
                                                                  Tid pack_id) {
  return guard([&] {
    if (static_cast<std::int64_t>(pack_id.value) < partition_packed(partition)) {
      write_cell_pack(partition, *nid(), pack_id);
    }
  });
}

}  // namespace neo::storage
