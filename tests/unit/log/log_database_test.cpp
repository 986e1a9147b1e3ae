#include "core/log/log_database.hpp"

#include <catch2/catch.hpp>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <thread>

#include "tests/unit/log/log_test_support.hpp"

using namespace neo::log;
using neo::log::test::Reader;
using neo::log::test::Row;
using neo::log::test::TempDir;

namespace {

const LogDatabase::Options kImmediate{.backlog = std::nullopt, .protocol = {}};

LogRecord record(double date, Level level, std::string msg, NodeKey node = {}) {
  return LogRecord{.date = date,
                   .node = std::move(node),
                   .level = level,
                   .pathname = "core/x.cpp",
                   .lineno = 42,
                   .msg = std::move(msg)};
}

std::string table_sql(const Reader& reader, const std::string& table) {
  auto rows = reader.query("SELECT sql FROM sqlite_master WHERE name='" + table + "'");
  return rows.empty() ? "" : *rows[0][0];
}

}  // namespace

TEST_CASE("a new log database has NEO/py's tables", "[log]") {
  TempDir dir;
  LogDatabase db(dir.file("a.log"), kImmediate);
  CHECK(db.pragma("journal_mode") == "memory");
  CHECK(db.pragma("synchronous") == "0");
  Reader reader(dir.file("a.log"));
  for (const char* table : {"log", "packet", "protocol"}) {
    CAPTURE(table);
    CHECK_THAT(table_sql(reader, table), Catch::Contains("WITHOUT ROWID"));
    CHECK_THAT(table_sql(reader, table), Catch::Contains("date REAL PRIMARY KEY"));
  }
  auto columns = [&](const std::string& table) {
    std::vector<std::string> out;
    for (const Row& row : reader.query("PRAGMA table_info(" + table + ")"))
      out.push_back(*row[1] + " " + *row[2] + (*row[3] == "1" ? " NOT NULL" : ""));
    return out;
  };
  using V = std::vector<std::string>;  // WITHOUT ROWID keys are NOT NULL
  CHECK(columns("log") == V{"date REAL NOT NULL", "node INTEGER", "level INTEGER NOT NULL",
                            "pathname TEXT", "lineno INTEGER", "msg TEXT"});
  CHECK(columns("packet") == V{"date REAL NOT NULL", "node INTEGER", "msg_id INTEGER NOT NULL",
                               "code INTEGER NOT NULL", "peer TEXT NOT NULL", "body BLOB"});
  CHECK(columns("protocol") == V{"date REAL NOT NULL", "text BLOB NOT NULL"});
  CHECK(columns("node") == V{"id INTEGER", "name TEXT", "cluster TEXT", "nid INTEGER"});
  CHECK_THAT(table_sql(reader, "node"), !Catch::Contains("WITHOUT ROWID"));
  CHECK(reader.count("protocol") == 0);  // no protocol text given
}

TEST_CASE("with a backlog, synchronous is left alone", "[log]") {
  TempDir dir;
  LogDatabase db(dir.file("a.log"), {});
  CHECK(db.pragma("journal_mode") == "memory");
  CHECK(db.pragma("synchronous") != "0");
}

TEST_CASE("log records are written with every column", "[log]") {
  TempDir dir;
  LogDatabase db(dir.file("a.log"), kImmediate);
  db.add(record(1700000000.5, Level::Error, "line 1\nline 2"));
  Reader reader(dir.file("a.log"));
  auto rows = reader.query("SELECT date, node, level, pathname, lineno, msg FROM log");
  REQUIRE(rows.size() == 1);
  CHECK(rows[0] == Row{"1700000000.5", std::nullopt, "40", "core/x.cpp", "42", "line 1\nline 2"});
}

TEST_CASE("packets are written with their peer and body", "[log]") {
  TempDir dir;
  LogDatabase db(dir.file("a.log"), kImmediate);
  db.add(PacketRecord{.date = 10.25,
                      .node = {},
                      .msg_id = 18,
                      .code = 0x8020,
                      .peer = "> S1 (127.0.0.1:20000)",
                      .body = std::string("\x92\xc0\x01", 3)});
  db.add(PacketRecord{
      .date = 11, .node = {}, .msg_id = 0, .code = 1, .peer = "< None ()", .body = std::nullopt});
  Reader reader(dir.file("a.log"));
  auto rows = reader.query("SELECT date, node, msg_id, code, peer, body, typeof(body) FROM packet");
  REQUIRE(rows.size() == 2);
  CHECK(rows[0] == Row{"10.25", std::nullopt, "18", "32800", "> S1 (127.0.0.1:20000)",
                       std::string("\x92\xc0\x01", 3), "blob"});
  CHECK(rows[1] == Row{"11.0", std::nullopt, "0", "1", "< None ()", std::nullopt, "null"});
}

TEST_CASE("records with the same date move to the next representable double", "[log]") {
  TempDir dir;
  LogDatabase db(dir.file("a.log"), kImmediate);
  const double t = 1700000000.123456;
  for (int i = 0; i < 3; ++i) db.add(record(t, Level::Info, std::to_string(i)));
  db.add(PacketRecord{.date = t, .node = {}, .msg_id = 1, .code = 1, .peer = "x", .body = {}});
  Reader reader(dir.file("a.log"));
  auto dates = reader.dates("log");
  const double inf = std::numeric_limits<double>::infinity();
  REQUIRE(dates.size() == 3);
  CHECK(dates[0] == t);
  CHECK(dates[1] == std::nextafter(t, inf));
  CHECK(dates[2] == std::nextafter(dates[1], inf));
  auto msgs = reader.query("SELECT msg FROM log ORDER BY date");
  CHECK(msgs == std::vector<Row>{{"0"}, {"1"}, {"2"}});
  CHECK(reader.dates("packet") == std::vector<double>{t});  // per table
}

TEST_CASE("node rows are added on first use of each identity", "[log]") {
  TempDir dir;
  {
    LogDatabase db(dir.file("a.log"), kImmediate);
    db.add(record(1, Level::Info, "unknown"));
    db.add(record(2, Level::Info, "cluster", {.name = {}, .cluster = "test", .nid = {}}));
    db.add(record(3, Level::Info, "nid", {.name = {}, .cluster = "test", .nid = -268435455}));
    db.add(record(4, Level::Info, "again", {.name = {}, .cluster = "test", .nid = -268435455}));
  }
  {
    LogDatabase db(dir.file("a.log"), kImmediate);  // ids survive reopening
    db.add(record(5, Level::Info, "reopened", {.name = {}, .cluster = "test", .nid = -268435455}));
    db.add(record(6, Level::Info, "named", {.name = "S1", .cluster = "test", .nid = 1}));
  }
  Reader reader(dir.file("a.log"));
  CHECK(reader.query("SELECT id, name, cluster, nid FROM node ORDER BY id") ==
        std::vector<Row>{{"0", std::nullopt, "test", std::nullopt},
                         {"1", std::nullopt, "test", "-268435455"},
                         {"2", "S1", "test", "1"}});
  CHECK(reader.query("SELECT node FROM log ORDER BY date") ==
        std::vector<Row>{{std::nullopt}, {"0"}, {"1"}, {"1"}, {"1"}, {"2"}});
}

TEST_CASE("the backlog is written only when a warning comes", "[log]") {
  TempDir dir;
  LogDatabase db(dir.file("a.log"), {});
  db.add(record(1, Level::Debug, "debug"));
  db.add(record(2, Level::Info, "info"));
  db.add(PacketRecord{.date = 3, .node = {}, .msg_id = 1, .code = 1, .peer = "x", .body = {}});
  Reader reader(dir.file("a.log"));
  CHECK(reader.count("log") == 0);
  CHECK(reader.count("packet") == 0);
  CHECK(db.backlog_count() == 3);
  db.add(record(4, Level::Warning, "warning"));
  CHECK(reader.query("SELECT msg FROM log ORDER BY date") ==
        std::vector<Row>{{"debug"}, {"info"}, {"warning"}});
  CHECK(reader.count("packet") == 1);
  CHECK(db.backlog_count() == 0);
  db.add(record(5, Level::Info, "later"));
  CHECK(reader.count("log") == 3);
}

TEST_CASE("flush writes the backlog", "[log]") {
  TempDir dir;
  LogDatabase db(dir.file("a.log"), {});
  db.add(record(1, Level::Info, "a"));
  db.add(record(2, Level::Info, "b"));
  Reader reader(dir.file("a.log"));
  CHECK(reader.count("log") == 0);
  db.flush();
  CHECK(reader.count("log") == 2);
  CHECK(db.backlog_size() == 0);
  db.flush();  // nothing more
  CHECK(reader.count("log") == 2);
}

TEST_CASE("the backlog ring is bounded and keeps the newest records", "[log]") {
  TempDir dir;
  const std::size_t max = 4096;
  LogDatabase db(dir.file("a.log"), {.backlog = max, .protocol = {}});
  for (int i = 0; i < 1000; ++i) {
    db.add(record(i, Level::Info, std::string(100, 'x') + std::to_string(i)));
    CHECK(db.backlog_size() <= max);
  }
  std::size_t kept = db.backlog_count();
  CHECK(kept > 5);
  CHECK(kept < 1000);
  db.flush();
  Reader reader(dir.file("a.log"));
  auto dates = reader.dates("log");
  REQUIRE(dates.size() == kept);
  CHECK(dates.back() == 999);
  CHECK(dates.front() == 1000 - kept);
}

TEST_CASE("switching to immediate mode writes the backlog", "[log]") {
  TempDir dir;
  LogDatabase db(dir.file("a.log"), {});
  db.add(record(1, Level::Info, "a"));
  db.set_backlog(std::nullopt);
  db.add(record(2, Level::Info, "b"));
  Reader reader(dir.file("a.log"));
  CHECK(reader.count("log") == 2);
}

TEST_CASE("the protocol text is stored once, and again when it changes", "[log]") {
  TempDir dir;
  std::string path = dir.file("a.log");
  { LogDatabase db(path, {.backlog = std::nullopt, .protocol = "v1"}); }
  { LogDatabase db(path, {.backlog = std::nullopt, .protocol = "v1"}); }
  {
    Reader reader(path);
    CHECK(reader.query("SELECT date, text FROM protocol") == std::vector<Row>{{"0.0", "v1"}});
  }
  { LogDatabase db(path, {.backlog = std::nullopt, .protocol = "v2"}); }
  Reader reader(path);
  auto rows = reader.query("SELECT date, text FROM protocol ORDER BY date");
  REQUIRE(rows.size() == 2);
  CHECK(rows[1][1] == "v2");
  CHECK(std::stod(*rows[1][0]) > 1.6e9);
}

TEST_CASE("reopen after a rename starts a new file and leaves the old one valid", "[log]") {
  TempDir dir;
  std::string path = dir.file("a.log");
  LogDatabase db(path, {.backlog = std::nullopt, .protocol = "proto"});
  db.add(record(1, Level::Info, "before", {.name = {}, .cluster = "test", .nid = 1}));
  std::filesystem::rename(path, path + ".1");
  db.add(record(2, Level::Info, "still old"));
  db.reopen();
  db.add(record(3, Level::Info, "after", {.name = {}, .cluster = "test", .nid = 1}));

  Reader old_file(path + ".1");
  CHECK(old_file.query("PRAGMA integrity_check") == std::vector<Row>{{"ok"}});
  CHECK(old_file.query("SELECT msg FROM log ORDER BY date") ==
        std::vector<Row>{{"before"}, {"still old"}});
  // No packet in it: its protocol table is dropped.
  CHECK(old_file.query("SELECT name FROM sqlite_master WHERE name='protocol'").empty());

  Reader new_file(path);
  CHECK(new_file.query("SELECT msg, node FROM log") == std::vector<Row>{{"after", "0"}});
  CHECK(new_file.query("SELECT id, cluster, nid FROM node") ==
        std::vector<Row>{{"0", "test", "1"}});
  CHECK(new_file.query("SELECT date, text FROM protocol") == std::vector<Row>{{"0.0", "proto"}});
}

TEST_CASE("reopen keeps the protocol table of a file with packets", "[log]") {
  TempDir dir;
  std::string path = dir.file("a.log");
  LogDatabase db(path, {.backlog = std::nullopt, .protocol = "proto"});
  db.add(PacketRecord{.date = 1, .node = {}, .msg_id = 1, .code = 1, .peer = "x", .body = {}});
  std::filesystem::rename(path, path + ".1");
  db.reopen();
  Reader old_file(path + ".1");
  CHECK(old_file.count("protocol") == 1);
  CHECK(std::filesystem::exists(path));
}

TEST_CASE("the backlog survives a reopen and goes to the new file", "[log]") {
  TempDir dir;
  std::string path = dir.file("a.log");
  LogDatabase db(path, {});
  db.add(record(1, Level::Info, "kept"));
  std::filesystem::rename(path, path + ".1");
  db.reopen();
  db.flush();
  Reader new_file(path);
  CHECK(new_file.query("SELECT msg FROM log") == std::vector<Row>{{"kept"}});
}

TEST_CASE("a record waits for a reader's lock instead of being lost", "[log]") {
  TempDir dir;
  std::string path = dir.file("a.log");
  LogDatabase db(path, kImmediate);
  db.add(record(1, Level::Info, "first"));
  Reader reader(path);
  sqlite3_exec(reader.handle(), "BEGIN", nullptr, nullptr, nullptr);
  CHECK(reader.count("log") == 1);  // holds a shared lock until COMMIT
  std::thread writer([&] { db.add(record(2, Level::Warning, "second")); });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  sqlite3_exec(reader.handle(), "COMMIT", nullptr, nullptr, nullptr);
  writer.join();
  CHECK(reader.count("log") == 2);
}

TEST_CASE("tables of the format before 2018 are kept aside", "[log]") {
  TempDir dir;
  std::string path = dir.file("old.log");
  {
    sqlite3* raw = nullptr;
    sqlite3_open(path.c_str(), &raw);
    sqlite3_exec(raw,
                 "CREATE TABLE log (id INTEGER PRIMARY KEY AUTOINCREMENT, date REAL NOT NULL,"
                 " name TEXT, level INTEGER NOT NULL, pathname TEXT, lineno INTEGER, msg TEXT);"
                 "INSERT INTO log VALUES (1, 1.0, 'old', 20, 'x.py', 1, 'old record')",
                 nullptr, nullptr, nullptr);
    sqlite3_close(raw);
  }
  LogDatabase db(path, kImmediate);
  db.add(record(2, Level::Info, "new record"));
  Reader reader(path);
  CHECK(reader.query("SELECT msg FROM log1") == std::vector<Row>{{"old record"}});
  CHECK(reader.query("SELECT msg FROM log") == std::vector<Row>{{"new record"}});
}

TEST_CASE("a log file that cannot be created is a startup error", "[log]") {
  TempDir dir;
  CHECK_THROWS_WITH(LogDatabase(dir.file("missing/dir/a.log"), kImmediate),
                    Catch::Contains("cannot open log file"));
}

// A node killed in the middle of a log write can leave the file corrupt
// (journal_mode = MEMORY): the next start keeps it aside and logs anew.
TEST_CASE("a corrupt or foreign log file is kept aside and a new one started", "[log]") {
  TempDir dir;
  const std::string path = dir.file("a.log");
  SECTION("corrupt") {
    { LogDatabase db(path, kImmediate); }
    std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(100);  // page 1's b-tree header: an invalid page type
    file.put('\xff');
  }
  SECTION("not a database") {
    std::ofstream file(path, std::ios::binary);
    for (int i = 0; i < 200; ++i) file << "not a database ";
  }
  const auto aside_size = std::filesystem::file_size(path);
  LogDatabase db(path, kImmediate);
  db.add(record(1700000000.5, Level::Info, "after"));
  CHECK(std::filesystem::file_size(path + ".corrupt") == aside_size);
  Reader reader(path);
  CHECK(reader.count("log") == 1);
}
