#include "tests/interop/replication/replication_support.hpp"

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "tests/cluster/local_cluster.hpp"
#include "tests/interop/peer_env.hpp"
#include "tests/interop/upstream_cluster.hpp"

namespace neo::interop {
namespace {

using namespace std::chrono_literals;
using test::count_lines_with;
using test::RunResult;

// `/usr/bin/env PYTHONPATH=... python <neoppod>/<script>`.
std::vector<std::string> upstream_command(const std::string& script) {
  const std::string path = peer_pythonpath();
  return {"/usr/bin/env", "PYTHONPATH=" + path, peer_python(),
          path.substr(0, path.find(':')) + "/" + script};
}

std::vector<std::string> script(const Site& site, const std::string& mode) {
  return {"/usr/bin/env", "PYTHONPATH=" + peer_pythonpath(),
          peer_python(),  REPLICATION_SCRIPT,
          mode,           site.master,
          site.name};
}

std::string output_of(const RunResult& result) {
  return result.out + (result.status ? result.err : std::string());
}

std::function<RunResult(const std::vector<std::string>&)> upstream_neoctl(std::string admin) {
  return [admin](const std::vector<std::string>& args) {
    std::vector<std::string> argv = upstream_command("neoctl");
    argv.push_back("-a");
    argv.push_back(admin);
    argv.insert(argv.end(), args.begin(), args.end());
    return test::run_program(argv, 30s);
  };
}

}  // namespace

Site site_of(const UpstreamCluster& cluster) {
  return {cluster.dir(), cluster.name(), net::to_string(cluster.master()),
          upstream_neoctl(net::to_string(cluster.admin()))};
}

Site site_of(const test::LocalCluster& cluster) {
  return {cluster.dir(), cluster.options().name, cluster.master_address(),
          [&cluster](const std::vector<std::string>& args) { return cluster.neoctl(args); }};
}

Site upstream_site_of(const test::LocalCluster& cluster) {
  return {cluster.dir(), cluster.options().name, cluster.master_address(),
          upstream_neoctl(cluster.admin_address())};
}

Storage::Storage(Site site, std::string name, bool upstream)
    : site_(std::move(site)), name_(std::move(name)), upstream_(upstream), port_(free_port()) {}

void Storage::start() {
  std::vector<std::string> argv{NEO_STORAGE_BIN};
  if (upstream_) argv = upstream_command("neostorage");
  const std::vector<std::string> args = {"-l", (site_.dir / (name_ + ".log")).string(),
                                         "-c", site_.name,
                                         "-m", site_.master,
                                         "-b", "127.0.0.1:" + std::to_string(port_),
                                         "-a", "SQLite",
                                         "-d", (site_.dir / (name_ + ".sqlite")).string()};
  argv.insert(argv.end(), args.begin(), args.end());
  const auto output = site_.dir / (name_ + "." + std::to_string(++runs_) + ".out");
  process_ = std::make_unique<test::ChildProcess>(argv, output);
}

std::string Storage::log() const { return neolog(log_file()); }

std::string Storage::tail() const { return process_ ? process_->output_tail(2000) : std::string(); }

std::string neolog(const std::filesystem::path& file) {
  std::vector<std::string> argv = upstream_command("neolog");
  argv.push_back(file.string());
  return test::run_program(argv, 30s).out;
}

bool wait_running(const Site& site) {
  return test::wait_for(
      [&] {
        return site.neoctl({"print", "cluster"}).out == "RUNNING\n";
      },
      60s, 200ms);
}

namespace {

// True when `pt` (neoctl print pt) has `storages` rows, every cell UP_TO_DATE.
bool all_up_to_date(const std::string& pt, int storages) {
  std::istringstream in(pt);
  int rows = 0;
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with("#")) continue;
    if (line.substr(line.rfind(' ') + 1) != std::string(kPartitions, 'U')) return false;
    ++rows;
  }
  return rows == storages;
}

}  // namespace

bool wait_up_to_date(const Site& site, int storages, std::string& pt) {
  return test::wait_for(
      [&] {
        pt = site.neoctl({"print", "pt"}).out;
        return all_up_to_date(pt, storages);
      },
      120s, 300ms);
}

bool add_pending_storage(const Site& site) {
  const bool pending = test::wait_for(
      [&] {
        return count_lines_with(site.neoctl({"print", "node"}).out, "PENDING") == 1;
      },
      30s, 200ms);
  return pending && site.neoctl({"add", "all"}).status == 0 && site.neoctl({"tweak"}).status == 0;
}

std::string commit(const Site& site, const std::string& prefix, int count) {
  std::vector<std::string> argv = script(site, "commit");
  argv.push_back(prefix);
  argv.push_back(std::to_string(count));
  return output_of(test::run_program(argv, 180s));
}

std::string pack(const Site& site) {
  return output_of(test::run_program(script(site, "pack"), 180s));
}

std::string dump(const Site& site) {
  return output_of(test::run_program(script(site, "dump"), 180s));
}

std::string check_replicas(const Site& site, const std::vector<std::filesystem::path>& logs) {
  // Every partition named: upstream's neoctl fails on "check :" (it reads the
  // partition count from the wrong field of getPartitionRowList()).
  std::vector<std::string> args = {"check"};
  for (int p = 0; p < kPartitions; ++p) args.push_back(std::to_string(p) + ":");
  const RunResult check = site.neoctl(args);
  INFO(check.out << check.err);
  REQUIRE(check.status == 0);
  const bool done = test::wait_for(
      [&] {
        site.neoctl({"flush_log"});
        std::size_t checked = 0;
        for (const auto& log : logs) checked += count_lines_with(neolog(log), "checked from");
        return checked >= kPartitions;
      },
      60s, 500ms);
  CHECK(done);
  std::istringstream in(neolog(site.dir / "master.log"));
  std::string lines;
  for (std::string line; std::getline(in, line);)
    if (line.find("corrupted") != std::string::npos) lines += line + "\n";
  return lines;
}

std::size_t lockless_stores(const std::string& log) {
  const std::size_t from = log.rfind("AskUnfinishedTransactions");
  const std::size_t to = log.rfind("NotifyReplicationDone");
  if (from == std::string::npos || to == std::string::npos || to < from) return 0;
  return count_lines_with(log.substr(from, to - from), "AskStoreObject");
}

Writer::Writer(const Site& site, const std::string& prefix)
    : stopfile_(site.dir / (prefix + ".stop")) {
  std::vector<std::string> argv = script(site, "commit");
  argv.insert(argv.begin() + 3, "-u");  // unbuffered: progress visible while it runs
  argv.push_back(prefix);
  argv.push_back("1");
  argv.push_back(stopfile_.string());
  process_ = std::make_unique<test::ChildProcess>(argv, site.dir / (prefix + ".out"));
}

std::size_t Writer::commits() const { return count_lines_with(process_->output(), "+"); }

std::string Writer::stop() {
  std::ofstream(stopfile_).put('\n');
  const auto status = process_->wait(120s);
  std::string out = process_->output();
  const std::size_t last = out.rfind('+');
  if (last != std::string::npos) out = out.substr(last + 2);
  return out + (status == 0 ? "" : "status " + std::to_string(status.value_or(-1)));
}

std::size_t add_while_writing(const Site& site, Storage& added) {
  Writer writer(site, "c");
  REQUIRE(test::wait_for([&] { return writer.commits() >= 5; }, 60s, 100ms));
  added.start();
  REQUIRE(add_pending_storage(site));
  std::string pt;
  CHECK(wait_up_to_date(site, 2, pt));
  INFO(pt);
  const std::size_t replicated = writer.commits();
  REQUIRE(test::wait_for([&] { return writer.commits() >= replicated + 5; }, 60s, 100ms));
  const std::string written = writer.stop();
  INFO(written);
  return std::stoul(written.substr(written.find(' ') + 1));
}

}  // namespace neo::interop
