// MariaDbDatabase: listings, replication, checks, truncation, drop and pack.
#include <algorithm>

#include "nodes/storage/database/database_logic.hpp"
#include "nodes/storage/database/mariadb_connection.hpp"
#include "nodes/storage/database/mariadb_database.hpp"
#include "nodes/storage/database/sql_guard.hpp"

namespace neo::storage {
namespace {

std::string n(std::uint64_t value) { return std::to_string(value); }

std::string limit_of(std::optional<std::uint64_t> length) {
  return length ? " LIMIT " + n(*length) : "";
}

}  // namespace

// ---- listings ----

Result<std::vector<Tid>> MariaDbDatabase::tid_list(std::uint64_t offset, std::uint64_t length,
                                                   std::span<const std::uint32_t> partitions) {
  return guard([&] {
    std::vector<Tid> tids;
    if (partitions.empty()) return tids;
    for (std::uint32_t p : partitions) readable(p);
    for (const auto& row :
         q("SELECT tid FROM trans WHERE `partition` IN (" + join_decimal(partitions) +
           ") ORDER BY tid DESC LIMIT " + n(offset) + "," + n(length))) {
      tids.push_back(row.tid(0));
    }
    return tids;
  });
}

std::vector<std::uint64_t> MariaDbDatabase::trans_tids(std::uint32_t partition, Tid min_tid,
                                                       Tid max_tid,
                                                       std::optional<std::uint64_t> length) {
  std::vector<std::uint64_t> tids;
  for (const auto& row : q("SELECT tid FROM trans WHERE `partition`=" + n(partition) +
                           " AND tid>=" + n(min_tid.value) + " AND tid<=" + n(max_tid.value) +
                           " ORDER BY tid ASC" + limit_of(length))) {
    tids.push_back(row.u64(0));
  }
  return tids;
}

Result<std::vector<std::pair<Tid, Oid>>> MariaDbDatabase::replication_object_list(
    Tid min_tid, Tid max_tid, std::optional<std::uint64_t> length, std::uint32_t partition,
    Oid min_oid) {
  return guard([&] {
    std::vector<std::pair<Tid, Oid>> records;
    if (max_tid < min_tid || length == std::uint64_t{0}) return records;
    const std::string t = n(min_tid.value);
    for (const auto& row :
         q("SELECT tid, oid FROM obj FORCE INDEX(tid) WHERE `partition`=" + n(partition) +
           " AND tid<=" + n(max_tid.value) + " AND (tid=" + t + " AND " + n(min_oid.value) +
           "<=oid OR " + t + "<tid) ORDER BY tid ASC, oid ASC" + limit_of(length))) {
      records.emplace_back(row.tid(0), row.oid(1));
    }
    return records;
  });
}

Result<std::vector<protocol::HistoryEntry>> MariaDbDatabase::object_history(Oid oid,
                                                                            std::uint64_t offset,
                                                                            std::uint64_t length) {
  return guard([&] {
    std::vector<protocol::HistoryEntry> history;
    // A big value's length is the second half of its bigdata pointer.
    for (const auto& row :
         q("SELECT tid, IF(compression < 128, LENGTH(value),"
           " CAST(CONV(HEX(SUBSTR(value, 5, 4)), 16, 10) AS UNSIGNED))"
           " FROM obj FORCE INDEX(PRIMARY) LEFT JOIN data ON (obj.data_id = data.id)"
           " WHERE `partition`=" +
           n(readable_partition_of(oid.value)) + " AND oid=" + n(oid.value) +
           " ORDER BY tid DESC LIMIT " + n(offset) + "," + n(length))) {
      history.push_back({row.tid(0), row.opt_i64(1).value_or(0)});
    }
    if (history.empty()) mariadb::fail(make_error_code(errc::oid_not_found), to_string(oid));
    return history;
  });
}

std::vector<Tid> MariaDbDatabase::undo_serials(std::uint32_t partition, Oid oid, Tid undo_tid) {
  std::vector<Tid> undo;
  for (const auto& row :
       q("SELECT tid FROM obj WHERE `partition`=" + n(partition) + " AND oid=" + n(oid.value) +
         " AND tid<=" + n(undo_tid.value) + " ORDER BY tid DESC LIMIT 2")) {
    undo.push_back(row.tid(0));
  }
  return undo;
}

std::vector<std::pair<Tid, std::optional<Tid>>> MariaDbDatabase::later_serials(
    std::uint32_t partition, Oid oid, Tid tid) {
  std::vector<std::pair<Tid, std::optional<Tid>>> later;
  for (const auto& row :
       q("SELECT tid, value_tid FROM obj WHERE `partition`=" + n(partition) +
         " AND oid=" + n(oid.value) + " AND tid>" + n(tid.value) + " ORDER BY tid")) {
    later.emplace_back(row.tid(0), row.opt_tid(1));
  }
  return later;
}

Result<OidsFrom> MariaDbDatabase::oids_from(std::uint32_t partition, std::uint64_t length,
                                            Oid min_oid, Tid tid) {
  return guard([&] {
    readable(partition);
    // The latest revision at `tid` of each oid; deleted ones are skipped.
    auto rows =
        q("SELECT oid, data_id FROM obj FORCE INDEX(PRIMARY) JOIN ("
          "SELECT `partition`, oid, MAX(tid) AS tid FROM obj FORCE INDEX(PRIMARY)"
          " WHERE `partition`=" +
          n(partition) + " AND oid>=" + n(min_oid.value) + " AND tid<=" + n(tid.value) +
          " GROUP BY oid ORDER BY oid LIMIT " + n(length) +
          ") AS t USING (`partition`, oid, tid) ORDER BY oid");
    OidsFrom result;
    if (rows.size() >= length) {
      result.next_oid = rows.empty() ? min_oid : Oid{rows.back().u64(0) + np_};
    }
    for (const auto& row : rows) {
      if (!row.is_null(1)) result.oids.push_back(row.oid(0));
    }
    return result;
  });
}

// ---- checks (protocol.md 8.8) ----

std::vector<std::pair<std::uint64_t, std::uint64_t>> MariaDbDatabase::serial_range(
    std::uint32_t partition, std::optional<std::uint64_t> length, Tid min_tid, Tid max_tid,
    Oid min_oid) {
  std::vector<std::pair<std::uint64_t, std::uint64_t>> serials;
  const std::string t = n(min_tid.value);
  for (const auto& row :
       q("SELECT tid, oid FROM obj FORCE INDEX(tid) WHERE `partition`=" + n(partition) +
         " AND tid<=" + n(max_tid.value) + " AND (tid>" + t + " OR tid=" + t +
         " AND oid>=" + n(min_oid.value) + ") ORDER BY tid, oid" + limit_of(length))) {
    serials.emplace_back(row.u64(0), row.u64(1));
  }
  return serials;
}

// ---- deletions ----

std::error_code MariaDbDatabase::delete_transaction(Tid tid) {
  return guard([&] {
    q("DELETE trans, pack FROM trans LEFT JOIN pack USING(tid) WHERE `partition`=" +
      n(partition_of(tid.value)) + " AND tid=" + n(tid.value));
  });
}

std::error_code MariaDbDatabase::delete_object(Oid oid, std::optional<Tid> serial) {
  return guard([&] {
    std::string where =
        " FROM obj WHERE `partition`=" + n(partition_of(oid.value)) + " AND oid=" + n(oid.value);
    if (serial) where += " AND tid=" + n(serial->value);
    std::vector<std::uint64_t> data_ids;
    for (const auto& row : q("SELECT DISTINCT data_id" + where + " AND data_id IS NOT NULL")) {
      data_ids.push_back(row.u64(0));
    }
    q("DELETE" + where);
    do_prune_data(data_ids);
  });
}

void MariaDbDatabase::delete_range(std::uint32_t partition, std::optional<Tid> min_tid,
                                   std::optional<Tid> max_tid) {
  std::string where = " WHERE `partition`=" + n(partition);
  if (min_tid) where += " AND " + n(min_tid->value) + " < tid";
  if (max_tid) where += " AND tid <= " + n(max_tid->value);
  q("DELETE trans, pack FROM trans LEFT JOIN pack USING(tid)" + where);
  std::vector<std::uint64_t> data_ids;
  for (const auto& row :
       q("SELECT DISTINCT data_id FROM obj" + where + " AND data_id IS NOT NULL")) {
    data_ids.push_back(row.u64(0));
  }
  q("DELETE FROM obj" + where);
  do_prune_data(data_ids);
}

Result<bool> MariaDbDatabase::drop_partition(std::uint32_t partition, std::uint64_t count) {
  return guard([&] {
    const std::string where =
        " WHERE `partition`=" + n(partition) + " ORDER BY tid, oid LIMIT " + n(count);
    auto rows = q("SELECT DISTINCT data_id FROM (SELECT data_id FROM obj FORCE INDEX(tid)" + where +
                  ") AS t");
    if (!rows.empty()) {
      std::vector<std::uint64_t> data_ids;
      for (const auto& row : rows) {
        if (!row.is_null(0)) data_ids.push_back(row.u64(0));
      }
      q("DELETE FROM obj" + where);
      do_prune_data(data_ids);
      return true;
    }
    q("DELETE trans, pack FROM trans LEFT JOIN pack USING(tid) WHERE `partition`=" + n(partition));
    return conn_->affected_rows() > 0;
  });
}

}  // namespace neo::storage
