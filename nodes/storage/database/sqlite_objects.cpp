// SqliteDatabase: data, the commit of a transaction, and loads.
#include <sqlite3.h>

#include <algorithm>
#include <map>

#include "nodes/storage/database/database_logic.hpp"
#include "nodes/storage/database/sql_guard.hpp"
#include "nodes/storage/database/sql_rows.hpp"
#include "nodes/storage/database/sqlite_connection.hpp"
#include "nodes/storage/database/sqlite_database.hpp"

namespace neo::storage {
namespace {

bool is_constraint(const sqlite::Failure& failure) {
  return failure.code.category() == sqlite::sqlite_category() &&
         (failure.code.value() & 0xff) == SQLITE_CONSTRAINT;
}

// Data ids as SQLite's signed integers.
std::string id_list(std::span<const std::uint64_t> ids) {
  return join_decimal(std::vector<std::int64_t>(ids.begin(), ids.end()));
}

}  // namespace

// ---- data ----

std::optional<std::optional<std::uint64_t>> SqliteDatabase::undo_data_id(std::uint32_t partition,
                                                                         Oid oid, Tid serial) {
  auto q = conn_->query("SELECT data_id FROM obj WHERE partition=? AND oid=? AND tid=?");
  if (q.bind(partition, oid, serial).step()) return q.opt_u64(0);
  return std::nullopt;
}

std::uint64_t SqliteDatabase::insert_data(std::uint32_t partition, std::string_view checksum,
                                          std::string_view data, std::int64_t compression) {
  const std::uint64_t id = next_data_id_.at(partition);
  try {
    write("INSERT INTO data VALUES (?,?,?,?)").bind(id, checksum, compression, data).run();
  } catch (const sqlite::Failure& failure) {
    // --dedup: the same (hash, compression) exists; reuse it if the bytes match.
    if (!is_constraint(failure)) throw;
    auto q = conn_->query("SELECT id, value FROM data WHERE hash=? AND compression=?");
    if (q.bind(checksum, compression).step() && q.blob(1) == data) return q.u64(0);
    throw;
  }
  next_data_id_[partition] = id + 1;
  return id;
}

std::size_t SqliteDatabase::delete_unused_data(std::set<std::uint64_t> candidates) {
  std::vector<std::uint64_t> list(candidates.begin(), candidates.end());
  auto used = conn_->query_once("SELECT DISTINCT data_id FROM obj WHERE data_id IN (" +
                                id_list(list) + ")");
  while (used.step()) candidates.erase(used.u64(0));
  if (candidates.empty()) return 0;
  list.assign(candidates.begin(), candidates.end());
  conn_->begin();
  conn_->query_once("DELETE FROM data WHERE id IN (" + id_list(list) + ")").run();
  return list.size();
}

Result<DataRecord> SqliteDatabase::load_data(std::uint64_t data_id) {
  return guard([&] {
    auto q = conn_->query("SELECT compression, hash, value FROM data WHERE id=?");
    if (!q.bind(data_id).step()) {
      sqlite::fail(make_error_code(errc::corrupted_record),
                   "no data row " + std::to_string(data_id));
    }
    return DataRecord{q.i64(0), q.blob(1), q.blob(2)};
  });
}

Result<std::vector<std::uint64_t>> SqliteDatabase::orphan_data_ids() {
  return guard([&] {
    std::vector<std::uint64_t> ids;
    auto q =
        conn_->query("SELECT id FROM data LEFT JOIN obj ON (id=data_id) WHERE data_id IS NULL");
    while (q.step()) ids.push_back(q.u64(0));
    return ids;
  });
}

// ---- the commit of a transaction ----

std::error_code SqliteDatabase::store_transaction(Tid tid, std::span<const ObjectRef> objects,
                                                  const TransactionMeta* meta, bool temporary) {
  return guard([&] {
    const std::string t = temporary ? "t" : "";
    const std::string_view insert_obj = temporary ? "INSERT OR FAIL INTO tobj VALUES (?,?,?,?,?)"
                                                  : "INSERT OR FAIL INTO obj VALUES (?,?,?,?,?)";
    for (const ObjectRef& object : objects) {
      const std::uint32_t partition = partition_of(object.oid.value);
      try {
        write(insert_obj)
            .bind(partition, object.oid, tid, object.data_id, object.value_serial)
            .run();
      } catch (const sqlite::Failure& failure) {
        // Replication may resume after an interrupted one: accept the same row.
        if (temporary || !is_constraint(failure)) throw;
        auto q = conn_->query(
            "SELECT data_id, value_tid FROM obj WHERE partition=? AND oid=? AND tid=?");
        if (!q.bind(partition, object.oid, tid).step() || q.opt_u64(0) != object.data_id ||
            q.opt_tid(1) != object.value_serial) {
          throw;
        }
      }
    }
    if (meta) {
      write("INSERT OR FAIL INTO " + t + "trans VALUES (?,?,?,?,?,?,?,?)")
          .bind(partition_of(tid.value), temporary ? std::nullopt : std::optional(tid),
                meta->packed, join_oids(meta->oids), meta->user, meta->description, meta->extension,
                meta->ttid)
          .run();
    }
  });
}

std::error_code SqliteDatabase::store_pack_order(Tid pack_id, std::optional<bool> approved,
                                                 bool partial,
                                                 const std::optional<std::vector<Oid>>& oids,
                                                 Tid pack_tid) {
  return guard([&] {
    write("INSERT INTO pack VALUES (?,?,?,?,?)")
        .bind(pack_id, approved, partial, oids ? std::optional(join_oids(*oids)) : std::nullopt,
              pack_tid)
        .run();
  });
}

std::vector<Tid> SqliteDatabase::pack_tids(const std::string& where) {
  std::vector<Tid> tids;
  auto q = conn_->query_once("SELECT tid FROM pack" + where);
  while (q.step()) tids.push_back(q.tid(0));
  return tids;
}

void SqliteDatabase::approve_packs(const std::string& approved, const std::string& where) {
  conn_->begin();
  conn_->query_once("UPDATE pack SET approved = " + approved + where).run();
}

std::error_code SqliteDatabase::mark_locked(Tid tid, Tid ttid, bool approve_pack) {
  return guard([&] {
    write("UPDATE ttrans SET tid=? WHERE ttid=?").bind(tid, ttid).run();
    if (approve_pack) write("UPDATE pack SET approved=1 WHERE tid=?").bind(ttid).run();
  });
}

std::error_code SqliteDatabase::unlock_transaction(Tid tid, Tid ttid, bool has_trans,
                                                   bool has_objects, bool has_pack) {
  return guard([&] {
    if (has_trans) {
      write("INSERT INTO trans SELECT * FROM ttrans WHERE tid=?").bind(tid).run();
      if (has_pack) write("UPDATE pack SET tid=? WHERE tid=?").bind(tid, ttid).run();
      write("DELETE FROM ttrans WHERE tid=?").bind(tid).run();
    }
    if (!has_objects) return;
    std::vector<std::uint64_t> data_ids;
    auto q = conn_->query("SELECT data_id FROM tobj WHERE tid=? AND data_id IS NOT NULL");
    q.bind(ttid);
    while (q.step()) data_ids.push_back(q.u64(0));
    write("INSERT INTO obj SELECT partition, oid, ?, data_id, value_tid FROM tobj WHERE tid=?")
        .bind(tid, ttid)
        .run();
    write("DELETE FROM tobj WHERE tid=?").bind(ttid).run();
    do_release_data(data_ids);
  });
}

std::error_code SqliteDatabase::abort_transaction(Tid ttid) {
  return guard([&] {
    write("DELETE FROM tobj WHERE tid=?").bind(ttid).run();
    write("DELETE FROM ttrans WHERE ttid=?").bind(ttid).run();
    write("DELETE FROM pack WHERE tid=?").bind(ttid).run();  // see abort_transaction's doc
  });
}

std::error_code SqliteDatabase::drop_partitions_temporary(
    std::optional<std::span<const std::uint32_t>> partitions) {
  return guard([&] {
    std::string where;
    if (partitions) {
      where = " WHERE partition IN (" + join_decimal(*partitions) + ")";
    }
    conn_->begin();
    conn_->query_once("DELETE FROM tobj" + where).run();
    conn_->query_once("DELETE FROM pack WHERE tid IN (SELECT ttid FROM ttrans" + where + ")").run();
    conn_->query_once("DELETE FROM ttrans" + where).run();
  });
}

std::vector<std::uint64_t> SqliteDatabase::temporary_data_ids() {
  std::vector<std::uint64_t> data_ids;
  auto q = conn_->query("SELECT data_id FROM tobj WHERE data_id IS NOT NULL");
  while (q.step()) data_ids.push_back(q.u64(0));
  return data_ids;
}

Result<std::vector<std::pair<Tid, std::optional<Tid>>>> SqliteDatabase::locked_transactions() {
  return guard([&] {
    std::map<Tid, std::optional<Tid>> unfinished;
    auto objects = conn_->query("SELECT DISTINCT tid FROM tobj");
    while (objects.step()) unfinished[objects.tid(0)];
    auto trans = conn_->query("SELECT ttid, tid FROM ttrans");
    while (trans.step()) unfinished[trans.tid(0)] = trans.opt_tid(1);
    return std::vector<std::pair<Tid, std::optional<Tid>>>(unfinished.begin(), unfinished.end());
  });
}

Result<std::optional<Tid>> SqliteDatabase::final_tid(Tid ttid) {
  return guard([&]() -> std::optional<Tid> {
    auto q = conn_->query("SELECT tid FROM trans WHERE partition=? AND tid>=? AND ttid=? LIMIT 1");
    if (q.bind(readable_partition_of(ttid.value), ttid, ttid).step()) return q.tid(0);
    return std::nullopt;
  });
}

// ---- loads ----

std::optional<Tid> SqliteDatabase::next_serial(std::uint32_t partition, Oid oid, Tid serial) {
  auto q = conn_->query(
      "SELECT tid FROM obj WHERE partition=? AND oid=? AND tid>? ORDER BY tid LIMIT 1");
  if (q.bind(partition, oid, serial).step()) return q.tid(0);
  return std::nullopt;
}

// The next row's (tid, compression, hash, value, value_tid).
std::optional<ObjectRecord> SqliteDatabase::fetch_one(sqlite::Query& q) {
  if (!q.step()) return std::nullopt;
  return record_of(q);
}

ObjectRecord SqliteDatabase::record_of(const sqlite::Query& q) { return object_record_of(q); }

Result<ObjectRecord> SqliteDatabase::load(Oid oid, std::optional<Tid> at,
                                          std::optional<Tid> before) {
  return guard([&] {
    const std::uint32_t partition = readable_partition_of(oid.value);
    static const std::string select =
        "SELECT tid, compression, data.hash, value, value_tid"
        " FROM obj LEFT JOIN data ON obj.data_id = data.id WHERE partition=? AND oid=?";
    std::optional<ObjectRecord> record;
    if (at) {
      auto q = conn_->query(select + " AND tid=?");
      q.bind(partition, oid, *at);
      record = fetch_one(q);
    } else if (before) {
      auto q = conn_->query(select + " AND tid<? ORDER BY tid DESC LIMIT 1");
      q.bind(partition, oid, *before);
      record = fetch_one(q);
    } else {
      auto q = conn_->query(select + " ORDER BY tid DESC LIMIT 1");
      q.bind(partition, oid);
      record = fetch_one(q);
    }
    if (!record) {
      auto q = conn_->query("SELECT 1 FROM obj WHERE partition=? AND oid=? LIMIT 1");
      const bool exists = (at || before) && q.bind(partition, oid).step();
      sqlite::fail(make_error_code(exists ? errc::oid_not_found : errc::oid_does_not_exist),
                   to_string(oid));
    }
    record->next_serial = next_serial(partition, oid, record->serial);
    return std::move(*record);
  });
}

Result<std::optional<Tid>> SqliteDatabase::last_object_tid(Oid oid) {
  return guard([&]() -> std::optional<Tid> {
    auto q =
        conn_->query("SELECT tid FROM obj WHERE partition=? AND oid=? ORDER BY tid DESC LIMIT 1");
    if (q.bind(readable_partition_of(oid.value), oid).step()) return q.tid(0);
    return std::nullopt;
  });
}

Result<std::size_t> SqliteDatabase::visit_objects(std::uint32_t partition,
                                                  std::pair<Tid, Oid> first,
                                                  std::pair<Tid, Oid> last,
                                                  const ObjectVisitor& visit) {
  return guard([&] {
    readable(partition);
    // One statement (and read transaction) for the range, where a lookup per
    // record cost twice as much.
    auto q = conn_->query(
        "SELECT tid, compression, data.hash, value, value_tid, oid"
        " FROM obj LEFT JOIN data ON obj.data_id = data.id"
        " WHERE partition=?1 AND tid BETWEEN ?2 AND ?4"
        " AND (tid > ?2 OR oid >= ?3) AND (tid < ?4 OR oid <= ?5) ORDER BY tid, oid");
    q.bind(partition, first.first, first.second, last.first, last.second);
    std::size_t count = 0;
    while (q.step()) {
      ++count;
      if (!visit(q.oid(5), record_of(q))) break;
    }
    return count;
  });
}

std::int64_t SqliteDatabase::partition_last_tid(std::uint32_t partition,
                                                std::optional<Tid> max_tid) {
  if (max_tid) {
    auto q = conn_->query("SELECT COALESCE(MAX(tid), -1) FROM trans WHERE partition=? AND tid<=?");
    q.bind(partition, *max_tid).step();
    return q.i64(0);
  }
  auto q = conn_->query("SELECT COALESCE(MAX(tid), -1) FROM trans WHERE partition=?");
  q.bind(partition).step();
  return q.i64(0);
}

// (greatest object serial, greatest oid) of a partition; -1 when empty.
std::pair<std::int64_t, std::int64_t> SqliteDatabase::partition_last_ids(std::uint32_t partition) {
  auto oid = conn_->query("SELECT COALESCE(MAX(oid), -1) FROM obj WHERE partition=?");
  oid.bind(partition).step();
  auto tid = conn_->query("SELECT COALESCE(MAX(tid), -1) FROM obj WHERE partition=?");
  tid.bind(partition).step();
  return {tid.i64(0), oid.i64(0)};
}

std::optional<Tid> SqliteDatabase::partition_first_tid(std::uint32_t partition) {
  auto q = conn_->query("SELECT MIN(tid) FROM trans WHERE partition=?");
  q.bind(partition).step();
  return q.opt_tid(0);
}

std::optional<SqlTransactionRow> SqliteDatabase::transaction_row(std::uint32_t partition, Tid tid,
                                                                 bool include_locked) {
  static const std::string columns = kTransactionColumns;
  auto q = conn_->query("SELECT trans." + columns +
                        " FROM trans LEFT JOIN pack USING (tid) WHERE partition=? AND tid=?");
  q.bind(partition, tid);
  bool found = q.step();
  auto locked = conn_->query("SELECT ttrans." + columns +
                             " FROM ttrans LEFT JOIN pack USING (tid) WHERE tid=?");
  sqlite::Query* row = &q;
  if (!found && include_locked) {
    found = locked.bind(tid).step();
    row = &locked;
  }
  if (!found) return std::nullopt;
  return transaction_row_of(*row);
}

}  // namespace neo::storage
