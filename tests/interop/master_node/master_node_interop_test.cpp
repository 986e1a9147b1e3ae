// Our neomaster at the centre of an otherwise upstream NEO/py cluster:
// upstream storages and admin identify to it and reach RUNNING, upstream
// neoctl drives it (print, start, add, tweak, kill, drop, set replicas,
// STOPPING), and a restart on the same databases comes back with the same
// partition table and node ids. Ports 21100-21199 (this test's range).
// Skipped (exit 77) without NEO_PEER_PYTHONPATH.
#include <stdlib.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <thread>

#include "tests/interop/peer_env.hpp"
#include "tests/support/child_process.hpp"

using neo::test::ChildProcess;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

constexpr const char* kMaster = "127.0.0.1:21100";
constexpr const char* kAdmin = "127.0.0.1:21120";

std::string neoppod() {
  const std::string path = neo::interop::peer_pythonpath();
  return path.substr(0, path.find(':'));
}

class Cluster {
 public:
  explicit Cluster(fs::path dir) : dir_(std::move(dir)) {
    fs::create_directories(dir_);
    ::setenv("PYTHONPATH", neo::interop::peer_pythonpath().c_str(), 1);
  }

  void start_master(std::vector<std::string> extra = {}) {
    std::vector<std::string> argv = {NEOMASTER_BINARY,
                                     "-l",
                                     (dir_ / "m.log").string(),
                                     "-c",
                                     "interop",
                                     "-b",
                                     kMaster,
                                     "-p",
                                     "3",
                                     "-r",
                                     "1"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    master_ = std::make_unique<ChildProcess>(argv, dir_ / "m.out");
  }
  // Storage i listens on 21110 + i, database s<i>.sqlite.
  void start_storage(int i) {
    storages_[i] =
        upstream("neostorage",
                 {"-l", (dir_ / ("s" + std::to_string(i) + ".log")).string(), "-c", "interop", "-m",
                  masters_, "-b", "127.0.0.1:" + std::to_string(21110 + i), "-a", "SQLite", "-d",
                  (dir_ / ("s" + std::to_string(i) + ".sqlite")).string()},
                 "s" + std::to_string(i) + ".out");
  }
  void start_admin() {
    admin_ = upstream(
        "neoadmin",
        {"-l", (dir_ / "a.log").string(), "-c", "interop", "-m", masters_, "-b", kAdmin}, "a.out");
  }
  // Several masters: each binds 127.0.0.1:<port>, all know every one
  // (storages and the admin too).
  void set_masters(std::vector<int> ports) {
    masters_.clear();
    for (int port : ports) masters_ += (masters_.empty() ? "" : " ") + address(port);
  }
  ChildProcess& start_master_at(int port, bool upstream_master = false) {
    std::vector<std::string> args = {"-l", (dir_ / ("m" + std::to_string(port) + ".log")).string(),
                                     "-c", "interop",
                                     "-b", address(port),
                                     "-m", masters_,
                                     "-p", "3",
                                     "-r", "1",
                                     "-A", "2"};
    const std::string out = "m" + std::to_string(port) + ".out";
    if (upstream_master) {
      others_[port] = upstream("neomaster", args, out);
    } else {
      args.insert(args.begin(), NEOMASTER_BINARY);
      others_[port] = std::make_unique<ChildProcess>(args, dir_ / out);
    }
    return *others_[port];
  }
  ChildProcess& master_at(int port) { return *others_.at(port); }
  static std::string address(int port) { return "127.0.0.1:" + std::to_string(port); }
  std::unique_ptr<ChildProcess>& storage(int i) { return storages_.at(i); }
  ChildProcess& master() { return *master_; }
  ChildProcess& admin() { return *admin_; }

  // Upstream neoctl's stdout (stderr appended when not empty).
  std::string ctl(std::vector<std::string> args) {
    std::vector<std::string> argv = {neo::interop::peer_python(), neoppod() + "/neoctl", "-a",
                                     kAdmin};
    argv.insert(argv.end(), args.begin(), args.end());
    neo::test::RunResult r = neo::test::run_program(argv, 30s);
    std::string out = r.out;
    while (!out.empty() && out.back() == '\n') out.pop_back();
    return r.err.empty() ? out : out + "\n[stderr] " + r.err;
  }
  // Polls `predicate` for 10 s.
  template <class F>
  bool wait_until(F predicate) {
    for (int i = 0; i < 100; ++i) {
      if (predicate()) return true;
      std::this_thread::sleep_for(100ms);
    }
    return false;
  }
  // Polls `neoctl args` until it prints `expected` (10 s).
  bool wait_for(std::vector<std::string> args, const std::string& expected) {
    for (int i = 0; i < 100; ++i) {
      if (ctl(args) == expected) return true;
      std::this_thread::sleep_for(100ms);
    }
    return false;
  }
  std::string diagnostics() {
    std::string out = "master:\n" + (master_ ? master_->output_tail() : "") + "\nadmin:\n" +
                      (admin_ ? admin_->output_tail() : "");
    for (auto& [i, s] : storages_)
      if (s) out += "\nstorage " + std::to_string(i) + ":\n" + s->output_tail();
    return out;
  }

 private:
  std::unique_ptr<ChildProcess> upstream(const std::string& script, std::vector<std::string> args,
                                         const std::string& out) {
    std::vector<std::string> argv = {neo::interop::peer_python(), neoppod() + "/" + script};
    argv.insert(argv.end(), args.begin(), args.end());
    return std::make_unique<ChildProcess>(argv, dir_ / out);
  }

  fs::path dir_;
  std::string masters_ = kMaster;
  std::map<int, std::unique_ptr<ChildProcess>> others_;
  std::unique_ptr<ChildProcess> master_, admin_;
  std::map<int, std::unique_ptr<ChildProcess>> storages_;
};

// The `print node` lines without their timestamp column.
std::string nodes_without_time(const std::string& text) {
  std::string out;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(start, end - start);
    line = line.substr(0, line.rfind(" | "));
    out += line + "\n";
    start = end + 1;
  }
  return out;
}

fs::path test_dir(const std::string& name) {
  fs::path dir =
      fs::temp_directory_path() / ("neo-master-interop-" + std::to_string(::getpid())) / name;
  fs::remove_all(dir);
  return dir;
}

}  // namespace

TEST_CASE("our master with upstream storages and admin: start, print, stop, restart",
          "[interop][master]") {
  Cluster c(test_dir("basic"));
  c.start_master({"-A", "2"});
  c.start_admin();
  c.start_storage(1);
  c.start_storage(2);
  INFO(c.diagnostics());
  REQUIRE(c.wait_for({"print", "cluster"}, "RUNNING"));
  const std::string nodes = nodes_without_time(c.ctl({"print", "node"}));
  const bool expected_nodes =  // the storages get S1/S2 in the order they connect
      nodes ==
          "A1 | ADMIN   | 127.0.0.1:21120 | RUNNING\n"
          "M1 | MASTER  | 127.0.0.1:21100 | RUNNING\n"
          "S1 | STORAGE | 127.0.0.1:21111 | RUNNING\n"
          "S2 | STORAGE | 127.0.0.1:21112 | RUNNING\n" ||
      nodes ==
          "A1 | ADMIN   | 127.0.0.1:21120 | RUNNING\n"
          "M1 | MASTER  | 127.0.0.1:21100 | RUNNING\n"
          "S1 | STORAGE | 127.0.0.1:21112 | RUNNING\n"
          "S2 | STORAGE | 127.0.0.1:21111 | RUNNING\n";
  INFO(nodes);
  CHECK(expected_nodes);
  CHECK(c.ctl({"print", "pt"}) == "# ptid: 1, replicas: 1\nS1 R UUU\nS2 R UUU");
  CHECK(c.ctl({"print", "ids"}) ==
        "last_oid = 0x0\nlast_tid = 0x0 (1900-01-01 00:00:00)\nlast_ptid = 1");
  CHECK(c.ctl({"set", "cluster", "STOPPING"}) == "Cluster state changed");
  CHECK(c.master().wait(10s) == 0);
  CHECK(c.storage(1)->wait(10s).has_value());
  CHECK(c.storage(2)->wait(10s).has_value());
  CHECK(c.admin().wait(10s).has_value());

  // Same databases: the storages keep their ids, the table its ptid.
  c.start_master();  // no -A: an existing cluster restarts by itself
  c.start_admin();
  c.start_storage(1);
  c.start_storage(2);
  REQUIRE(c.wait_for({"print", "cluster"}, "RUNNING"));
  CHECK(c.ctl({"print", "pt"}) == "# ptid: 1, replicas: 1\nS1 R UUU\nS2 R UUU");
  CHECK(c.ctl({"print", "ids"}) ==
        "last_oid = 0x0\nlast_tid = 0x0 (1900-01-01 00:00:00)\nlast_ptid = 1");
  CHECK(c.ctl({"set", "cluster", "STOPPING"}) == "Cluster state changed");
  CHECK(c.master().wait(10s) == 0);
}

TEST_CASE("our master: neoctl start, add, tweak, kill, drop, set replicas", "[interop][master]") {
  Cluster c(test_dir("admin"));
  c.start_master();  // no -A: a new cluster waits for `neoctl start`
  c.start_admin();
  c.start_storage(1);
  INFO(c.diagnostics());
  REQUIRE(c.wait_until([&] {
    return c.ctl({"print", "node"}).find("PENDING") != std::string::npos;
  }));
  CHECK(c.ctl({"print", "cluster"}) == "RECOVERING");
  CHECK(c.ctl({"tweak"}).find("RPC can not be used in RECOVERING state") != std::string::npos);
  CHECK(c.ctl({"start"}) == "Cluster state changed");
  REQUIRE(c.wait_for({"print", "cluster"}, "RUNNING"));
  CHECK(c.ctl({"print", "pt"}) == "# ptid: 1, replicas: 1\nS1 R UUU");

  // A new storage joins PENDING, is added, then gets cells by tweak.
  c.start_storage(2);
  REQUIRE(c.wait_until([&] {
    return c.ctl({"print", "node"}).find("PENDING") != std::string::npos;
  }));
  CHECK(c.ctl({"add", "S2"}) == "Nodes added: S2");
  CHECK(c.ctl({"tweak", "-n"}) == "S1 R UUU\nS2 R OOO");
  CHECK(c.ctl({"tweak"}) == "S1 R UUU\nS2 R OOO");
  REQUIRE(c.wait_for({"print", "pt"}, "# ptid: 5, replicas: 1\nS1 R UUU\nS2 R UUU"));
  CHECK(c.ctl({"tweak"}) == "No change done.");
  CHECK(c.ctl({"set", "replicas", "0"}) == "");
  CHECK(c.ctl({"print", "pt"}) == "# ptid: 6, replicas: 0\nS1 R UUU\nS2 R UUU");

  // kill: S2 goes DOWN (its process exits), its cells OUT_OF_DATE; drop forgets it.
  CHECK(c.ctl({"drop", "S2"}).find("a running node must be stopped before removal") !=
        std::string::npos);
  CHECK(c.ctl({"kill", "S2"}) == "state changed");
  CHECK(c.storage(2)->wait(10s).has_value());
  CHECK(c.ctl({"print", "pt"}) == "# ptid: 7, replicas: 0\nS1 R UUU\nS2 D OOO");
  CHECK(c.ctl({"drop", "S2"}) == "node permanently removed");
  CHECK(c.ctl({"print", "pt"}) == "# ptid: 8, replicas: 0\nS1 R UUU");
  CHECK(c.ctl({"print", "node", "STORAGE"}).find("S2") == std::string::npos);
  CHECK(c.ctl({"set", "cluster", "STOPPING"}) == "Cluster state changed");
  CHECK(c.master().wait(10s) == 0);
}

// Two masters configured together: one primary, the other secondary; when
// the primary dies the secondary takes over; STOPPING stops both. Run with
// two of ours, then with upstream's master starting first.
TEST_CASE("two masters: election, failover, stop", "[interop][master]") {
  for (bool upstream_first : {false, true}) {
    Cluster c(test_dir(upstream_first ? "election-mixed" : "election"));
    c.set_masters({21101, 21102});
    ChildProcess& first = c.start_master_at(21101, upstream_first);
    c.start_admin();
    // The first one is primary before the second starts (NEO/py's takes a
    // while to start: a fixed pause let the second win under load).
    REQUIRE(c.wait_for({"print", "primary"}, "M1"));
    c.start_master_at(21102);
    c.start_storage(1);
    c.start_storage(2);
    INFO((upstream_first ? "upstream first\n" : "") + c.diagnostics());
    REQUIRE(c.wait_for({"print", "cluster"}, "RUNNING"));
    CHECK(c.ctl({"print", "primary"}) == "M1");
    const std::string nodes = c.ctl({"print", "node", "MASTER"});
    INFO(nodes);
    CHECK(nodes.find("127.0.0.1:21101 | RUNNING | None") != std::string::npos);  // primary
    CHECK(nodes.find("127.0.0.1:21102 | RUNNING | 20") != std::string::npos);    // secondary
    first.stop();
    REQUIRE(c.wait_until([&] {
      return c.ctl({"print", "node", "MASTER"}).find("127.0.0.1:21102 | RUNNING | None") !=
             std::string::npos;
    }));
    REQUIRE(c.wait_for({"print", "cluster"}, "RUNNING"));
    // The new primary reports the dead one DOWN, with its id (as NEO/py).
    const std::string after = c.ctl({"print", "node", "MASTER"});
    INFO(after);
    CHECK(after.find("M1 | MASTER | 127.0.0.1:21101 | DOWN") != std::string::npos);
    CHECK(c.ctl({"print", "pt"}) == "# ptid: 1, replicas: 1\nS1 R UUU\nS2 R UUU");
    // The old primary comes back as a secondary.
    ChildProcess& back = c.start_master_at(21101, upstream_first);
    REQUIRE(c.wait_until([&] {
      return c.ctl({"print", "node", "MASTER"}).find("127.0.0.1:21101 | RUNNING | 20") !=
             std::string::npos;
    }));
    CHECK(c.ctl({"set", "cluster", "STOPPING"}) == "Cluster state changed");
    CHECK(c.master_at(21102).wait(10s) == 0);
    CHECK(back.wait(10s).has_value());
    CHECK(c.storage(1)->wait(10s).has_value());
  }
}
