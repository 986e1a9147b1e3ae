// MariaDbDatabase: pack orders and the pack of partitions.
#include <algorithm>

#include "nodes/storage/database/database_logic.hpp"
#include "nodes/storage/database/mariadb_connection.hpp"
#include "nodes/storage/database/mariadb_database.hpp"
#include "nodes/storage/database/sql_guard.hpp"
#include "nodes/storage/database/sql_rows.hpp"

namespace neo::storage {
namespace {

std::string n(std::uint64_t value) { return std::to_string(value); }

}  // namespace

std::vector<SqlPackRow> MariaDbDatabase::pack_order_rows(Tid min_completed) {
  std::vector<SqlPackRow> rows;
  for (const auto& row :
       q("SELECT tid, approved, partial, oids, pack_tid FROM pack"
         " WHERE tid >= " +
         n(min_completed.value) + " AND tid % " + n(np_) + " IN (" + join_decimal(readable_) +
         ") AND EXISTS (SELECT 1 FROM trans WHERE `partition` = pack.tid % " + n(np_) +
         " AND trans.tid = pack.tid) ORDER BY tid")) {
    rows.push_back(pack_row_of(row));
  }
  return rows;
}

Result<std::vector<std::pair<std::uint32_t, Tid>>> MariaDbDatabase::packed_ids(
    bool up_to_date_only) {
  return guard([&] {
    std::vector<std::pair<std::uint32_t, Tid>> ids;
    for (const auto& row :
         q(up_to_date_only ? "SELECT `partition`, pack FROM pt WHERE pack IS NOT NULL"
                             " AND tid=-1"
                           : "SELECT `partition`, pack FROM pt WHERE pack IS NOT NULL")) {
      ids.emplace_back(static_cast<std::uint32_t>(row.u64(0)), row.tid(1));
    }
    return ids;
  });
}

std::optional<std::int64_t> MariaDbDatabase::cell_pack(std::uint32_t partition, NodeId nid) {
  auto rows = q("SELECT pack FROM pt WHERE `partition`=" + n(partition) +
                " AND nid=" + std::to_string(nid.value));
  if (rows.empty() || rows[0].is_null(0)) return std::nullopt;
  return static_cast<std::int64_t>(rows[0].u64(0));
}

void MariaDbDatabase::write_cell_pack(std::uint32_t partition, NodeId nid, Tid pack_id) {
  q("UPDATE pt SET pack=" + n(pack_id.value) + " WHERE `partition`=" + n(partition) +
    " AND nid=" + std::to_string(nid.value));
}

// For each oid with revisions <= pack_tid: if the latest such revision is a
// deletion, drop it and all older ones; else drop the older ones. Then
// prune data nothing references any more.
PackProgress MariaDbDatabase::pack_rows(std::uint32_t partition, const std::string& oid_condition,
                                        std::optional<std::uint64_t> limit, Tid pack_tid) {
  const std::string p = n(partition);
  // (oid, bound): revisions of oid below bound go; bound NULL: nothing to do.
  auto groups =
      q("SELECT obj.oid, IF(data_id IS NULL OR cnt>1, tid + (data_id IS NULL), NULL)"
        " FROM (SELECT COUNT(*) AS cnt, oid, MAX(tid) AS max_tid FROM obj FORCE INDEX(PRIMARY)"
        " WHERE `partition`=" +
        p + " AND oid" + oid_condition + " AND tid<=" + n(pack_tid.value) + " GROUP BY oid" +
        (limit ? " ORDER BY oid LIMIT " + n(*limit) : "") + ") AS t JOIN obj ON `partition`=" + p +
        " AND t.oid=obj.oid AND tid=max_tid ORDER BY oid");
  std::set<std::uint64_t> data_ids;
  for (const auto& group : groups) {
    if (group.is_null(1)) continue;
    const std::string where = " FROM obj WHERE `partition`=" + p + " AND oid=" + n(group.u64(0)) +
                              " AND tid<" + n(group.u64(1));
    for (const auto& used : q("SELECT DISTINCT data_id" + where)) {
      if (!used.is_null(0)) data_ids.insert(used.u64(0));
    }
    q("DELETE" + where);
  }
  std::vector<std::uint64_t> ids(data_ids.begin(), data_ids.end());
  do_prune_data(ids);
  PackProgress progress;
  if (limit && !groups.empty()) progress.last_oid = groups.back().oid(0);
  progress.pruned_data = ids.size();
  return progress;
}

Result<PackProgress> MariaDbDatabase::pack_partition(std::uint32_t partition, Oid min_oid,
                                                     Tid pack_tid, std::uint64_t limit) {
  return guard([&] {
    return pack_rows(partition, ">=" + n(min_oid.value), std::max<std::uint64_t>(limit, 1),
                     pack_tid);
  });
}

Result<PackProgress> MariaDbDatabase::pack_oids(std::uint32_t partition, std::span<const Oid> oids,
                                                Tid pack_tid) {
  return guard([&] {
    std::vector<std::uint64_t> values;
    for (Oid oid : oids) values.push_back(oid.value);
    if (values.empty()) return PackProgress{};
    return pack_rows(partition, " IN (" + join_decimal(values) + ")", std::nullopt, pack_tid);
  });
}

}  // namespace neo::storage
