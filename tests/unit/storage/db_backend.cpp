#include "tests/unit/storage/db_backend.hpp"

#ifdef NEO_TEST_MARIADB

#include "nodes/storage/database/mariadb_database.hpp"
#include "tests/support/mariadb_server.hpp"
#else
#include "nodes/storage/database/sqlite_database.hpp"
#endif

namespace neo::storage::test {

#ifdef NEO_TEST_MARIADB

namespace {

#ifdef NEO_TEST_ROCKSDB
constexpr const char* kEngine = "RocksDB";
#else
constexpr const char* kEngine = "InnoDB";
#endif

neo::test::MariaDbServer& server() {
#ifdef NEO_TEST_ROCKSDB
  static const bool requested =
      (neo::test::MariaDbServer::load_plugin_at_start("ha_rocksdb"), true);
  (void)requested;
#endif
  neo::test::MariaDbServer& server = neo::test::MariaDbServer::require();
#ifdef NEO_TEST_ROCKSDB
  static const bool loaded = server.plugin_active("ROCKSDB");
  if (!loaded) {
    neo::test::MariaDbServer::skip_program(
        "MariaDB's RocksDB plugin is not installed (apt-get install mariadb-plugin-rocksdb)");
  }
#endif
  return server;
}

}  // namespace

BackendDb::BackendDb() {
  static int next = 0;
  name_ = "neo_test_" + std::to_string(next++);
  database_ = server().create_database(name_);
}

BackendDb::~BackendDb() { server().exec("", "DROP DATABASE IF EXISTS " + name_); }

const char* BackendDb::name() { return kEngine; }

const std::error_category& BackendDb::error_category() { return mariadb_error_category(); }

std::unique_ptr<Database> BackendDb::open(bool dedup) const {
  return MariaDbDatabase::open(database_, {.dedup = dedup, .engine = kEngine});
}

std::vector<std::vector<std::string>> BackendDb::rows(const std::string& sql) const {
  return server().rows(name_, sql);
}

void BackendDb::exec(const std::string& sql) const { server().exec(name_, sql); }

#else

BackendDb::BackendDb() : database_(dir_.file("db.sqlite")) {}

BackendDb::~BackendDb() = default;

const char* BackendDb::name() { return "SQLite"; }

const std::error_category& BackendDb::error_category() { return sqlite_error_category(); }

std::unique_ptr<Database> BackendDb::open(bool dedup) const {
  return open_fast(database_, {.dedup = dedup});
}

std::vector<std::vector<std::string>> BackendDb::rows(const std::string& sql) const {
  return sql_rows(database_, sql);
}

void BackendDb::exec(const std::string& sql) const { sql_exec(database_, sql); }

#endif

std::size_t BackendDb::count(const std::string& table) const {
  return std::stoul(rows("SELECT COUNT(*) FROM " + table).at(0).at(0));
}

}  // namespace neo::storage::test
