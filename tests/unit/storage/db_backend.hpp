// The backend under test of the database-layer tests written once for both
// backends (database_*_test.cpp): storage_db_test builds them on SQLite,
// storage_mariadb_test on MariaDB (NEO_TEST_MARIADB), on the test program's
// private server (tests/support/mariadb_server.hpp).
#pragma once

#include <memory>
#include <string>
#include <system_error>
#include <vector>

#include "nodes/storage/database/database.hpp"
#include "tests/unit/storage/storage_test_support.hpp"

namespace neo::storage::test {

// One database of the backend under test, new and empty.
class BackendDb {
 public:
  BackendDb();
  ~BackendDb();
  BackendDb(const BackendDb&) = delete;
  BackendDb& operator=(const BackendDb&) = delete;

  // "SQLite", "InnoDB" or "RocksDB".
  static const char* name();
  // The error category of the backend's own failures.
  static const std::error_category& error_category();

  // Opens (creating on first use) the database.
  std::unique_ptr<Database> open(bool dedup = false) const;
  // Rows of a query on a separate connection, as text: "NULL", x'..' for
  // byte strings. Column `partition` must be written in backticks.
  std::vector<std::vector<std::string>> rows(const std::string& sql) const;
  // Statements on a separate connection.
  void exec(const std::string& sql) const;
  std::size_t count(const std::string& table) const;

 private:
  TempDir dir_;
  std::string name_;  // the MariaDB database
  std::string database_;
};

}  // namespace neo::storage::test
