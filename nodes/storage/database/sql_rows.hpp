// Rows of the SQL backends read into SqlDatabase's values (internal to this
// folder): templates over a row with the accessors sqlite::Query and
// mariadb::Row share (is_null, i64, opt_i64, tid, opt_tid, str), so both
// backends read a column list the same way, each with its driver's own
// conversions and errors.
#pragma once

#include "nodes/storage/database/sql_database.hpp"

namespace neo::storage {

// The columns transaction_row_of() reads: oids, user, description, ext, packed,
// ttid, then the joined pack row's approved, partial, oids, pack_tid.
inline constexpr const char* kTransactionColumns =
    "oids, user, description, ext, packed, ttid, approved, partial, pack.oids, pack_tid";

template <class Row>
SqlTransactionRow transaction_row_of(const Row& row) {
  SqlTransactionRow result;
  result.oids = row.str(0);
  result.user = row.str(1);
  result.description = row.str(2);
  result.extension = row.str(3);
  result.packed = row.i64(4) != 0;
  result.ttid = row.tid(5);
  if (!row.is_null(7)) {
    if (!row.is_null(6)) result.approved = row.i64(6) != 0;
    result.partial = row.i64(7) != 0;
    if (!row.is_null(8)) result.pack_oids = row.str(8);
    result.pack_tid = row.tid(9);
  }
  return result;
}

// (tid, approved, partial, oids, pack_tid) of the pack table.
template <class Row>
SqlPackRow pack_row_of(const Row& row) {
  SqlPackRow order;
  order.tid = row.tid(0);
  if (!row.is_null(1)) order.approved = row.i64(1) != 0;
  order.partial = row.i64(2) != 0;
  if (!row.is_null(3)) order.oids = row.str(3);
  order.pack_tid = row.tid(4);
  return order;
}

// (tid, compression, hash, value, value_tid) of obj joined with data; the
// value as stored (MariaDB's big values are joined by the caller).
template <class Row>
ObjectRecord object_record_of(const Row& row) {
  ObjectRecord record;
  record.serial = row.tid(0);
  record.compression = row.opt_i64(1);
  if (record.compression) {
    record.checksum = row.str(2);
    record.data = row.str(3);
  }
  record.data_serial = row.opt_tid(4);
  return record;
}

}  // namespace neo::storage
