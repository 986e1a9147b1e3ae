// MariaDbDatabase: loads, transaction metadata and last ids.
#include <algorithm>

#include "nodes/storage/database/database_logic.hpp"
#include "nodes/storage/database/mariadb_connection.hpp"
#include "nodes/storage/database/mariadb_database.hpp"
#include "nodes/storage/database/sql_guard.hpp"
#include "nodes/storage/database/sql_rows.hpp"

namespace neo::storage {
namespace {

std::string n(std::uint64_t value) { return std::to_string(value); }

constexpr std::string_view kRecordColumns = "SELECT tid, compression, data.hash, value, value_tid";

}  // namespace

std::optional<Tid> MariaDbDatabase::next_serial(std::uint32_t partition, Oid oid, Tid serial) {
  auto rows =
      q("SELECT tid FROM obj FORCE INDEX(PRIMARY) WHERE `partition`=" + n(partition) +
        " AND oid=" + n(oid.value) + " AND tid>" + n(serial.value) + " ORDER BY tid LIMIT 1");
  if (rows.empty()) return std::nullopt;
  return rows[0].tid(0);
}

ObjectRecord MariaDbDatabase::record_of(const mariadb::Row& row) {
  ObjectRecord record = object_record_of(row);
  if (record.compression && (*record.compression & kBigDataFlag)) {
    *record.compression &= ~kBigDataFlag;
    record.data = load_big_data(record.data);
  }
  return record;
}

Result<ObjectRecord> MariaDbDatabase::load(Oid oid, std::optional<Tid> at,
                                           std::optional<Tid> before) {
  return guard([&] {
    const std::uint32_t partition = readable_partition_of(oid.value);
    const std::string where = " WHERE `partition`=" + n(partition) + " AND oid=" + n(oid.value);
    // One round trip: the next serial comes along (none for the latest).
    std::string sql = std::string(kRecordColumns);
    if (at || before) {
      sql += ", (SELECT next.tid FROM obj AS next" + where +
             " AND next.tid>obj.tid ORDER BY next.tid LIMIT 1)";
    }
    sql += " FROM obj FORCE INDEX(PRIMARY) LEFT JOIN data ON (obj.data_id = data.id)" + where;
    if (at) {
      sql += " AND tid=" + n(at->value);
    } else if (before) {
      sql += " AND tid<" + n(before->value) + " ORDER BY tid DESC LIMIT 1";
    } else {
      sql += " ORDER BY tid DESC LIMIT 1";
    }
    auto rows = q(sql);
    if (rows.empty()) {
      const bool exists = (at || before) && !q("SELECT 1 FROM obj" + where + " LIMIT 1").empty();
      mariadb::fail(make_error_code(exists ? errc::oid_not_found : errc::oid_does_not_exist),
                    to_string(oid));
    }
    ObjectRecord record = record_of(rows[0]);
    if (at || before) record.next_serial = rows[0].opt_tid(5);
    return record;
  });
}

Result<std::optional<Tid>> MariaDbDatabase::last_object_tid(Oid oid) {
  return guard([&]() -> std::optional<Tid> {
    auto rows = q("SELECT tid FROM obj FORCE INDEX(PRIMARY) WHERE `partition`=" +
                  n(readable_partition_of(oid.value)) + " AND oid=" + n(oid.value) +
                  " ORDER BY tid DESC LIMIT 1");
    if (rows.empty()) return std::nullopt;
    return rows[0].tid(0);
  });
}

Result<std::size_t> MariaDbDatabase::visit_objects(std::uint32_t partition,
                                                   std::pair<Tid, Oid> first,
                                                   std::pair<Tid, Oid> last,
                                                   const ObjectVisitor& visit) {
  return guard([&] {
    readable(partition);
    const std::string t1 = n(first.first.value), o1 = n(first.second.value);
    const std::string t2 = n(last.first.value), o2 = n(last.second.value);
    auto rows =
        q(std::string(kRecordColumns) +
          ", oid FROM obj FORCE INDEX(tid) LEFT JOIN data ON (obj.data_id = data.id)"
          " WHERE `partition`=" +
          n(partition) + " AND tid BETWEEN " + t1 + " AND " + t2 + " AND (tid > " + t1 +
          " OR oid >= " + o1 + ") AND (tid < " + t2 + " OR oid <= " + o2 + ") ORDER BY tid, oid");
    std::size_t count = 0;
    for (const auto& row : rows) {
      ++count;
      if (!visit(row.oid(5), record_of(row))) break;
    }
    return count;
  });
}

std::int64_t MariaDbDatabase::partition_last_tid(std::uint32_t partition,
                                                 std::optional<Tid> max_tid) {
  std::string sql =
      "SELECT MAX(tid) FROM trans FORCE INDEX (PRIMARY) WHERE `partition`=" + n(partition);
  if (max_tid) sql += " AND tid<=" + n(max_tid->value);
  const auto tid = q(sql).at(0).opt_i64(0);
  return tid ? *tid : -1;
}

// (greatest object serial, greatest oid) of a partition; -1 when empty.
std::pair<std::int64_t, std::int64_t> MariaDbDatabase::partition_last_ids(std::uint32_t partition) {
  const auto oid =
      q("SELECT MAX(oid) FROM obj FORCE INDEX (PRIMARY) WHERE `partition`=" + n(partition))
          .at(0)
          .opt_i64(0);
  const auto tid = q("SELECT MAX(tid) FROM obj FORCE INDEX (tid) WHERE `partition`=" + n(partition))
                       .at(0)
                       .opt_i64(0);
  return {tid.value_or(-1), oid.value_or(-1)};
}

std::optional<Tid> MariaDbDatabase::partition_first_tid(std::uint32_t partition) {
  return q("SELECT MIN(tid) FROM trans FORCE INDEX (PRIMARY) WHERE `partition`=" + n(partition))
      .at(0)
      .opt_tid(0);
}

std::optional<SqlTransactionRow> MariaDbDatabase::transaction_row(std::uint32_t partition, Tid tid,
                                                                  bool include_locked) {
  static const std::string columns = kTransactionColumns;
  auto rows = q("SELECT trans." + columns +
                " FROM trans LEFT JOIN pack USING (tid) WHERE `partition`=" + n(partition) +
                " AND tid=" + n(tid.value));
  if (rows.empty() && include_locked) {
    rows = q("SELECT ttrans." + columns +
             " FROM ttrans LEFT JOIN pack USING (tid) WHERE tid=" + n(tid.value));
  }
  if (rows.empty()) return std::nullopt;
  return transaction_row_of(rows[0]);
}

}  // namespace neo::storage
