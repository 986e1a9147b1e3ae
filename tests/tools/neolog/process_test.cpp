// The neolog binary as operators run it: exit status, a closed pipe, follow
// mode with -F, interruption, and no temporary file left behind.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "tests/unit/neolog/neolog_test_support.hpp"

extern char** environ;

using namespace neo::neolog::test;

namespace {

std::string neolog_bin() {
  const char* dir = std::getenv("NEO_BIN_DIR");
  return std::string(dir ? dir : "bin") + "/neolog";
}

// A running neolog with its stdout and stderr on pipes.
class Process {
 public:
  Process(const std::vector<std::string>& args, const std::vector<std::string>& env = {}) {
    int out[2], err[2];
    REQUIRE(::pipe(out) == 0);
    REQUIRE(::pipe(err) == 0);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    posix_spawn_file_actions_adddup2(&fa, err[1], 2);
    posix_spawn_file_actions_addclose(&fa, out[0]);
    posix_spawn_file_actions_addclose(&fa, err[0]);
    std::vector<std::string> all{neolog_bin()};
    all.insert(all.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : all) argv.push_back(a.data());
    argv.push_back(nullptr);
    std::vector<std::string> envs{"TZ=UTC"};
    for (char** e = environ; *e; ++e) {
      if (std::string(*e).rfind("TZ=", 0) != 0) envs.emplace_back(*e);
    }
    envs.insert(envs.end(), env.begin(), env.end());
    std::vector<char*> envp;
    for (auto& e : envs) envp.push_back(e.data());
    envp.push_back(nullptr);
    REQUIRE(posix_spawn(&pid_, argv[0], &fa, nullptr, argv.data(), envp.data()) == 0);
    posix_spawn_file_actions_destroy(&fa);
    ::close(out[1]);
    ::close(err[1]);
    out_fd_ = out[0];
    err_fd_ = err[0];
  }
  ~Process() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      wait();
    }
    close_out();
    if (err_fd_ >= 0) ::close(err_fd_);
  }
  // Reads stdout until it holds `lines` lines or `seconds` passed.
  const std::string& read_lines(std::size_t lines, double seconds = 10) {
    const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    while (static_cast<std::size_t>(std::count(out_.begin(), out_.end(), '\n')) < lines &&
           std::chrono::steady_clock::now() < end) {
      pollfd p{out_fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) > 0) {
        char buf[65536];
        const ssize_t n = ::read(out_fd_, buf, sizeof buf);
        if (n <= 0) break;
        out_.append(buf, n);
      }
    }
    return out_;
  }
  const std::string& read_all() { return read_lines(SIZE_MAX, 60); }
  void close_out() {
    if (out_fd_ >= 0) ::close(out_fd_);
    out_fd_ = -1;
  }
  void signal(int sig) { ::kill(pid_, sig); }
  // Exit status, or 128 + signal.
  int wait() {
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  std::string err() {
    std::string s;
    char buf[4096];
    ssize_t n;
    while ((n = ::read(err_fd_, buf, sizeof buf)) > 0) s.append(buf, n);
    return s;
  }

 private:
  pid_t pid_ = -1;
  int out_fd_ = -1, err_fd_ = -1;
  std::string out_;
};

void sql(const std::string& path, const std::string& statement) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  sqlite3_busy_timeout(db, 5000);
  // As NEO's logger: no journal file (a reader may not roll one back).
  REQUIRE(sqlite3_exec(db, "PRAGMA journal_mode=MEMORY", nullptr, nullptr, nullptr) == SQLITE_OK);
  REQUIRE(sqlite3_exec(db, statement.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(db);
}

std::atomic<int> g_flushes{0};
extern "C" void on_flush(int) { ++g_flushes; }

}  // namespace

TEST_CASE("the binary prints the corpus output and exits 0", "[neolog]") {
  Process p({"-a", (corpus_dir() / "storage0.log.zst").string()});
  CHECK(p.read_all() == read_file(corpus_dir() / "storage0.log.zst.a.txt"));
  CHECK(p.wait() == 0);
}

TEST_CASE("exit status: 1 when a file cannot be read, 2 on bad usage", "[neolog]") {
  Process missing({"/nonexistent/x.log", (corpus_dir() / "master.log").string()});
  CHECK(missing.read_all() == read_file(corpus_dir() / "master.log.default.txt"));
  CHECK(missing.wait() == 1);
  CHECK(missing.err() == "neolog: /nonexistent/x.log: No such file or directory\n");
  Process usage({"-C", "-N", "x.log"});
  CHECK(usage.wait() == 2);
}

TEST_CASE("a closed pipe ends neolog with status 1, not a signal", "[neolog]") {
  Process p({"-A", (corpus_dir() / "storage0.log").string(),
             (corpus_dir() / "storage0.log.gz").string(),
             (corpus_dir() / "storage0.log.xz").string()});
  p.read_lines(1);
  p.close_out();
  CHECK(p.wait() == 1);
}

TEST_CASE("follow mode prints new records, flushes writers and stops on SIGINT", "[neolog]") {
  TempDir dir;
  const std::string db = dir / "live.log";
  sql(db,
      "CREATE TABLE log (date REAL PRIMARY KEY, node INTEGER, level INTEGER NOT NULL,"
      " pathname TEXT, lineno INTEGER, msg TEXT) WITHOUT ROWID;"
      "CREATE TABLE packet (date REAL PRIMARY KEY, node INTEGER, msg_id INTEGER NOT NULL,"
      " code INTEGER NOT NULL, peer TEXT NOT NULL, body BLOB) WITHOUT ROWID;"
      "CREATE TABLE node (id INTEGER PRIMARY KEY, name TEXT, cluster TEXT, nid INTEGER);"
      "INSERT INTO log VALUES (100, NULL, 20, 'x.py', 1, 'one');");
  struct sigaction sa {
  }, old{};
  sa.sa_handler = on_flush;
  sigaction(SIGRTMIN, &sa, &old);
  g_flushes = 0;
  Process p({"-f", "-s", "0.05", "-F", std::to_string(::getpid()), "-d", "%s", db});
  CHECK(p.read_lines(1) == "100.0000 INFO      live       one\n");
  sql(db,
      "INSERT INTO log VALUES (101, NULL, 30, 'x.py', 1, 'two');"
      "INSERT INTO packet VALUES (100.5, NULL, 1, 2, '> M1 ()', NULL);");
  CHECK(p.read_lines(3) ==
        "100.0000 INFO      live       one\n"
        "100.5000 PACKET    live       #0x0001 Ping                           > M1 ()\n"
        "101.0000 WARNING   live       two\n");
  // Rotation: the node reopens its log path, a new database appears there.
  std::filesystem::rename(db, db + ".1");
  sql(db,
      "CREATE TABLE log (date REAL PRIMARY KEY, node INTEGER, level INTEGER NOT NULL,"
      " pathname TEXT, lineno INTEGER, msg TEXT) WITHOUT ROWID;"
      "CREATE TABLE packet (date REAL PRIMARY KEY, node INTEGER, msg_id INTEGER NOT NULL,"
      " code INTEGER NOT NULL, peer TEXT NOT NULL, body BLOB) WITHOUT ROWID;"
      "CREATE TABLE node (id INTEGER PRIMARY KEY, name TEXT, cluster TEXT, nid INTEGER);"
      "INSERT INTO node VALUES (0, NULL, 'c', 1);"
      "INSERT INTO log VALUES (102, 0, 20, 'x.py', 1, 'after rotation');");
  CHECK(p.read_lines(4).find("102.0000 INFO      S1         after rotation\n") !=
        std::string::npos);
  p.signal(SIGINT);
  CHECK(p.wait() == 0);
  CHECK(p.err() == "");
  CHECK(g_flushes > 0);
  sigaction(SIGRTMIN, &old, nullptr);
}

TEST_CASE("no temporary file is left behind, even when interrupted", "[neolog]") {
  TempDir tmp;
  const std::string env = "TMPDIR=" + tmp.path().string();
  {
    Process p({(corpus_dir() / "storage0.log.bz2").string()}, {env});
    p.read_all();
    CHECK(p.wait() == 0);
  }
  {
    Process p({"-f", (corpus_dir() / "storage0.log.xz").string()}, {env});
    p.read_lines(1);
    p.signal(SIGTERM);  // maybe blocked writing: the pipe is not read any more
    CHECK(p.wait() == 128 + SIGTERM);
  }
  {
    Process p({"-f", (corpus_dir() / "storage0.log.zst").string()}, {env});
    p.read_lines(1);
    p.signal(SIGINT);  // as upstream: Ctrl-C ends follow mode with status 0
    CHECK(p.wait() == 0);
  }
  {
    Process p({(corpus_dir() / "storage0.log.gz").string()}, {env});
    p.signal(SIGTERM);  // probably while decompressing
    p.wait();
  }
  CHECK(std::filesystem::is_empty(tmp.path()));
}
