// neolog on hand-made and damaged databases: exact output for odd rows and
// old table layouts; for damaged files, a clear message, the rest shown,
// status 1, and never a crash.
#include <sqlite3.h>

#include <catch2/catch.hpp>
#include <random>
#include <string>

#include "tests/unit/neolog/neolog_test_support.hpp"

using namespace neo::neolog::test;

namespace {

void exec(sqlite3* db, const std::string& sql) {
  char* error = nullptr;
  INFO(sql);
  REQUIRE(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error) == SQLITE_OK);
  sqlite3_free(error);
}

struct Db {
  sqlite3* db = nullptr;
  explicit Db(const std::string& path) { REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK); }
  ~Db() { sqlite3_close(db); }
  void operator()(const std::string& sql) { exec(db, sql); }
};

const char* kSchema =
    "CREATE TABLE log (date REAL PRIMARY KEY, node INTEGER, level INTEGER NOT NULL,"
    " pathname TEXT, lineno INTEGER, msg TEXT) WITHOUT ROWID;"
    "CREATE TABLE packet (date REAL PRIMARY KEY, node INTEGER, msg_id INTEGER NOT NULL,"
    " code INTEGER NOT NULL, peer TEXT NOT NULL, body BLOB) WITHOUT ROWID;"
    "CREATE TABLE protocol (date REAL PRIMARY KEY, text BLOB NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE node (id INTEGER PRIMARY KEY, name TEXT, cluster TEXT, nid INTEGER);";

std::size_t count_lines(const std::string& s) { return std::count(s.begin(), s.end(), '\n'); }

}  // namespace

TEST_CASE("odd rows print as upstream prints them", "[neolog]") {
  TempDir dir;
  const std::string path = dir / "odd.log";
  {
    Db db(path);
    db(kSchema);
    db("INSERT INTO node VALUES (0, NULL, 'c', NULL), (1, NULL, 'c', 1), (2, 'thread-1', 'c', "
       "NULL)");
    db("INSERT INTO log VALUES (10.5, 0, 20, 'a.py', 1, 'first\nsecond\n')");
    db("INSERT INTO log VALUES (11, 1, 25, 'a.py', 2, 'custom level')");
    db("INSERT INTO log VALUES (12, 2, 10, 'a.py', 3, '')");              // no line at all
    db("INSERT INTO log VALUES (13, 7, 40, 'a.py', 4, 'unknown node')");  // no node row
    db("INSERT INTO log VALUES (0, 1, 20, 'a.py', 5, 'dated 0: never shown')");
    db("INSERT INTO packet VALUES (11, 1, 65536, 3, '> M1 (127.0.0.1:1)', X'90')");
    db("INSERT INTO packet VALUES (11.25, 1, 2, 4660, '< S2 ()', X'90')");
  }
  const RunResult r = run({path});
  CHECK(r.status == 0);
  CHECK(r.err.empty());
  CHECK(r.out ==
        "1970-01-01 00:00:10.5000 INFO      odd        first\n"
        "1970-01-01 00:00:10.5000 INFO      odd        second\n"
        "1970-01-01 00:00:11.0000 Level 25  S1         custom level\n"
        "1970-01-01 00:00:11.0000 PACKET    S1         #0x10000 CloseClient                    > "
        "M1 (127.0.0.1:1)\n"
        "1970-01-01 00:00:11.2500 PACKET    S1         #0x0002 UnknownPacket[4660]            < S2 "
        "()\n"
        "1970-01-01 00:00:13.0000 ERROR     odd        unknown node\n");
  CHECK(run({"-n", "thread-1", path}).out.empty());
  CHECK(run({"-N", "-n", "odd", "-d", "", path}).out.find("INFO      odd        first") == 0);
}

TEST_CASE("malformed rows are skipped and reported, the rest is shown", "[neolog]") {
  TempDir dir;
  const std::string path = dir / "bad.log";
  {
    Db db(path);
    db(kSchema);
    db("INSERT INTO log VALUES (1, NULL, 20, 'a.py', 1, 'good')");
    db("INSERT INTO log VALUES (2, NULL, 'INFO', 'a.py', 1, 'level is text')");
    db("INSERT INTO log VALUES ('soon', NULL, 20, 'a.py', 1, 'date is text')");
    db("INSERT INTO log VALUES (3, NULL, 20, 'a.py', 1, NULL)");
    db("INSERT INTO log VALUES (4, NULL, 20, 'a.py', 1, CAST(X'66FF0A67' AS TEXT))");
    db("INSERT INTO packet VALUES (2.5, NULL, 'x', 1, 'p', NULL)");
  }
  const RunResult r = run({path});
  CHECK(r.status == 1);
  CHECK(r.out ==
        "1970-01-01 00:00:01.0000 INFO      bad        good\n"
        "1970-01-01 00:00:04.0000 INFO      bad        f\xff\n"
        "1970-01-01 00:00:04.0000 INFO      bad        g\n");
  CHECK(r.err.find("bad.log: 2 malformed row(s) of table 'log' skipped") != std::string::npos);
  CHECK(r.err.find("bad.log: 1 malformed row(s) of table 'packet' skipped") != std::string::npos);
}

TEST_CASE("old log1/packet1 tables are read before the current ones", "[neolog]") {
  TempDir dir;
  const std::string path = dir / "old.log";
  {
    Db db(path);
    db("CREATE TABLE log1 (id INTEGER PRIMARY KEY AUTOINCREMENT, date REAL NOT NULL,"
       " name TEXT, level INTEGER NOT NULL, pathname TEXT, lineno INTEGER, msg TEXT)");
    db("CREATE TABLE packet1 (id INTEGER PRIMARY KEY AUTOINCREMENT, date REAL NOT NULL,"
       " name TEXT, msg_id INTEGER NOT NULL, code INTEGER NOT NULL, peer TEXT NOT NULL, body "
       "BLOB)");
    db(kSchema);
    db("INSERT INTO log1 (date, name, level, msg) VALUES (1, 'S1-old', 20, 'old record')");
    db("INSERT INTO packet1 (date, name, msg_id, code, peer) VALUES (1.5, NULL, 1, 2, '> x')");
    db("INSERT INTO log VALUES (2, NULL, 30, 'a.py', 1, 'new record')");
  }
  const RunResult r = run({"-d", "%s", path});
  CHECK(r.status == 0);
  CHECK(r.out ==
        "1.0000 INFO      S1-old     old record\n"
        "1.5000 PACKET    old        #0x0001 Ping                           > x\n"
        "2.0000 WARNING   old        new record\n");
}

TEST_CASE("logs older than 2018 (name column, no node table) are read", "[neolog]") {
  TempDir dir;
  const std::string path = dir / "older.log";
  {
    Db db(path);
    db("CREATE TABLE log (id INTEGER PRIMARY KEY AUTOINCREMENT, date REAL NOT NULL,"
       " name TEXT, level INTEGER NOT NULL, pathname TEXT, lineno INTEGER, msg TEXT)");
    db("CREATE TABLE packet (id INTEGER PRIMARY KEY AUTOINCREMENT, date REAL NOT NULL,"
       " name TEXT, msg_id INTEGER NOT NULL, code INTEGER NOT NULL, peer TEXT NOT NULL, body "
       "BLOB)");
    db("INSERT INTO log (date, name, level, msg) VALUES (1, 'M1', 10, 'hello')");
    db("INSERT INTO packet (date, name, msg_id, code, peer, body) VALUES (1, 'M1', 3, 32770, '< "
       "y', X'90')");
  }
  const RunResult r = run({"-a", "-d", "%s", path});
  CHECK(r.status == 0);
  CHECK(r.out ==
        "1.0000 DEBUG     M1         hello\n"
        "1.0000 PACKET    M1         #0x0003 Pong                           < y\n");
}

TEST_CASE("missing, foreign and empty files are reported, the others still shown", "[neolog]") {
  TempDir dir;
  write_file(dir / "text.log", "this is not a database\n");
  write_file(dir / "empty.log", "");
  std::filesystem::create_directory(dir.path() / "dir.log");
  const std::string good = (corpus_dir() / "master.log").string();
  const RunResult r =
      run({dir / "missing.log", dir / "text.log", dir / "empty.log", dir / "dir.log", good});
  CHECK(r.status == 1);
  CHECK(r.out == read_file(corpus_dir() / "master.log.default.txt"));
  CHECK(r.err.find("missing.log: No such file or directory") != std::string::npos);
  CHECK(r.err.find("text.log: not an SQLite database") != std::string::npos);
  CHECK(r.err.find("empty.log: empty database") != std::string::npos);
  CHECK(r.err.find("dir.log: is a directory") != std::string::npos);
}

TEST_CASE("a damaged page loses only the records it held", "[neolog]") {
  TempDir dir;
  std::string data = read_file(corpus_dir() / "storage0.log");
  const std::string expected = read_file(corpus_dir() / "storage0.log.default.txt");
  for (std::size_t i = 0; i < 4096; ++i) data[30 * 4096 + i] = static_cast<char>(0xde + i);
  write_file(dir / "storage0.log", data);
  const RunResult r = run({dir / "storage0.log"});
  CHECK(r.status == 1);
  CHECK(r.err.find("storage0.log: table 'packet' is damaged") != std::string::npos);
  CHECK(r.err.find(".recover") != std::string::npos);
  CHECK(count_lines(r.out) + 10 > count_lines(expected));
  CHECK(r.out.substr(0, 1000) == expected.substr(0, 1000));
}

TEST_CASE("truncated copies show what they hold", "[neolog]") {
  TempDir dir;
  const std::string data = read_file(corpus_dir() / "storage0.log");
  for (const std::size_t size :
       {std::size_t{50}, std::size_t{100}, std::size_t{4096}, std::size_t{4096 * 5 + 17},
        std::size_t{200000}, data.size() - 4096}) {
    INFO(size);
    write_file(dir / "cut.log", data.substr(0, size));
    const RunResult r = run({dir / "cut.log"});
    CHECK(r.status == 1);
    CHECK_FALSE(r.err.empty());
    CHECK(r.err.find("cut.log") != std::string::npos);
  }
  write_file(dir / "cut.log", data.substr(0, 200000));
  CHECK(count_lines(run({dir / "cut.log"}).out) > 300);
}

TEST_CASE("a cut-short compressed log is reported and partly shown", "[neolog]") {
  TempDir dir;
  const std::string gz = read_file(corpus_dir() / "storage0.log.gz");
  write_file(dir / "storage0.log.gz", gz.substr(0, gz.size() / 2));
  const RunResult r = run({dir / "storage0.log.gz"});
  CHECK(r.status == 1);
  CHECK(r.err.find("storage0.log.gz: gzip: compressed data is truncated") != std::string::npos);
  CHECK(count_lines(r.out) > 100);
  CHECK(r.out.find("storage0   connecting to SQLite database") != std::string::npos);
}

TEST_CASE("randomly damaged copies never crash neolog", "[neolog]") {
  TempDir dir;
  const std::string original = read_file(corpus_dir() / "storage0.log");
  std::mt19937 rng(1234);
  for (int round = 0; round < 40; ++round) {
    std::string data = original;
    const int hits = 1 + static_cast<int>(rng() % 8);
    for (int h = 0; h < hits; ++h) {
      const std::size_t at = rng() % data.size();
      const std::size_t len = 1 + rng() % 600;
      for (std::size_t i = at; i < std::min(data.size(), at + len); ++i) {
        data[i] = static_cast<char>(rng());
      }
    }
    write_file(dir / "fuzz.log", data);
    const RunResult r = run({"-A", dir / "fuzz.log"});
    CHECK((r.status == 0 || r.status == 1));
  }
}
