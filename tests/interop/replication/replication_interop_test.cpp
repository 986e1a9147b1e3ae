// Replication between our neostorage and upstream NEO/py storages, both
// ways, in upstream clusters (master + admin; neoctl and the ZODB client are
// upstream's, data from replication.py): a new storage of one kind joins one
// of the other kind holding data, replicates every partition until the
// table is UP_TO_DATE, `neoctl check` finds the replicas identical, then the
// source is stopped and every transaction and object is read from the new
// node alone. Also a storage of ours killed while upstream's client commits
// catches up, with commits going on during its replication (lockless
// writes). Skipped (exit 77) without NEO_PEER_PYTHONPATH.
#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "tests/cluster/local_cluster.hpp"
#include "tests/interop/peer_env.hpp"
#include "tests/interop/upstream_cluster.hpp"
#include "tests/support/child_process.hpp"

using neo::interop::UpstreamCluster;
using neo::test::ChildProcess;
using neo::test::count_lines_with;
using neo::test::RunResult;
using namespace std::chrono_literals;

namespace {

constexpr int kPartitions = 4;

UpstreamCluster::Options cluster_options(const std::string& name) {
  UpstreamCluster::Options options;
  options.name = name;
  options.partitions = kPartitions;
  options.replicas = 1;
  options.storages = 0;  // started by the tests, as ChildProcess
  options.admin = true;
  options.autostart = 1;
  return options;
}

// One storage node, ours or upstream's, that can be stopped and restarted
// on the same database.
class Storage {
 public:
  Storage(const UpstreamCluster& cluster, std::string name, bool upstream)
      : cluster_(cluster), name_(std::move(name)), upstream_(upstream) {}

  void start() {
    const auto dir = cluster_.dir();
    std::vector<std::string> argv{NEO_STORAGE_BIN};
    std::vector<std::string> env;
    if (upstream_) {
      argv = cluster_.upstream_program("neostorage");
      env.push_back("PYTHONPATH=" + neo::interop::peer_pythonpath());
    }
    const std::vector<std::string> args = {
        "-l", (dir / (name_ + ".log")).string(),
        "-c", cluster_.name(),
        "-m", neo::net::to_string(cluster_.master()),
        "-b", "127.0.0.1:" + std::to_string(port_),
        "-a", "SQLite",
        "-d", (dir / (name_ + ".sqlite")).string()};
    argv.insert(argv.end(), args.begin(), args.end());
    process_ = std::make_unique<ChildProcess>(argv, dir / (name_ + "." + std::to_string(++runs_) + ".out"), env);
  }
  ChildProcess& process() { return *process_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  std::string log() const {
    std::vector<std::string> argv = cluster_.upstream_program("neolog");
    argv.insert(argv.begin(), {"/usr/bin/env", "PYTHONPATH=" + neo::interop::peer_pythonpath()});
    argv.push_back((cluster_.dir() / (name_ + ".log")).string());
    return neo::test::run_program(argv, 30s).out;
  }
  std::string tail() const { return process_ ? process_->output_tail(2000) : std::string(); }

 private:
  const UpstreamCluster& cluster_;
  std::string name_;
  bool upstream_;
  std::uint16_t port_ = neo::interop::free_port();
  int runs_ = 0;
  std::unique_ptr<ChildProcess> process_;
};

RunResult neoctl(const UpstreamCluster& cluster, std::vector<std::string> args) {
  std::vector<std::string> argv = {"/usr/bin/env", "PYTHONPATH=" + neo::interop::peer_pythonpath()};
  for (std::string& arg : cluster.upstream_program("neoctl")) argv.push_back(std::move(arg));
  argv.push_back("-a");
  argv.push_back(neo::net::to_string(cluster.admin()));
  for (std::string& arg : args) argv.push_back(std::move(arg));
  return neo::test::run_program(argv, 30s);
}

bool wait_running(const UpstreamCluster& cluster) {
  return neo::test::wait_for([&] { return neoctl(cluster, {"print", "cluster"}).out == "RUNNING\n"; },
                             60s, 200ms);
}

// True when `pt` (neoctl print pt) has `storages` rows, every cell UP_TO_DATE.
bool all_up_to_date(const std::string& pt, int storages) {
  std::istringstream in(pt);
  std::string line;
  int rows = 0;
  while (std::getline(in, line)) {
    if (line.starts_with("#")) continue;
    const std::string cells = line.substr(line.rfind(' ') + 1);
    if (cells != std::string(kPartitions, 'U')) return false;
    ++rows;
  }
  return rows == storages;
}

bool wait_up_to_date(const UpstreamCluster& cluster, int storages, std::string& pt) {
  return neo::test::wait_for(
      [&] {
        pt = neoctl(cluster, {"print", "pt"}).out;
        return all_up_to_date(pt, storages);
      },
      120s, 300ms);
}

std::vector<std::string> script(const UpstreamCluster& cluster, const std::string& mode) {
  return {"/usr/bin/env", "PYTHONPATH=" + neo::interop::peer_pythonpath(),
          neo::interop::peer_python(), REPLICATION_SCRIPT, mode,
          neo::net::to_string(cluster.master()), cluster.name()};
}

std::string commit(const UpstreamCluster& cluster, const std::string& prefix, int count) {
  std::vector<std::string> argv = script(cluster, "commit");
  argv.push_back(prefix);
  argv.push_back(std::to_string(count));
  RunResult result = neo::test::run_program(argv, 180s);
  return result.out + (result.status ? result.err : std::string());
}

// "transactions T records R sha1 H\nkeys K bad B counter C u U\n".
std::string dump(const UpstreamCluster& cluster) {
  RunResult result = neo::test::run_program(script(cluster, "dump"), 180s);
  return result.out + (result.status ? result.err : std::string());
}

// A writer committing from now until stop() (upstream's client).
class Writer {
 public:
  Writer(const UpstreamCluster& cluster, const std::string& prefix)
      : stopfile_(cluster.dir() / (prefix + ".stop")) {
    std::vector<std::string> argv = script(cluster, "commit");
    argv.insert(argv.begin() + 3, "-u");  // unbuffered: progress visible while it runs
    argv.push_back(prefix);
    argv.push_back("1");
    argv.push_back(stopfile_.string());
    process_ = std::make_unique<ChildProcess>(argv, cluster.dir() / (prefix + ".out"));
  }
  // The transactions committed so far.
  std::size_t commits() const { return count_lines_with(process_->output(), "+"); }
  // Stops the writer; "committed N" or what went wrong.
  std::string stop() {
    std::ofstream(stopfile_).put('\n');
    const auto status = process_->wait(120s);
    std::string out = process_->output();
    out = out.substr(out.rfind('+') == std::string::npos ? 0 : out.rfind('+') + 2);
    return out + (status == 0 ? "" : "status " + std::to_string(status.value_or(-1)));
  }

 private:
  std::filesystem::path stopfile_;
  std::unique_ptr<ChildProcess> process_;
};

// Runs `neoctl check` on every partition and waits until the storages
// logged the end of the check of each; returns the master's "corrupted"
// lines (empty: replicas identical).
std::string check_replicas(const UpstreamCluster& cluster, std::vector<Storage*> storages) {
  // Every partition named: upstream's neoctl fails on "check :" (it reads the
  // partition count from the wrong field of getPartitionRowList()).
  std::vector<std::string> args = {"check"};
  for (int p = 0; p < kPartitions; ++p) args.push_back(std::to_string(p) + ":");
  const RunResult check = neoctl(cluster, args);
  INFO(check.out << check.err);
  REQUIRE(check.status == 0);
  const bool done = neo::test::wait_for(
      [&] {
        neoctl(cluster, {"flush_log"});
        std::size_t checked = 0;
        for (Storage* storage : storages) checked += count_lines_with(storage->log(), "checked from");
        return checked >= kPartitions;
      },
      60s, 500ms);
  CHECK(done);
  std::vector<std::string> argv = cluster.upstream_program("neolog");
  argv.insert(argv.begin(), {"/usr/bin/env", "PYTHONPATH=" + neo::interop::peer_pythonpath()});
  argv.push_back((cluster.dir() / "master.log").string());
  std::istringstream in(neo::test::run_program(argv, 30s).out);
  std::string lines;
  for (std::string line; std::getline(in, line);)
    if (line.find("corrupted") != std::string::npos) lines += line + "\n";
  return lines;
}

// In a node's log (neolog), the AskStoreObject received after its last
// AskUnfinishedTransactions and before its last NotifyReplicationDone: the
// lockless writes of cells being replicated.
std::size_t lockless_stores(const std::string& log) {
  const std::size_t from = log.rfind("AskUnfinishedTransactions");
  const std::size_t to = log.rfind("NotifyReplicationDone");
  if (from == std::string::npos || to == std::string::npos || to < from) return 0;
  return count_lines_with(log.substr(from, to - from), "AskStoreObject");
}

}  // namespace

// The data committed by the first batch ("a", kCommits): every later dump
// must show these keys intact.
constexpr int kCommits = 150;

TEST_CASE("our storage replicates from an upstream storage, then serves alone",
          "[interop][replication]") {
  UpstreamCluster cluster(cluster_options("neo-cpp-repl-in"));
  Storage upstream(cluster, "upstream", true), ours(cluster, "ours", false);
  upstream.start();
  INFO(upstream.tail() << ours.tail() << cluster.diagnostics());
  REQUIRE(wait_running(cluster));
  REQUIRE(commit(cluster, "a", kCommits) == "committed 150\n");
  const std::string before = dump(cluster);
  REQUIRE_THAT(before, Catch::Contains("keys 150 bad 0 counter 150 u 1\n"));

  ours.start();
  REQUIRE(neo::test::wait_for(
      [&] { return count_lines_with(neoctl(cluster, {"print", "node"}).out, "PENDING") == 1; },
      30s, 200ms));
  REQUIRE(neoctl(cluster, {"add", "all"}).status == 0);
  RunResult tweak = neoctl(cluster, {"tweak"});
  INFO(tweak.out << tweak.err);
  REQUIRE(tweak.status == 0);
  std::string pt;
  CHECK(wait_up_to_date(cluster, 2, pt));
  INFO(pt);
  CHECK(check_replicas(cluster, {&upstream, &ours}) == "");

  upstream.process().stop();
  REQUIRE(wait_running(cluster));
  CHECK(dump(cluster) == before);
  CHECK(ours.process().running());
}

TEST_CASE("an upstream storage replicates from ours, then serves alone", "[interop][replication]") {
  UpstreamCluster cluster(cluster_options("neo-cpp-repl-out"));
  Storage ours(cluster, "ours", false), upstream(cluster, "upstream", true);
  ours.start();
  INFO(ours.tail() << upstream.tail() << cluster.diagnostics());
  REQUIRE(wait_running(cluster));
  REQUIRE(commit(cluster, "a", kCommits) == "committed 150\n");
  const std::string before = dump(cluster);
  REQUIRE_THAT(before, Catch::Contains("keys 150 bad 0 counter 150 u 1\n"));

  upstream.start();
  REQUIRE(neo::test::wait_for(
      [&] { return count_lines_with(neoctl(cluster, {"print", "node"}).out, "PENDING") == 1; },
      30s, 200ms));
  REQUIRE(neoctl(cluster, {"add", "all"}).status == 0);
  REQUIRE(neoctl(cluster, {"tweak"}).status == 0);
  std::string pt;
  CHECK(wait_up_to_date(cluster, 2, pt));
  INFO(pt);
  CHECK(check_replicas(cluster, {&upstream, &ours}) == "");

  ours.process().stop();
  REQUIRE(wait_running(cluster));
  CHECK(dump(cluster) == before);
  CHECK(upstream.process().running());
}

TEST_CASE("our storage killed during commits catches up from an upstream one, commits going on",
          "[interop][replication]") {
  UpstreamCluster::Options options = cluster_options("neo-cpp-repl-back");
  options.autostart = 2;
  UpstreamCluster cluster(options);
  Storage ours(cluster, "ours", false), upstream(cluster, "upstream", true);
  ours.start();
  upstream.start();
  INFO(ours.tail() << upstream.tail() << cluster.diagnostics());
  REQUIRE(wait_running(cluster));
  REQUIRE(commit(cluster, "a", kCommits) == "committed 150\n");

  ours.process().signal(SIGKILL);
  REQUIRE(ours.process().wait(10s));
  std::string pt;
  REQUIRE(neo::test::wait_for(
      [&] { return count_lines_with(pt = neoctl(cluster, {"print", "pt"}).out, "OOOO") == 1; }, 30s,
      200ms));
  REQUIRE(commit(cluster, "b", 400) == "committed 400\n");

  // Commits go on while ours comes back and replicates (lockless writes).
  Writer writer(cluster, "c");
  REQUIRE(neo::test::wait_for([&] { return writer.commits() >= 5; }, 60s, 100ms));
  const std::size_t before_restart = writer.commits();
  ours.start();
  CHECK(wait_up_to_date(cluster, 2, pt));
  INFO(pt);
  const std::size_t replicated = writer.commits();
  REQUIRE(neo::test::wait_for([&] { return writer.commits() >= replicated + 5; }, 60s, 100ms));
  const std::string written = writer.stop();
  INFO(written << "commits: " << before_restart << " before the restart, " << replicated
               << " once up to date");
  CHECK(replicated > before_restart);  // some commits happened while ours replicated
  const std::size_t c = std::stoul(written.substr(written.find(' ') + 1));
  CHECK(check_replicas(cluster, {&upstream, &ours}) == "");
  CHECK(lockless_stores(ours.log()) > 0);  // flushed by check_replicas

  upstream.process().stop();
  REQUIRE(wait_running(cluster));
  const std::string total = std::to_string(kCommits + 400 + c);
  const std::string content = dump(cluster);
  CHECK_THAT(content, Catch::Contains("keys " + total + " bad 0 counter " + total + " u 1\n"));
  // 155 transactions from commit("a"): the root, the tree, 150, and 3 of the undo.
  CHECK_THAT(content, Catch::StartsWith("transactions " + std::to_string(155 + 400 + c) + " "));
  CHECK(ours.process().running());
}

TEST_CASE("an upstream storage replicates from ours while upstream's client commits",
          "[interop][replication]") {
  UpstreamCluster cluster(cluster_options("neo-cpp-repl-busy"));
  Storage ours(cluster, "ours", false), upstream(cluster, "upstream", true);
  ours.start();
  INFO(ours.tail() << upstream.tail() << cluster.diagnostics());
  REQUIRE(wait_running(cluster));
  REQUIRE(commit(cluster, "a", kCommits) == "committed 150\n");
  REQUIRE(commit(cluster, "b", 400) == "committed 400\n");

  Writer writer(cluster, "c");
  REQUIRE(neo::test::wait_for([&] { return writer.commits() >= 5; }, 60s, 100ms));
  upstream.start();
  REQUIRE(neo::test::wait_for(
      [&] { return count_lines_with(neoctl(cluster, {"print", "node"}).out, "PENDING") == 1; },
      30s, 200ms));
  REQUIRE(neoctl(cluster, {"add", "all"}).status == 0);
  REQUIRE(neoctl(cluster, {"tweak"}).status == 0);
  std::string pt;
  CHECK(wait_up_to_date(cluster, 2, pt));
  INFO(pt);
  const std::size_t replicated = writer.commits();
  REQUIRE(neo::test::wait_for([&] { return writer.commits() >= replicated + 5; }, 60s, 100ms));
  const std::string written = writer.stop();
  INFO(written);
  const std::size_t c = std::stoul(written.substr(written.find(' ') + 1));
  CHECK(check_replicas(cluster, {&upstream, &ours}) == "");
  CHECK(lockless_stores(upstream.log()) > 0);

  ours.process().stop();
  REQUIRE(wait_running(cluster));
  const std::string total = std::to_string(kCommits + 400 + c);
  const std::string content = dump(cluster);
  CHECK_THAT(content, Catch::Contains("keys " + total + " bad 0 counter " + total + " u 1\n"));
  CHECK_THAT(content, Catch::StartsWith("transactions " + std::to_string(155 + 400 + c) + " "));
  CHECK(upstream.process().running());
}
