// What is particular to the MariaDB backend: NEO/py's database string, its
// schema, the exclusive lock, the max_allowed_packet check, the strict
// sql_mode, `todel`, reconnection.
#include <catch2/catch.hpp>

#include "nodes/storage/database/mariadb_connection.hpp"
#include "nodes/storage/database/mariadb_database.hpp"
#include "tests/support/mariadb_server.hpp"
#include "tests/unit/storage/db_backend.hpp"

using namespace neo;
using namespace neo::storage;
using namespace neo::storage::test;
using neo::test::MariaDbServer;
using Rows = std::vector<std::vector<std::string>>;

namespace {

std::string describe(const mariadb::Target& t) {
  return t.user.value_or("-") + "|" + t.password.value_or("-") + "|" + t.database + "|" +
         t.socket.value_or("-");
}

}  // namespace

TEST_CASE("the database string is parsed as NEO/py parses it", "[storage][mariadb]") {
  CHECK(describe(mariadb::parse_target("neo")) == "-|-|neo|-");
  CHECK(describe(mariadb::parse_target("user@neo")) == "user|-|neo|-");
  CHECK(describe(mariadb::parse_target("user:secret@neo")) == "user|secret|neo|-");
  CHECK(describe(mariadb::parse_target("user:@neo")) == "user||neo|-");
  CHECK(describe(mariadb::parse_target("root@neo/tmp/my.sock")) == "root|-|neo|/tmp/my.sock");
  CHECK(describe(mariadb::parse_target("neo~/sock")) == "-|-|neo|~/sock");
  CHECK(describe(mariadb::parse_target("neo.sock")) == "-|-|neo|.sock");
  // The password may hold ':' and '@'; the user part ends at the last '@'
  // that leaves a database name after it.
  CHECK(describe(mariadb::parse_target("u:p:w@x@neo")) == "u|p:w@x|neo|-");
  CHECK(describe(mariadb::parse_target("u@x@neo")) == "u@x|-|neo|-");
  CHECK_THROWS_AS(mariadb::parse_target(""), DatabaseError);
  CHECK_THROWS_AS(mariadb::parse_target("/only/a/socket"), DatabaseError);
  CHECK(describe(mariadb::parse_target("user@")) == "-|-|user@|-");  // a database name
}

TEST_CASE("the schema is NEO/py's MySQL schema version 4", "[storage][mariadb]") {
  BackendDb backend;
  auto db = backend.open();
  CHECK(backend.rows("SELECT CAST(value AS CHAR) FROM config WHERE name='version'") == Rows{{"4"}});
  CHECK(backend.rows("SELECT table_name, engine FROM information_schema.tables"
                     " WHERE table_schema=DATABASE() ORDER BY table_name") ==
        Rows{{"bigdata", "InnoDB"},
             {"config", "InnoDB"},
             {"data", "InnoDB"},
             {"obj", "InnoDB"},
             {"pack", "InnoDB"},
             {"pt", "InnoDB"},
             {"tobj", "InnoDB"},
             {"todel", "InnoDB"},
             {"trans", "InnoDB"},
             {"ttrans", "InnoDB"}});
  CHECK(
      backend.rows("SELECT index_name, GROUP_CONCAT(column_name ORDER BY seq_in_index)"
                   " FROM information_schema.statistics WHERE table_schema=DATABASE()"
                   " AND table_name='obj' GROUP BY index_name ORDER BY index_name") ==
      Rows{{"data_id", "data_id"}, {"PRIMARY", "partition,oid,tid"}, {"tid", "partition,tid,oid"}});
  CHECK(backend.rows("SELECT column_name, column_type, is_nullable FROM"
                     " information_schema.columns WHERE table_schema=DATABASE()"
                     " AND table_name='data' ORDER BY ordinal_position") ==
        Rows{{"id", "bigint(20) unsigned", "NO"},
             {"hash", "binary(20)", "NO"},
             {"compression", "tinyint(3) unsigned", "YES"},
             {"value", "mediumblob", "NO"}});
  CHECK(backend.rows("SELECT column_name FROM information_schema.key_column_usage WHERE"
                     " table_schema=DATABASE() AND table_name='ttrans'") == Rows{{"ttid"}});
  CHECK_FALSE(dynamic_cast<MariaDbDatabase&>(*db).dedup());
  db.reset();
  BackendDb dedup;
  auto with_dedup = dedup.open(true);
  CHECK(dedup.rows("SELECT GROUP_CONCAT(column_name ORDER BY seq_in_index) FROM"
                   " information_schema.statistics WHERE table_schema=DATABASE()"
                   " AND table_name='data' AND index_name='hash'") == Rows{{"hash,compression"}});
  CHECK(dynamic_cast<MariaDbDatabase&>(*with_dedup).dedup());
}

TEST_CASE("a second storage on the same database is refused: database is locked",
          "[storage][mariadb]") {
  BackendDb backend;
  auto first = backend.open();
  CHECK_THROWS_WITH(backend.open(), "database is locked");
  first.reset();
  CHECK(backend.open());
}

TEST_CASE("an unknown engine is refused; the lock and session follow upstream",
          "[storage][mariadb]") {
  MariaDbServer& server = MariaDbServer::require();
  const std::string database = server.create_database("neo_engine");
  CHECK_THROWS_WITH(MariaDbDatabase::open(database, {.engine = "MyISAM"}),
                    Catch::Contains("Unsupported engine"));
  // Strict sql_mode: a value too long for config.value is an error, not a truncation.
  auto db = MariaDbDatabase::open(database);
  CHECK(db->set_config("name", std::string(300, 'x')) ==
        std::error_code(mariadb::kDataTooLong, mariadb_error_category()));
  // Except the Importer's zodb value, for which the column is widened.
  CHECK_FALSE(db->set_config("zodb", std::string(300, 'z')));
  CHECK_FALSE(db->commit());
  CHECK(server.rows("neo_engine", "SELECT LENGTH(value) FROM config WHERE name='zodb'") ==
        Rows{{"300"}});
}

TEST_CASE("a server whose max_allowed_packet is below 32769k is refused", "[storage][mariadb]") {
  MariaDbServer& server = MariaDbServer::require();
  const std::string database = server.create_database("neo_packet");
  server.exec("", "SET GLOBAL max_allowed_packet = 16777216");
  CHECK_THROWS_WITH(MariaDbDatabase::open(database),
                    "Global variable 'max_allowed_packet' is too small. Minimal value must be "
                    "32769k.");
  server.exec("", "SET GLOBAL max_allowed_packet = 67108864");
  CHECK(MariaDbDatabase::open(database));
}

TEST_CASE("data rows listed in todel are pruned at startup", "[storage][mariadb]") {
  BackendDb backend;
  {
    auto db = backend.open();
    give_partitions(*db, 1);
    REQUIRE(db->store_data(sha1("orphan"), Oid{1}, "orphan", 0, std::nullopt));
    REQUIRE(db->store_data(sha1("kept"), Oid{1}, "kept", 0, std::nullopt));
    REQUIRE_FALSE(db->commit());
    backend.exec("INSERT INTO todel VALUES (0)");
    CHECK(db->orphan_data_ids().value() == std::vector<std::uint64_t>{1});  // 0 is in todel
  }
  auto db = backend.open();
  CHECK(backend.rows("SELECT id FROM data") == Rows{{"1"}});
  CHECK(backend.count("todel") == 0);
}

TEST_CASE("a lost connection is reestablished only when nothing is uncommitted",
          "[storage][mariadb]") {
  MariaDbServer& server = MariaDbServer::require();
  BackendDb backend;
  auto opened = backend.open();
  auto& db = dynamic_cast<MariaDbDatabase&>(*opened);
  give_partitions(db, 1);
  // Idle: the next query reconnects (and takes the lock again).
  server.exec("", "KILL " + std::to_string(db.connection_id()));
  CHECK(db.last_ids());
  CHECK(db.partition_table().value().size() == 1);
  CHECK_THROWS_WITH(backend.open(), "database is locked");
  // With uncommitted changes: the statement fails, nothing is replayed.
  REQUIRE(db.store_data(sha1("lost"), Oid{0}, "lost", 0, std::nullopt));
  server.exec("", "KILL " + std::to_string(db.connection_id()));
  auto failed = db.store_data(sha1("next"), Oid{0}, "next", 0, std::nullopt);
  REQUIRE_FALSE(failed);
  CHECK(failed.error().category() == mariadb_error_category());
  // The transaction is lost: it can no more be committed nor continued.
  CHECK(db.commit() == errc::connection_closed);
  CHECK(db.store_data(sha1("x"), Oid{0}, "x", 0, std::nullopt).error() == errc::connection_closed);
  CHECK(backend.count("data") == 0);
  opened.reset();
  // Idle again after a reopen: a commit of nothing survives a lost connection.
  opened = backend.open();
  auto& again = dynamic_cast<MariaDbDatabase&>(*opened);
  server.exec("", "KILL " + std::to_string(again.connection_id()));
  CHECK_FALSE(again.commit());
  CHECK(again.last_ids());
}

TEST_CASE("a database of schema version 2 is upgraded to 4 as NEO/py does", "[storage][mariadb]") {
  BackendDb backend;
  backend.exec(
      "CREATE TABLE config (name VARBINARY(255) NOT NULL PRIMARY KEY, value VARBINARY(255) NULL)"
      " ENGINE=InnoDB;"
      "INSERT INTO config VALUES ('version', '2'), ('name', 'old'), ('nid', '1'),"
      " ('partitions', '2'), ('ptid', '7');"
      "CREATE TABLE pt (rid INT UNSIGNED NOT NULL, nid INT NOT NULL, state TINYINT UNSIGNED"
      " NOT NULL, PRIMARY KEY (rid, nid)) ENGINE=InnoDB;"
      "INSERT INTO pt VALUES (0, 1, 0), (0, 2, 2), (1, 1, 1), (1, 2, 4)");
  auto db = backend.open();
  CHECK(backend.rows("SELECT CAST(name AS CHAR), CAST(value AS CHAR) FROM config ORDER BY name") ==
        Rows{{"name", "old"}, {"nid", "1"}, {"ptid", "7"}, {"version", "4"}});
  CHECK(db->pt_rows().value() == std::vector<PtRow>{{0, NodeId{1}, -1, 0},
                                                    {0, NodeId{2}, -2, std::nullopt},
                                                    {1, NodeId{1}, 0, 0},
                                                    {1, NodeId{2}, -3, std::nullopt}});
  CHECK(backend.rows("SELECT column_name, column_type FROM information_schema.columns WHERE"
                     " table_schema=DATABASE() AND table_name='pt' ORDER BY ordinal_position") ==
        Rows{{"partition", "smallint(5) unsigned"},
             {"nid", "int(11)"},
             {"tid", "bigint(20)"},
             {"pack", "bigint(20) unsigned"}});
  CHECK(db->readable_partitions() == std::vector<std::uint32_t>{0});
  CHECK(backend.count("pack") == 0);
}

TEST_CASE("a newer schema is refused", "[storage][mariadb]") {
  BackendDb backend;
  backend.exec(
      "CREATE TABLE config (name VARBINARY(255) NOT NULL PRIMARY KEY, value VARBINARY(255) NULL);"
      "INSERT INTO config VALUES ('version', '5')");
  CHECK_THROWS_WITH(backend.open(), Catch::Contains("can not be downgraded"));
}
