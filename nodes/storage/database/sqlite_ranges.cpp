// SqliteDatabase: listings, replication, checks, truncation, drop and pack.
#include <algorithm>

#include "nodes/storage/database/database_logic.hpp"
#include "nodes/storage/database/sql_guard.hpp"
#include "nodes/storage/database/sql_rows.hpp"
#include "nodes/storage/database/sqlite_connection.hpp"
#include "nodes/storage/database/sqlite_database.hpp"

namespace neo::storage {
namespace {

// SQLite's LIMIT: a negative value means no limit.
std::int64_t sql_limit(std::optional<std::uint64_t> length) {
  return length ? static_cast<std::int64_t>(*length) : -1;
}

}  // namespace

// ---- listings ----

Result<std::vector<Tid>> SqliteDatabase::tid_list(std::uint64_t offset, std::uint64_t length,
                                                  std::span<const std::uint32_t> partitions) {
  return guard([&] {
    std::vector<Tid> tids;
    if (partitions.empty()) return tids;
    for (std::uint32_t p : partitions) readable(p);
    auto q = conn_->query_once("SELECT tid FROM trans WHERE partition IN (" +
                               join_decimal(partitions) + ") ORDER BY tid DESC LIMIT ?,?");
    q.bind(offset, length);
    while (q.step()) tids.push_back(q.tid(0));
    return tids;
  });
}

std::vector<std::uint64_t> SqliteDatabase::trans_tids(std::uint32_t partition, Tid min_tid,
                                                      Tid max_tid,
                                                      std::optional<std::uint64_t> length) {
  std::vector<std::uint64_t> tids;
  auto q = conn_->query(
      "SELECT tid FROM trans WHERE partition=? AND ?<=tid AND tid<=? ORDER BY tid ASC LIMIT ?");
  q.bind(partition, min_tid, max_tid, sql_limit(length));
  while (q.step()) tids.push_back(q.u64(0));
  return tids;
}

Result<std::vector<std::pair<Tid, Oid>>> SqliteDatabase::replication_object_list(
    Tid min_tid, Tid max_tid, std::optional<std::uint64_t> length, std::uint32_t partition,
    Oid min_oid) {
  return guard([&] {
    std::vector<std::pair<Tid, Oid>> records;
    if (max_tid < min_tid || length == std::uint64_t{0}) return records;
    std::int64_t limit = sql_limit(length);
    auto first = conn_->query(
        "SELECT tid, oid FROM obj WHERE partition=? AND tid=? AND ?<=oid"
        " ORDER BY tid ASC, oid ASC LIMIT ?");
    first.bind(partition, min_tid, min_oid, limit);
    while (first.step()) records.emplace_back(first.tid(0), first.oid(1));
    if (limit > 0) {
      limit -= static_cast<std::int64_t>(records.size());
      if (limit == 0) return records;
    }
    auto rest = conn_->query(
        "SELECT tid, oid FROM obj WHERE partition=? AND ?<tid AND tid<=?"
        " ORDER BY tid ASC, oid ASC LIMIT ?");
    rest.bind(partition, min_tid, max_tid, limit);
    while (rest.step()) records.emplace_back(rest.tid(0), rest.oid(1));
    return records;
  });
}

Result<std::vector<protocol::HistoryEntry>> SqliteDatabase::object_history(Oid oid,
                                                                           std::uint64_t offset,
                                                                           std::uint64_t length) {
  return guard([&] {
    std::vector<protocol::HistoryEntry> history;
    auto q = conn_->query(
        "SELECT tid, LENGTH(value) FROM obj LEFT JOIN data ON obj.data_id = data.id"
        " WHERE partition=? AND oid=? ORDER BY tid DESC LIMIT ?,?");
    q.bind(readable_partition_of(oid.value), oid, offset, length);
    while (q.step()) history.push_back({q.tid(0), q.opt_i64(1).value_or(0)});
    if (history.empty()) sqlite::fail(make_error_code(errc::oid_not_found), to_string(oid));
    return history;
  });
}

std::vector<Tid> SqliteDatabase::undo_serials(std::uint32_t partition, Oid oid, Tid undo_tid) {
  std::vector<Tid> undo;
  auto q = conn_->query(
      "SELECT tid FROM obj WHERE partition=? AND oid=? AND tid<=? ORDER BY tid DESC LIMIT 2");
  q.bind(partition, oid, undo_tid);
  while (q.step()) undo.push_back(q.tid(0));
  return undo;
}

std::vector<std::pair<Tid, std::optional<Tid>>> SqliteDatabase::later_serials(
    std::uint32_t partition, Oid oid, Tid tid) {
  std::vector<std::pair<Tid, std::optional<Tid>>> later;
  auto h = conn_->query(
      "SELECT tid, value_tid FROM obj WHERE partition=? AND oid=? AND tid>? ORDER BY tid");
  h.bind(partition, oid, tid);
  while (h.step()) later.emplace_back(h.tid(0), h.opt_tid(1));
  return later;
}

Result<OidsFrom> SqliteDatabase::oids_from(std::uint32_t partition, std::uint64_t length,
                                           Oid min_oid, Tid tid) {
  return guard([&] {
    if (!readable_.count(partition)) {
      sqlite::fail(make_error_code(errc::non_readable_cell),
                   "partition " + std::to_string(partition) + " is not readable");
    }
    // The latest revision at `tid` of each oid; deleted ones are skipped.
    std::vector<std::pair<Oid, bool>> latest;
    auto q = conn_->query(
        "SELECT oid, data_id FROM obj JOIN ("
        "SELECT partition, oid, MAX(tid) AS tid FROM obj"
        " WHERE partition=? AND oid>=? AND tid<=? GROUP BY oid ORDER BY oid LIMIT ?"
        ") AS t USING (partition, oid, tid)");
    q.bind(partition, min_oid, tid, length);
    while (q.step()) latest.emplace_back(q.oid(0), !q.is_null(1));
    std::sort(latest.begin(), latest.end());
    OidsFrom result;
    if (latest.size() >= length) {
      result.next_oid = latest.empty() ? min_oid : Oid{latest.back().first.value + np_};
    }
    for (const auto& [oid, has_data] : latest) {
      if (has_data) result.oids.push_back(oid);
    }
    return result;
  });
}

// ---- checks (protocol.md 8.8) ----

std::vector<std::pair<std::uint64_t, std::uint64_t>> SqliteDatabase::serial_range(
    std::uint32_t partition, std::optional<std::uint64_t> length, Tid min_tid, Tid max_tid,
    Oid min_oid) {
  std::vector<std::pair<std::uint64_t, std::uint64_t>> serials;
  auto q = conn_->query(
      "SELECT tid, oid FROM obj WHERE partition=? AND tid<=? AND (tid>? OR tid=? AND oid>=?)"
      " ORDER BY tid, oid LIMIT ?");
  q.bind(partition, max_tid, min_tid, min_tid, min_oid, sql_limit(length));
  while (q.step()) serials.emplace_back(q.u64(0), q.u64(1));
  return serials;
}

// ---- deletions ----

std::error_code SqliteDatabase::delete_transaction(Tid tid) {
  return guard([&] {
    write("DELETE FROM pack WHERE tid=?").bind(tid).run();
    write("DELETE FROM trans WHERE partition=? AND tid=?").bind(partition_of(tid.value), tid).run();
  });
}

std::error_code SqliteDatabase::delete_object(Oid oid, std::optional<Tid> serial) {
  return guard([&] {
    std::string where = " FROM obj WHERE partition=? AND oid=?";
    if (serial) where += " AND tid=?";
    const std::uint32_t partition = partition_of(oid.value);
    std::vector<std::uint64_t> data_ids;
    auto select = conn_->query("SELECT DISTINCT data_id" + where + " AND data_id IS NOT NULL");
    auto remove = write("DELETE" + where);
    if (serial) {
      select.bind(partition, oid, *serial);
      remove.bind(partition, oid, *serial);
    } else {
      select.bind(partition, oid);
      remove.bind(partition, oid);
    }
    while (select.step()) data_ids.push_back(select.u64(0));
    remove.run();
    do_prune_data(data_ids);
  });
}

void SqliteDatabase::delete_range(std::uint32_t partition, std::optional<Tid> min_tid,
                                  std::optional<Tid> max_tid) {
  std::string where = " WHERE partition=" + std::to_string(partition);
  if (min_tid) where += " AND " + std::to_string(min_tid->value) + " < tid";
  if (max_tid) where += " AND tid <= " + std::to_string(max_tid->value);
  conn_->begin();
  conn_
      ->query_once("DELETE FROM pack WHERE tid IN (SELECT tid FROM trans JOIN pack USING (tid)" +
                   where + ")")
      .run();
  conn_->query_once("DELETE FROM trans" + where).run();
  std::vector<std::uint64_t> data_ids;
  auto q =
      conn_->query_once("SELECT DISTINCT data_id FROM obj" + where + " AND data_id IS NOT NULL");
  while (q.step()) data_ids.push_back(q.u64(0));
  conn_->query_once("DELETE FROM obj" + where).run();
  do_prune_data(data_ids);
}

Result<bool> SqliteDatabase::drop_partition(std::uint32_t partition, std::uint64_t count) {
  return guard([&] {
    std::vector<std::uint64_t> data_ids;
    bool had_objects = false;
    {
      auto q = conn_->query(
          "SELECT DISTINCT data_id FROM (SELECT data_id FROM obj WHERE partition=?"
          " ORDER BY tid, oid LIMIT ?)");
      q.bind(partition, count);
      while (q.step()) {
        had_objects = true;
        if (!q.is_null(0)) data_ids.push_back(q.u64(0));
      }
    }
    if (had_objects) {
      write(
          "DELETE FROM obj WHERE partition=? AND (tid, oid) IN (SELECT tid, oid FROM obj"
          " WHERE partition=? ORDER BY tid, oid LIMIT ?)")
          .bind(partition, partition, count)
          .run();
      do_prune_data(data_ids);
      return true;
    }
    write(
        "DELETE FROM pack WHERE tid IN (SELECT tid FROM trans JOIN pack USING (tid)"
        " WHERE partition=?)")
        .bind(partition)
        .run();
    auto q = write("DELETE FROM trans WHERE partition=?");
    q.bind(partition).run();
    return q.changes() > 0;
  });
}

// ---- pack ----

std::vector<SqlPackRow> SqliteDatabase::pack_order_rows(Tid min_completed) {
  std::vector<SqlPackRow> rows;
  auto q = conn_->query_once(
      "SELECT tid, approved, partial, oids, pack_tid FROM pack"
      " WHERE tid >= ? AND tid % " +
      std::to_string(np_) + " IN (" + join_decimal(readable_) +
      ") AND EXISTS (SELECT 1 FROM trans WHERE partition = pack.tid % " + std::to_string(np_) +
      " AND trans.tid = pack.tid) ORDER BY tid");
  q.bind(min_completed);
  while (q.step()) rows.push_back(pack_row_of(q));
  return rows;
}

Result<std::vector<std::pair<std::uint32_t, Tid>>> SqliteDatabase::packed_ids(
    bool up_to_date_only) {
  return guard([&] {
    std::vector<std::pair<std::uint32_t, Tid>> ids;
    auto q = conn_->query(up_to_date_only
                              ? "SELECT partition, pack FROM pt WHERE pack IS NOT NULL AND tid=-1"
                              : "SELECT partition, pack FROM pt WHERE pack IS NOT NULL");
    while (q.step()) ids.emplace_back(static_cast<std::uint32_t>(q.i64(0)), q.tid(1));
    return ids;
  });
}

std::optional<std::int64_t> SqliteDatabase::cell_pack(std::uint32_t partition, NodeId nid) {
  auto q = conn_->query("SELECT pack FROM pt WHERE partition=? AND nid=?");
  if (!q.bind(partition, nid.value).step() || q.is_null(0)) return std::nullopt;
  return q.i64(0);
}

void SqliteDatabase::write_cell_pack(std::uint32_t partition, NodeId nid, Tid pack_id) {
  write("UPDATE pt SET pack=? WHERE partition=? AND nid=?")
      .bind(pack_id, partition, nid.value)
      .run();
}

// For each oid with revisions <= pack_tid: if the latest such revision is a
// deletion, drop it and all older ones; else drop the older ones. Then
// prune data nothing references any more.
PackProgress SqliteDatabase::pack_rows(std::uint32_t partition, const std::string& oid_condition,
                                       std::optional<std::uint64_t> limit, Tid pack_tid) {
  struct Group {
    std::int64_t count;
    Oid oid;
    Tid max_tid;
  };
  std::vector<Group> groups;
  {
    auto q = conn_->query_once(
        "SELECT COUNT(*), oid, MAX(tid) FROM obj WHERE partition=" + std::to_string(partition) +
        " AND tid<=" + std::to_string(pack_tid.value) + " AND oid" + oid_condition +
        " GROUP BY oid" + (limit ? " ORDER BY oid LIMIT " + std::to_string(*limit) : ""));
    while (q.step()) groups.push_back({q.i64(0), q.oid(1), q.tid(2)});
  }
  std::set<std::uint64_t> data_ids;
  for (const Group& group : groups) {
    auto q = conn_->query(
        "SELECT tid + (data_id IS NULL) FROM obj WHERE partition=? AND oid=? AND tid=?"
        " AND (data_id IS NULL OR ?>1)");
    if (!q.bind(partition, group.oid, group.max_tid, group.count).step()) continue;
    const std::int64_t bound = q.i64(0);  // delete revisions < bound
    auto used =
        conn_->query("SELECT DISTINCT data_id FROM obj WHERE partition=? AND oid=? AND tid<?");
    used.bind(partition, group.oid, bound);
    while (used.step()) {
      if (!used.is_null(0)) data_ids.insert(used.u64(0));
    }
    write("DELETE FROM obj WHERE partition=? AND oid=? AND tid<?")
        .bind(partition, group.oid, bound)
        .run();
  }
  std::vector<std::uint64_t> ids(data_ids.begin(), data_ids.end());
  do_prune_data(ids);
  PackProgress progress;
  if (limit && !groups.empty()) progress.last_oid = groups.back().oid;
  progress.pruned_data = ids.size();
  return progress;
}

Result<PackProgress> SqliteDatabase::pack_partition(std::uint32_t partition, Oid min_oid,
                                                    Tid pack_tid, std::uint64_t limit) {
  return guard([&] {
    return pack_rows(partition, ">=" + std::to_string(min_oid.value),
                     std::max<std::uint64_t>(limit, 1), pack_tid);
  });
}

Result<PackProgress> SqliteDatabase::pack_oids(std::uint32_t partition, std::span<const Oid> oids,
                                               Tid pack_tid) {
  return guard([&] {
    std::vector<std::uint64_t> values;
    for (Oid oid : oids) values.push_back(oid.value);
    return pack_rows(partition, " IN (" + join_decimal(values) + ")", std::nullopt, pack_tid);
  });
}

}  // namespace neo::storage
