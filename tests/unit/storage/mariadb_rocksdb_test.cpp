// MariaDB with the RocksDB engine (-e RocksDB): NEO/py's column families.
#include <catch2/catch.hpp>

#include "nodes/storage/database/mariadb_database.hpp"
#include "tests/unit/storage/db_backend.hpp"

using namespace neo::storage;
using namespace neo::storage::test;
using Rows = std::vector<std::vector<std::string>>;

TEST_CASE("with RocksDB, every table and index is in NEO/py's column families",
          "[storage][mariadb]") {
  REQUIRE(std::string(BackendDb::name()) == "RocksDB");
  BackendDb backend;
  auto db = backend.open(true);
  CHECK(dynamic_cast<MariaDbDatabase&>(*db).engine() == "RocksDB");
  CHECK(backend.rows("SELECT COUNT(*) FROM information_schema.tables WHERE"
                     " table_schema=DATABASE() AND engine='ROCKSDB'") == Rows{{"10"}});
  CHECK(backend.rows("SELECT table_name, index_name, index_comment FROM"
                     " information_schema.statistics WHERE table_schema=DATABASE()"
                     " AND index_comment<>'' GROUP BY table_name, index_name"
                     " ORDER BY table_name, index_name") ==
        Rows{{"bigdata", "PRIMARY", "cf_neo_append"},
             {"data", "hash", "cf_neo_no_comp"},
             {"data", "PRIMARY", "cf_neo_append"},
             {"obj", "data_id", "cf_neo_append_meta"},
             {"obj", "PRIMARY", "rev:cf_neo_obj_pk"},
             {"obj", "tid", "cf_neo_append_meta"},
             {"tobj", "PRIMARY", "cf_neo_no_comp"},
             {"todel", "PRIMARY", "cf_neo_no_comp"},
             {"trans", "PRIMARY", "cf_neo_append_meta"},
             {"ttrans", "PRIMARY", "cf_neo_no_comp"}});
}
