// tests/support/sqlite_rows.hpp
// The number of rows of a table in a SQLite file (a storage's database), read
// by a connection of its own while the storage may be writing: benchmarks
// and tests poll it. Header-only; users link SQLite::SQLite3.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <string>

namespace neo::test {

// Rows of `table` in `path`; -1 if it cannot be read (no file, no table yet).
inline std::int64_t count_rows(const std::string& path, const std::string& table) {
  sqlite3* db = nullptr;
  std::int64_t count = -1;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_busy_timeout(db, 10000);
    sqlite3_stmt* statement = nullptr;
    const std::string sql = "SELECT COUNT(*) FROM " + table;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &statement, nullptr) == SQLITE_OK &&
        sqlite3_step(statement) == SQLITE_ROW)
      count = sqlite3_column_int64(statement, 0);
    sqlite3_finalize(statement);
  }
  sqlite3_close(db);
  return count;
}

}  // namespace neo::test
