// Our neomaster with upstream NEO/py storages, admin and client: ZODB
// through neo.client (zodb_client.py: commit, load, conflict, undo, many
// transactions), then the ids printed by upstream neoctl and STOPPING; and
// upstream neoctl's truncate (zodb_truncate.py).
// Ports 21050-21069. Skipped (exit 77) without NEO_PEER_PYTHONPATH.
#include <stdlib.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <memory>
#include <thread>

#include "tests/interop/master_node/zodb_truncate.hpp"
#include "tests/interop/peer_env.hpp"
#include "tests/support/child_process.hpp"

using neo::test::ChildProcess;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

constexpr const char* kMaster = "127.0.0.1:21050";
constexpr const char* kAdmin = "127.0.0.1:21060";

std::string neoppod() {
  const std::string path = neo::interop::peer_pythonpath();
  return path.substr(0, path.find(':'));
}

struct Cluster {
  explicit Cluster(const std::string& name) {
    dir = fs::temp_directory_path() / ("neo-master-commit-" + std::to_string(::getpid())) / name;
    fs::remove_all(dir);
    fs::create_directories(dir);
    ::setenv("PYTHONPATH", neo::interop::peer_pythonpath().c_str(), 1);
  }
  std::unique_ptr<ChildProcess> upstream(const std::string& script, std::vector<std::string> args,
                                         const std::string& out) {
    std::vector<std::string> argv = {neo::interop::peer_python(), neoppod() + "/" + script};
    argv.insert(argv.end(), args.begin(), args.end());
    return std::make_unique<ChildProcess>(argv, dir / out);
  }
  void start(int storages) {
    master = std::make_unique<ChildProcess>(
        std::vector<std::string>{NEOMASTER_BINARY, "-l", (dir / "m.log").string(), "-c", "commit",
                                 "-b", kMaster, "-p", "3", "-r", std::to_string(storages - 1), "-A",
                                 std::to_string(storages)},
        dir / "m.out");
    admin = upstream("neoadmin",
                     {"-l", (dir / "a.log").string(), "-c", "commit", "-m", kMaster, "-b", kAdmin},
                     "a.out");
    for (int i = 1; i <= storages; ++i)
      this->storages.push_back(
          upstream("neostorage",
                   {"-l", (dir / ("s" + std::to_string(i) + ".log")).string(), "-c", "commit", "-m",
                    kMaster, "-b", "127.0.0.1:" + std::to_string(21050 + i), "-a", "SQLite", "-d",
                    (dir / ("s" + std::to_string(i) + ".sqlite")).string()},
                   "s" + std::to_string(i) + ".out"));
  }
  std::string ctl(std::vector<std::string> args) {
    std::vector<std::string> argv = {neo::interop::peer_python(), neoppod() + "/neoctl", "-a",
                                     kAdmin};
    argv.insert(argv.end(), args.begin(), args.end());
    neo::test::RunResult r = neo::test::run_program(argv, 30s);
    std::string out = r.out;
    while (!out.empty() && out.back() == '\n') out.pop_back();
    return r.err.empty() ? out : out + "\n[stderr] " + r.err;
  }
  bool wait_for(std::vector<std::string> args, const std::string& expected) {
    for (int i = 0; i < 100; ++i) {
      if (ctl(args) == expected) return true;
      std::this_thread::sleep_for(100ms);
    }
    return false;
  }
  neo::test::RunResult zodb_client() {
    return neo::test::run_program(
        {neo::interop::peer_python(), ZODB_CLIENT_SCRIPT, kMaster, "commit"}, 120s);
  }

  fs::path dir;
  std::unique_ptr<ChildProcess> master, admin;
  std::vector<std::unique_ptr<ChildProcess>> storages;
};

}  // namespace

TEST_CASE("our master, upstream storages and client: commit, load, conflict, undo",
          "[interop][master][transactions]") {
  for (int storages : {1, 2}) {
    DYNAMIC_SECTION(storages << " storage(s)") {
      Cluster c("s" + std::to_string(storages));
      c.start(storages);
      INFO("master:\n" << c.master->output_tail());
      REQUIRE(c.wait_for({"print", "cluster"}, "RUNNING"));
      neo::test::RunResult r = c.zodb_client();
      INFO("client:\n" << r.out << r.err);
      CHECK(r.status == 0);
      CHECK(r.out.find("\nOK\n") != std::string::npos);
      // the last transaction is the master's too
      const std::string ids = c.ctl({"print", "ids"});
      const std::size_t at = r.out.find("last transaction ");
      REQUIRE(at != std::string::npos);
      const std::string last = r.out.substr(at + 17, 16);
      INFO(ids);
      CHECK(ids.find("last_tid = 0x" + last.substr(last.find_first_not_of('0'))) !=
            std::string::npos);
      CHECK(c.ctl({"set", "cluster", "STOPPING"}) == "Cluster state changed");
      CHECK(c.master->wait(15s) == 0);
      for (auto& s : c.storages) CHECK(s->wait(15s).has_value());
      CHECK(c.admin->wait(15s).has_value());
    }
  }
}

// Upstream neoctl's truncate, through the upstream admin, to our master
// with upstream storages (flows.md 13): NEO/py's refusal text, then the
// transactions after the TID gone once the cluster runs again.
TEST_CASE("our master, upstream storages, admin and neoctl: truncate",
          "[interop][master][truncate]") {
  Cluster c("truncate");
  c.start(2);
  INFO("master:\n" << c.master->output_tail());
  REQUIRE(c.wait_for({"print", "cluster"}, "RUNNING"));
  auto client = [&](const char* mode) {
    return neo::test::run_program(
        {neo::interop::peer_python(), ZODB_TRUNCATE_SCRIPT, kMaster, "commit", mode}, 120s);
  };
  neo::test::RunResult r = client("commit");
  INFO("client:\n" << r.out << r.err);
  REQUIRE(r.status == 0);
  const std::vector<std::string> tids = neo::interop::truncate_script_tids(r.out);
  REQUIRE(tids.size() == 5);

  CHECK(c.ctl({"truncate", "tid:0x" + tids[4]})
            .find("Truncating after last transaction does nothing") != std::string::npos);
  CHECK(c.ctl({"truncate", "tid:0x" + tids[2]}) == "");
  // RUNNING again, with the truncation TID as last TID.
  const std::string last = "last_tid = 0x" + tids[2].substr(tids[2].find_first_not_of('0')) + " ";
  bool back = false;
  for (int i = 0; i < 300 && !back; ++i) {
    back = c.ctl({"print", "ids"}).find(last) != std::string::npos &&
           c.ctl({"print", "cluster"}) == "RUNNING";
    if (!back) std::this_thread::sleep_for(100ms);
  }
  REQUIRE(back);
  r = client("check");
  INFO("client:\n" << r.out << r.err);
  CHECK(r.out.find("last " + tids[2] + " n 2 keys k0,k1,k2\n") != std::string::npos);

  CHECK(c.ctl({"set", "cluster", "STOPPING"}) == "Cluster state changed");
  CHECK(c.master->wait(15s) == 0);
  for (auto& s : c.storages) CHECK(s->wait(15s).has_value());
  CHECK(c.admin->wait(15s).has_value());
}
