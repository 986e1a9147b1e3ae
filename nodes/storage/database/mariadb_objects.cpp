// MariaDbDatabase: data (with big values in `bigdata`), the commit of a
// transaction.
#include <algorithm>
#include <map>

#include "nodes/storage/database/database_logic.hpp"
#include "nodes/storage/database/mariadb_connection.hpp"
#include "nodes/storage/database/mariadb_database.hpp"
#include "nodes/storage/database/sql_guard.hpp"

namespace neo::storage {
namespace {

bool is_dup_entry(const mariadb::Failure& failure) {
  return failure.code == std::error_code(mariadb::kDupEntry, mariadb::category());
}

// data.value of a big record: (first bigdata id, length), two big-endian u32.
std::string big_pointer(std::uint32_t first, std::uint32_t length) {
  return p64((std::uint64_t{first} << 32) | length);
}
std::pair<std::uint64_t, std::uint64_t> big_range(std::string_view pointer) {
  if (pointer.size() != 8) {
    mariadb::fail(make_error_code(errc::corrupted_record), "bad bigdata pointer");
  }
  const std::uint64_t value = u64(pointer);
  const std::uint64_t first = value >> 32, length = value & 0xffffffff;
  return {first,
          first + ((length + MariaDbDatabase::kBigDataChunk - 1) / MariaDbDatabase::kBigDataChunk)};
}

}  // namespace

// ---- data ----

// Stores `data` in 8 MiB bigdata rows; returns the pointer for data.value.
std::string MariaDbDatabase::store_big_data(std::string_view data) {
  std::uint64_t first = 0;
  for (std::size_t offset = 0; offset < data.size(); offset += kBigDataChunk) {
    const std::string id = offset ? std::to_string(first + offset / kBigDataChunk) : "NULL";
    q("INSERT INTO bigdata VALUES (" + id + ", " + lit(data.substr(offset, kBigDataChunk)) + ")");
    if (!offset) first = conn_->insert_id();
  }
  return big_pointer(static_cast<std::uint32_t>(first), static_cast<std::uint32_t>(data.size()));
}

std::string MariaDbDatabase::load_big_data(std::string_view pointer) {
  const auto [first, end] = big_range(pointer);
  std::string data;
  for (std::uint64_t id = first; id < end; ++id) {
    auto rows = q("SELECT value FROM bigdata WHERE id=" + std::to_string(id));
    if (rows.empty()) {
      mariadb::fail(make_error_code(errc::corrupted_record),
                    "missing bigdata row " + std::to_string(id));
    }
    data += rows[0].str(0);
  }
  if (data.size() != (u64(pointer) & 0xffffffff)) {
    mariadb::fail(make_error_code(errc::corrupted_record), "bigdata length mismatch");
  }
  return data;
}

std::optional<std::optional<std::uint64_t>> MariaDbDatabase::undo_data_id(std::uint32_t partition,
                                                                          Oid oid, Tid serial) {
  auto rows =
      q("SELECT data_id FROM obj WHERE `partition`=" + std::to_string(partition) +
        " AND oid=" + std::to_string(oid.value) + " AND tid=" + std::to_string(serial.value));
  if (!rows.empty()) return rows[0].opt_u64(0);
  return std::nullopt;
}

std::uint64_t MariaDbDatabase::insert_data(std::uint32_t partition, std::string_view checksum,
                                           std::string_view data, std::int64_t compression) {
  const bool big = data.size() >= kBigDataThreshold;
  if (big) compression |= kBigDataFlag;
  const std::string where =
      " WHERE hash=" + lit(checksum) + " AND compression=" + std::to_string(compression);
  if (big && dedup_) {
    for (const auto& row : q("SELECT id, value FROM data" + where)) {
      if (load_big_data(row.str(1)) == data) return row.u64(0);
      mariadb::fail(std::error_code(mariadb::kDupEntry, mariadb::category()),
                    "other data under the same hash");
    }
  }
  const std::string value = big ? store_big_data(data) : std::string(data);
  const std::uint64_t id = next_data_id_.at(partition);
  try {
    q("INSERT INTO data VALUES (" + std::to_string(id) + ", " + lit(checksum) + ", " +
      std::to_string(compression) + ", " + lit(value) + ")");
  } catch (const mariadb::Failure& failure) {
    // --dedup: the same (hash, compression) exists; reuse it if the bytes match.
    if (!is_dup_entry(failure)) throw;
    auto rows = q("SELECT id, value FROM data" + where);
    if (!rows.empty() && rows[0].str(1) == value) return rows[0].u64(0);
    throw;
  }
  next_data_id_[partition] = id + 1;
  return id;
}

std::size_t MariaDbDatabase::delete_unused_data(std::set<std::uint64_t> candidates) {
  const std::vector<std::uint64_t> list(candidates.begin(), candidates.end());
  std::vector<std::uint64_t> ids, big_ids;
  for (const auto& row : q("SELECT id, IF(compression < 128, NULL, value) FROM data"
                           " LEFT JOIN obj ON (id = data_id) WHERE id IN (" +
                           join_decimal(list) + ") AND data_id IS NULL")) {
    ids.push_back(row.u64(0));
    if (!row.is_null(1)) {
      const auto [first, end] = big_range(row.str(1));
      for (std::uint64_t id = first; id < end; ++id) big_ids.push_back(id);
    }
  }
  if (ids.empty()) return 0;
  q("DELETE FROM data WHERE id IN (" + join_decimal(ids) + ")");
  if (!big_ids.empty()) q("DELETE FROM bigdata WHERE id IN (" + join_decimal(big_ids) + ")");
  return ids.size();
}

Result<DataRecord> MariaDbDatabase::load_data(std::uint64_t data_id) {
  return guard([&] {
    auto rows = q("SELECT compression, hash, value FROM data WHERE id=" + std::to_string(data_id));
    if (rows.empty()) {
      mariadb::fail(make_error_code(errc::corrupted_record),
                    "no data row " + std::to_string(data_id));
    }
    DataRecord record{rows[0].i64(0), rows[0].str(1), rows[0].str(2)};
    if (record.compression & kBigDataFlag) {
      record.compression &= ~kBigDataFlag;
      record.value = load_big_data(record.value);
    }
    return record;
  });
}

Result<std::vector<std::uint64_t>> MariaDbDatabase::orphan_data_ids() {
  return guard([&] {
    std::vector<std::uint64_t> ids;
    for (const auto& row : q("SELECT id FROM data LEFT JOIN obj ON (id=obj.data_id)"
                             " LEFT JOIN todel ON (id=todel.data_id)"
                             " WHERE obj.data_id IS NULL AND todel.data_id IS NULL")) {
      ids.push_back(row.u64(0));
    }
    return ids;
  });
}

// ---- the commit of a transaction ----

std::error_code MariaDbDatabase::store_transaction(Tid tid, std::span<const ObjectRef> objects,
                                                   const TransactionMeta* meta, bool temporary) {
  return guard([&] {
    const std::string t = temporary ? "t" : "";
    std::vector<std::string> rows;
    for (const ObjectRef& object : objects) {
      rows.push_back("(" + std::to_string(partition_of(object.oid.value)) + "," +
                     std::to_string(object.oid.value) + "," + std::to_string(tid.value) + "," +
                     (object.data_id ? std::to_string(*object.data_id) : "NULL") + "," +
                     (object.value_serial ? std::to_string(object.value_serial->value) : "NULL") +
                     ")");
    }
    try {
      insert_rows("INSERT INTO " + t + "obj VALUES ", rows);
    } catch (const mariadb::Failure& failure) {
      // Replication may resume after an interrupted one: accept the same rows.
      if (temporary || !is_dup_entry(failure)) throw;
      for (const ObjectRef& object : objects) store_replicated_object(tid, object);
    }
    if (meta) {
      q("INSERT INTO " + t + "trans VALUES (" + std::to_string(partition_of(tid.value)) + "," +
        (temporary ? "NULL" : std::to_string(tid.value)) + "," + (meta->packed ? "1" : "0") + "," +
        lit(join_oids(meta->oids)) + "," + lit(meta->user) + "," + lit(meta->description) + "," +
        lit(meta->extension) + "," + std::to_string(meta->ttid.value) + ")");
    }
  });
}

// Multi-row statements `head` + rows, each within max_allowed_packet.
void MariaDbDatabase::insert_rows(const std::string& head, const std::vector<std::string>& rows) {
  const std::size_t max = conn_->max_allowed_packet() - 64;
  std::string sql = head;
  for (const std::string& row : rows) {
    if (sql.size() > head.size() && sql.size() + row.size() + 1 > max) {
      q(sql);
      sql = head;
    }
    if (sql.size() > head.size()) sql += ',';
    sql += row;
  }
  if (sql.size() > head.size()) q(sql);
}

// One obj row of a replicated transaction: inserted, or already there the same.
void MariaDbDatabase::store_replicated_object(Tid tid, const ObjectRef& object) {
  const std::string where = " WHERE `partition`=" + std::to_string(partition_of(object.oid.value)) +
                            " AND oid=" + std::to_string(object.oid.value) +
                            " AND tid=" + std::to_string(tid.value);
  auto rows = q("SELECT data_id, value_tid FROM obj" + where);
  if (rows.empty()) {
    insert_rows(
        "INSERT INTO obj VALUES ",
        {"(" + std::to_string(partition_of(object.oid.value)) + "," +
         std::to_string(object.oid.value) + "," + std::to_string(tid.value) + "," +
         (object.data_id ? std::to_string(*object.data_id) : "NULL") + "," +
         (object.value_serial ? std::to_string(object.value_serial->value) : "NULL") + ")"});
  } else if (rows[0].opt_u64(0) != object.data_id || rows[0].opt_tid(1) != object.value_serial) {
    mariadb::fail(std::error_code(mariadb::kDupEntry, mariadb::category()),
                  "another record " + to_string(object.oid) + " at " + to_string(tid));
  }
}

std::error_code MariaDbDatabase::store_pack_order(Tid pack_id, std::optional<bool> approved,
                                                  bool partial,
                                                  const std::optional<std::vector<Oid>>& oids,
                                                  Tid pack_tid) {
  return guard([&] {
    q("INSERT INTO pack VALUES (" + std::to_string(pack_id.value) + "," +
      (approved ? (*approved ? "1" : "0") : "NULL") + "," + (partial ? "1" : "0") + "," +
      (oids ? lit(join_oids(*oids)) : "NULL") + "," + std::to_string(pack_tid.value) + ")");
  });
}

std::vector<Tid> MariaDbDatabase::pack_tids(const std::string& where) {
  std::vector<Tid> tids;
  for (const auto& row : q("SELECT tid FROM pack" + where)) tids.push_back(row.tid(0));
  return tids;
}

void MariaDbDatabase::approve_packs(const std::string& approved, const std::string& where) {
  q("UPDATE pack SET approved = " + approved + where);
}

std::error_code MariaDbDatabase::mark_locked(Tid tid, Tid ttid, bool approve_pack) {
  return guard([&] {
    q("UPDATE ttrans SET tid=" + std::to_string(tid.value) +
      " WHERE ttid=" + std::to_string(ttid.value) + " LIMIT 1");
    if (approve_pack) q("UPDATE pack SET approved=1 WHERE tid=" + std::to_string(ttid.value));
  });
}

std::error_code MariaDbDatabase::unlock_transaction(Tid tid, Tid ttid, bool has_trans,
                                                    bool has_objects, bool has_pack) {
  return guard([&] {
    const std::string final_tid = std::to_string(tid.value);
    if (has_trans) {
      q("INSERT INTO trans SELECT * FROM ttrans WHERE tid=" + final_tid);
      if (has_pack) {
        q("UPDATE pack SET tid=" + final_tid + " WHERE tid=" + std::to_string(ttid.value));
      }
      q("DELETE FROM ttrans WHERE tid=" + final_tid);
    }
    if (!has_objects) return;
    const std::string from = " FROM tobj WHERE tid=" + std::to_string(ttid.value);
    std::vector<std::uint64_t> data_ids;
    for (const auto& row : q("SELECT data_id" + from + " AND data_id IS NOT NULL")) {
      data_ids.push_back(row.u64(0));
    }
    q("INSERT INTO obj SELECT `partition`, oid, " + final_tid + ", data_id, value_tid" + from);
    q("DELETE" + from);
    do_release_data(data_ids);
  });
}

std::error_code MariaDbDatabase::abort_transaction(Tid ttid) {
  return guard([&] {
    q("DELETE FROM tobj WHERE tid=" + std::to_string(ttid.value));
    q("DELETE FROM ttrans WHERE ttid=" + std::to_string(ttid.value));
    q("DELETE FROM pack WHERE tid=" + std::to_string(ttid.value));  // see abort_transaction's doc
  });
}

std::error_code MariaDbDatabase::drop_partitions_temporary(
    std::optional<std::span<const std::uint32_t>> partitions) {
  return guard([&] {
    std::string where;
    if (partitions) {
      if (partitions->empty()) return;
      where = " WHERE `partition` IN (" + join_decimal(*partitions) + ")";
    }
    q("DELETE FROM tobj" + where);
    q("DELETE ttrans, pack FROM ttrans LEFT JOIN pack ON pack.tid = ttrans.ttid" + where);
  });
}

std::vector<std::uint64_t> MariaDbDatabase::temporary_data_ids() {
  std::vector<std::uint64_t> data_ids;
  for (const auto& row : q("SELECT data_id FROM tobj WHERE data_id IS NOT NULL")) {
    data_ids.push_back(row.u64(0));
  }
  return data_ids;
}

Result<std::vector<std::pair<Tid, std::optional<Tid>>>> MariaDbDatabase::locked_transactions() {
  return guard([&] {
    std::map<Tid, std::optional<Tid>> unfinished;
    for (const auto& row : q("SELECT DISTINCT tid FROM tobj")) unfinished[row.tid(0)];
    for (const auto& row : q("SELECT ttid, tid FROM ttrans")) {
      unfinished[row.tid(0)] = row.opt_tid(1);
    }
    return std::vector<std::pair<Tid, std::optional<Tid>>>(unfinished.begin(), unfinished.end());
  });
}

Result<std::optional<Tid>> MariaDbDatabase::final_tid(Tid ttid) {
  return guard([&]() -> std::optional<Tid> {
    const std::string t = std::to_string(ttid.value);
    auto rows = q("SELECT tid FROM trans WHERE `partition`=" +
                  std::to_string(readable_partition_of(ttid.value)) + " AND tid>=" + t +
                  " AND ttid=" + t + " LIMIT 1");
    if (rows.empty()) return std::nullopt;
    return rows[0].tid(0);
  });
}

}  // namespace neo::storage
