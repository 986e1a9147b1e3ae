// Opening a storage database: schema, configuration, lock, reset, upgrades.
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "tests/unit/storage/storage_test_support.hpp"

using namespace neo;
using namespace neo::storage;
using namespace neo::storage::test;

namespace {

// The structure NEO/py's SQLite adapter creates (read with the same query
// from a database made by NEO/py 1.12+ with --dedup): table, WITHOUT ROWID,
// then name:type:notnull:pk of each column; indexes with their columns.
const char* const kUpstreamStructure =
    "config 1 name:TEXT:1:1 value:TEXT:0:0\n"
    "data 0 id:INTEGER:0:1 hash:BLOB:1:0 compression:INTEGER:1:0 value:BLOB:1:0\n"
    "obj 1 partition:INTEGER:1:1 oid:INTEGER:1:2 tid:INTEGER:1:3 data_id:INTEGER:0:0 "
    "value_tid:INTEGER:0:0\n"
    "pack 0 tid:INTEGER:0:1 approved:BOOLEAN:0:0 partial:BOOLEAN:1:0 oids:BLOB:0:0 "
    "pack_tid:INTEGER:0:0\n"
    "pt 1 partition:INTEGER:1:1 nid:INTEGER:1:2 tid:INTEGER:1:0 pack:INTEGER:0:0\n"
    "tobj 1 partition:INTEGER:1:0 oid:INTEGER:1:2 tid:INTEGER:1:1 data_id:INTEGER:0:0 "
    "value_tid:INTEGER:0:0\n"
    "trans 1 partition:INTEGER:1:1 tid:INTEGER:1:2 packed:BOOLEAN:1:0 oids:BLOB:1:0 "
    "user:BLOB:1:0 description:BLOB:1:0 ext:BLOB:1:0 ttid:INTEGER:1:0\n"
    "ttrans 0 partition:INTEGER:1:0 tid:INTEGER:0:0 packed:BOOLEAN:1:0 oids:BLOB:1:0 "
    "user:BLOB:1:0 description:BLOB:1:0 ext:BLOB:1:0 ttid:INTEGER:1:0\n"
    "index _data_i1 data unique=1 hash,compression\n"
    "index _obj_i1 obj unique=0 partition,tid,oid\n"
    "index _obj_i2 obj unique=0 data_id\n";

std::string structure(const std::string& path) {
  std::ostringstream out;
  for (const auto& table :
       sql_rows(path, "SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")) {
    const std::string& name = table[0];
    out << name << ' '
        << sql_rows(path, "SELECT wr FROM pragma_table_list WHERE name='" + name + "'")[0][0];
    for (const auto& c : sql_rows(
             path, "SELECT name, type, \"notnull\", pk FROM pragma_table_info('" + name + "')")) {
      out << ' ' << c[0] << ':' << c[1] << ':' << c[2] << ':' << c[3];
    }
    out << '\n';
  }
  for (const auto& index : sql_rows(path,
                                    "SELECT name, tbl_name FROM sqlite_master WHERE type='index' "
                                    "AND name NOT LIKE 'sqlite_%' ORDER BY name")) {
    const auto unique = sql_rows(path, "SELECT \"unique\" FROM pragma_index_list('" + index[1] +
                                           "') WHERE name='" + index[0] + "'")[0][0];
    out << "index " << index[0] << ' ' << index[1] << " unique=" << unique << ' ';
    std::string columns;
    for (const auto& c : sql_rows(path, "SELECT name FROM pragma_index_info('" + index[0] + "')")) {
      columns += (columns.empty() ? "" : ",") + c[0];
    }
    out << columns << '\n';
  }
  return out.str();
}

std::string without_dedup(std::string text) {
  const std::string line = "index _data_i1 data unique=1 hash,compression\n";
  text.erase(text.find(line), line.size());
  return text;
}

std::string config_value(const std::string& path, const std::string& key) {
  auto rows = sql_rows(path, "SELECT value, typeof(value) FROM config WHERE name='" + key + "'");
  if (rows.empty()) return "<absent>";
  REQUIRE(rows[0][1] == "text");
  return rows[0][0];
}

}  // namespace

TEST_CASE("a new database has the tables, keys and indexes of NEO/py's schema 4", "[storage]") {
  TempDir dir;
  const std::string path = dir.file("db.sqlite");
  {
    auto db = open_fast(path, {.dedup = true});
    CHECK(db->dedup());
    CHECK(db->config("version") == "4");
    CHECK(db->num_partitions() == 0);
    CHECK_FALSE(db->nid());
    CHECK_FALSE(db->ptid());
  }
  CHECK(structure(path) == kUpstreamStructure);
  CHECK(config_value(path, "version") == "4");

  const std::string plain = dir.file("plain.sqlite");
  open_fast(plain);
  CHECK(structure(plain) == without_dedup(kUpstreamStructure));
}

TEST_CASE("reopening a database keeps its configuration, as text", "[storage]") {
  TempDir dir;
  const std::string path = dir.file("db.sqlite");
  {
    auto db = open_fast(path);
    REQUIRE_FALSE(db->name());
    REQUIRE_FALSE(db->set_name("main"));
    give_partitions(*db, 3, 5);
    REQUIRE_FALSE(db->set_backup_tid(Tid{0x03f84a50fbbbbbbbULL}));
    REQUIRE_FALSE(db->set_truncate_tid(Tid{1}));
    REQUIRE_FALSE(db->set_truncate_tid(std::nullopt));
    REQUIRE_FALSE(db->set_config("zodb", "kept as is"));
    REQUIRE_FALSE(db->set_config("partitions", std::nullopt));
    REQUIRE_FALSE(db->commit());
  }
  auto db = open_fast(path);
  CHECK(db->name() == "main");
  CHECK(db->nid() == NodeId{5});
  CHECK(db->ptid() == 1);
  CHECK(db->num_replicas() == 0);
  CHECK(db->backup_tid() == Tid{0x03f84a50fbbbbbbbULL});
  CHECK_FALSE(db->truncate_tid());
  CHECK(db->num_partitions() == 3);
  CHECK(db->readable_partitions() == std::vector<std::uint32_t>{0, 1, 2});
  db.reset();
  CHECK(config_value(path, "name") == "main");
  CHECK(config_value(path, "nid") == "5");
  CHECK(config_value(path, "ptid") == "1");
  CHECK(config_value(path, "replicas") == "0");
  CHECK(config_value(path, "backup_tid") == "03f84a50fbbbbbbb");
  CHECK(config_value(path, "truncate_tid") == "<absent>");
  CHECK(config_value(path, "zodb") == "kept as is");
}

TEST_CASE("a database of another cluster is detectable by its name", "[storage]") {
  TempDir dir;
  const std::string path = dir.file("db.sqlite");
  REQUIRE_FALSE(open_fast(path)->set_name("other"));
  auto db = open_fast(path);
  CHECK(db->name() == "other");
  CHECK(db->name() != "main");
}

TEST_CASE("a database opened twice in one process is locked", "[storage]") {
  TempDir dir;
  const std::string path = dir.file("db.sqlite");
  auto db = open_fast(path);
  CHECK_THROWS_WITH(open_fast(path), Catch::Contains("database is locked"));
  // Another spelling of the same file is the same lock.
  CHECK_THROWS_WITH(SqliteDatabase::open(dir.path().string() + "/./db.sqlite"),
                    Catch::Contains("database is locked"));
  // The lock is NEO/py's abstract socket.
  struct stat st {};
  REQUIRE(stat(path.c_str(), &st) == 0);
  std::ifstream unix_sockets("/proc/net/unix");
  std::stringstream text;
  text << unix_sockets.rdbuf();
  CHECK_THAT(text.str(), Catch::Contains("@neostorage:" + std::to_string(st.st_dev) + ":" +
                                         std::to_string(st.st_ino)));
  // The devpath sent to the master names the same device.
  auto topology = db->topology_path();
  REQUIRE(topology);
  CHECK(topology->second == std::to_string(st.st_dev));
  db.reset();
  CHECK_NOTHROW(open_fast(path));
}

TEST_CASE("a database opened by another process is locked until it exits", "[storage]") {
  TempDir dir;
  const std::string path = dir.file("db.sqlite");
  open_fast(path);  // create it
  int ready[2], done[2];
  REQUIRE(pipe(ready) == 0);
  REQUIRE(pipe(done) == 0);
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    int status = 1;
    try {
      auto db = open_fast(path);
      char c = 'r';
      if (write(ready[1], &c, 1) == 1 && read(done[0], &c, 1) == 1) status = 0;
    } catch (...) {
    }
    _exit(status);
  }
  char c = 0;
  REQUIRE(read(ready[0], &c, 1) == 1);
  CHECK_THROWS_WITH(open_fast(path), Catch::Contains("database is locked"));
  REQUIRE(write(done[1], "x", 1) == 1);
  int status = 0;
  REQUIRE(waitpid(child, &status, 0) == child);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK_NOTHROW(open_fast(path));
  for (int fd : {ready[0], ready[1], done[0], done[1]}) close(fd);
}

TEST_CASE("reset drops every table", "[storage]") {
  TempDir dir;
  const std::string path = dir.file("db.sqlite");
  {
    auto db = open_fast(path, {.dedup = true});
    give_partitions(*db, 2);
    REQUIRE_FALSE(db->reset());
    CHECK_FALSE(db->nid());
    CHECK(db->num_partitions() == 0);
  }
  CHECK(sql_rows(path, "SELECT name FROM sqlite_master").empty());
  // Opening with Options::reset does the same, then recreates the schema.
  REQUIRE_FALSE(open_fast(path)->set_name("x"));
  auto db = open_fast(path, {.reset = true});
  CHECK_FALSE(db->name());
  CHECK(db->config("version") == "4");
}

TEST_CASE("connection strings follow NEO/py's syntax", "[storage]") {
  const char* home = getenv("HOME");
  if (home && *home && std::string(home) != "/") {
    CHECK(SqliteDatabase::parse_target("~/neo.sqlite").path == std::string(home) + "/neo.sqlite");
  }
  CHECK(SqliteDatabase::parse_target("/tmp/a.db").path == "/tmp/a.db");
  auto target = SqliteDatabase::parse_target("file:/tmp/a.db?cache_size=-8000&journal_mode=WAL");
  CHECK(target.path == "/tmp/a.db");
  CHECK(target.pragmas == std::vector<std::pair<std::string, std::string>>{
                              {"cache_size", "-8000"}, {"journal_mode", "WAL"}});
  CHECK(SqliteDatabase::parse_target("file:///tmp/b.db").path == "/tmp/b.db");
  CHECK(SqliteDatabase::parse_target("file:rel.db?cksumvfs=0").path == "rel.db");
  CHECK_FALSE(SqliteDatabase::parse_target("file:rel.db?cksumvfs=0").cksumvfs);
  CHECK_THROWS_WITH(SqliteDatabase::parse_target("file:x?foo=1"),
                    Catch::Contains("unsupported pragma: foo"));
  CHECK_THROWS_WITH(SqliteDatabase::parse_target("file:x?synchronous=0&synchronous=1"),
                    Catch::Contains("duplicate pragma: synchronous"));
  CHECK_THROWS_WITH(SqliteDatabase::parse_target("file:x?cksumvfs=2"),
                    Catch::Contains("invalid or duplicate cksumvfs value"));
  CHECK_THROWS_WITH(SqliteDatabase::parse_target("file:x?cksumvfs=0&cksumvfs=0"),
                    Catch::Contains("invalid or duplicate cksumvfs value"));
  CHECK_THROWS(SqliteDatabase::parse_target("file:x?synchronous"));
  CHECK_THROWS(SqliteDatabase::parse_target("file:x?synchronous=OFF;DROP"));

  TempDir dir;
  CHECK_THROWS_WITH(SqliteDatabase::open("file:" + dir.file("c.db") + "?cksumvfs=1"),
                    Catch::Contains("cksumvfs"));
  // Pragmas are applied (journal_mode=WAL persists in the file).
  const std::string wal = dir.file("wal.db");
  SqliteDatabase::open("file:" + wal + "?journal_mode=WAL&synchronous=OFF");
  CHECK(sql_rows(wal, "PRAGMA journal_mode")[0][0] == "wal");
  // Our default is the write-ahead log; NEO/py's rollback journal on request.
  const std::string plain = dir.file("plain.db");
  SqliteDatabase::open(plain);
  CHECK(sql_rows(plain, "PRAGMA journal_mode")[0][0] == "wal");
  const std::string rollback = dir.file("rollback.db");
  SqliteDatabase::open("file:" + rollback + "?journal_mode=DELETE");
  CHECK(sql_rows(rollback, "PRAGMA journal_mode")[0][0] == "delete");
}

TEST_CASE("a database of a newer schema version is refused", "[storage]") {
  TempDir dir;
  const std::string path = dir.file("db.sqlite");
  open_fast(path);
  sql_exec(path, "UPDATE config SET value='5' WHERE name='version'");
  CHECK_THROWS_WITH(open_fast(path), Catch::Contains("can not be downgraded"));
}

namespace {

// Schema version 0 (NEO/py before 2017), as spec/storage-schema.md 3 describes it.
void create_version0(const std::string& path, bool unfinished) {
  sql_exec(path,
           "CREATE TABLE config (name TEXT NOT NULL PRIMARY KEY, value TEXT) WITHOUT ROWID;"
           "CREATE TABLE pt (rid INTEGER NOT NULL, nid INTEGER NOT NULL, state INTEGER NOT NULL,"
           " PRIMARY KEY (rid, nid));"
           "CREATE TABLE trans (partition INTEGER NOT NULL, tid INTEGER NOT NULL,"
           " packed BOOLEAN NOT NULL, oids BLOB NOT NULL, user BLOB NOT NULL,"
           " description BLOB NOT NULL, ext BLOB NOT NULL, ttid INTEGER NOT NULL,"
           " PRIMARY KEY (partition, tid)) WITHOUT ROWID;"
           "CREATE TABLE obj (partition INTEGER NOT NULL, oid INTEGER NOT NULL,"
           " tid INTEGER NOT NULL, data_id INTEGER, value_tid INTEGER,"
           " PRIMARY KEY (partition, tid, oid));"
           "CREATE INDEX _obj_i1 ON obj(partition, oid, tid);"
           "CREATE INDEX _obj_i2 ON obj(data_id);"
           "CREATE TABLE data (id INTEGER PRIMARY KEY, hash BLOB NOT NULL,"
           " compression INTEGER NOT NULL, value BLOB NOT NULL);"
           "CREATE TABLE ttrans (partition INTEGER NOT NULL, tid INTEGER NOT NULL,"
           " packed BOOLEAN NOT NULL, oids BLOB NOT NULL, user BLOB NOT NULL,"
           " description BLOB NOT NULL, ext BLOB NOT NULL, ttid INTEGER NOT NULL);"
           "CREATE TABLE tobj (partition INTEGER NOT NULL, oid INTEGER NOT NULL,"
           " tid INTEGER NOT NULL, data_id INTEGER, value_tid INTEGER, PRIMARY KEY (tid, oid))"
           " WITHOUT ROWID;"
           "INSERT INTO config VALUES ('name', 'old'), ('nid', '1'), ('partitions', '2'),"
           " ('ptid', '7'), ('replicas', '1');"
           // Old states: 0 UP_TO_DATE, 1 OUT_OF_DATE, 2 FEEDING, 4 CORRUPTED.
           "INSERT INTO pt VALUES (0, 1, 0), (1, 1, 1), (1, 2, 2), (0, 2, 4);"
           "INSERT INTO data VALUES (0, x'0123', 0, x'68656c6c6f');"
           "INSERT INTO obj VALUES (0, 4, 10, 0, NULL), (0, 4, 20, NULL, NULL);"
           "INSERT INTO trans VALUES (0, 10, 0, x'0000000000000004', x'', x'', x'', 10);");
  if (unfinished) {
    sql_exec(path, "INSERT INTO tobj VALUES (0, 2, 30, NULL, NULL)");
  }
}

}  // namespace

TEST_CASE("a version 0 database is upgraded to version 4", "[storage]") {
  TempDir dir;
  const std::string path = dir.file("db.sqlite");
  create_version0(path, false);
  {
    auto db = open_fast(path);
    CHECK(db->config("version") == "4");
    CHECK_FALSE(db->config("partitions"));
    CHECK(db->name() == "old");
    CHECK(db->num_partitions() == 2);
    auto rows = db->pt_rows();
    REQUIRE(rows);
    CHECK(*rows == std::vector<PtRow>{{0, NodeId{1}, -1, 0},
                                      {0, NodeId{2}, -3, std::nullopt},
                                      {1, NodeId{1}, 0, 0},
                                      {1, NodeId{2}, -2, std::nullopt}});
    CHECK(db->readable_partitions() == std::vector<std::uint32_t>{0});
    auto record = db->load(Oid{4}, Tid{10}, std::nullopt);
    REQUIRE(record);
    CHECK(record->data == "hello");
    CHECK(record->next_serial == Tid{20});
  }
  CHECK(structure(path) == without_dedup(kUpstreamStructure));
  CHECK(sql_rows(path, "SELECT partition, oid, tid FROM obj ORDER BY tid") ==
        std::vector<std::vector<std::string>>{{"0", "4", "10"}, {"0", "4", "20"}});
}

TEST_CASE("an upgrade is refused while transactions are unfinished", "[storage]") {
  TempDir dir;
  const std::string path = dir.file("db.sqlite");
  create_version0(path, true);
  CHECK_THROWS_WITH(open_fast(path), Catch::Contains("unfinished transactions"));
  CHECK(sql_rows(path, "SELECT value FROM config WHERE name='version'").empty());
}
