// replication_bench: templates and the clusters of one run (see the header).
#include "tests/interop/bench/replication_bench_setup.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <sstream>
#include <stdexcept>

#include "tests/cluster/local_cluster.hpp"
#include "tests/interop/upstream_cluster.hpp"

namespace neo::bench {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using NeoCtl = std::function<test::RunResult(const std::vector<std::string>&)>;

constexpr int kPartitions = 12;
constexpr const char* kOursName = "repl-bench-ours";
constexpr const char* kNeopyName = "repl-bench-neopy";

test::LocalCluster::Options ours_options(int storages) {
  return {.name = kOursName,
          .partitions = kPartitions,
          .replicas = 1,
          .storages = storages,
          .autostart = 1,
          .admin = true};
}

interop::UpstreamCluster::Options neopy_options(int storages) {
  interop::UpstreamCluster::Options options;
  options.name = kNeopyName;
  options.partitions = kPartitions;
  options.replicas = 1;
  options.storages = storages;
  options.admin = true;
  return options;
}

// Our neoctl (same wire protocol) against NEO/py's admin node: a Python
// neoctl would cost ~0.2 s of CPU per poll.
NeoCtl neoctl_of(const net::Address& admin) {
  return [address = net::to_string(admin)](const std::vector<std::string>& args) {
    std::vector<std::string> argv = {test::LocalCluster::program("neoctl"), "-a", address};
    argv.insert(argv.end(), args.begin(), args.end());
    return test::run_program(argv);
  };
}

bool running(const NeoCtl& neoctl, std::chrono::seconds timeout) {
  return test::wait_for(
      [&] {
        return neoctl({"print", "cluster"}).out == "RUNNING\n";
      },
      timeout, 100ms);
}

// The id ("S2") of a storage in `state`, from `neoctl print node`; empty if none.
std::string storage_in(const NeoCtl& neoctl, const std::string& state) {
  std::istringstream out(neoctl({"print", "node"}).out);
  for (std::string line; std::getline(out, line);)
    if (line.find("STORAGE") != line.npos && line.find(state) != line.npos)
      return line.substr(0, line.find(' '));
  return {};
}

// Once the cluster runs, starts the new storage and `neoctl add`s it.
bool add_new_storage(const NeoCtl& neoctl, const std::function<void()>& start_new) {
  if (!running(neoctl, 300s)) return false;
  start_new();
  std::string id;
  if (!test::wait_for([&] { return !(id = storage_in(neoctl, "PENDING")).empty(); }, 60s, 100ms))
    return false;
  if (neoctl({"add", id}).status != 0) return false;
  return test::wait_for([&] { return storage_in(neoctl, "PENDING").empty(); }, 60s, 100ms);
}

Template fill(const fs::path& database, const fs::path& file, std::uint64_t bytes,
              const std::string& pragmas) {
  Template result{file, fill_database("file:" + database.string() + "?" + pragmas, bytes)};
  fs::copy_file(database, file);
  std::printf("  %s: %llu objects, %llu transactions, %.1f MB of object data, written in %.1f s\n",
              file.c_str(), static_cast<unsigned long long>(result.dataset.objects),
              static_cast<unsigned long long>(result.dataset.transactions),
              static_cast<double>(result.dataset.bytes) / 1e6, result.dataset.seconds);
  std::fflush(stdout);
  return result;
}

// Sets an environment variable for its lifetime.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    setenv(name, value, 1);
  }
  ~ScopedEnv() { old_ ? setenv(name_, old_->c_str(), 1) : unsetenv(name_); }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

}  // namespace

Template make_ours_template(const fs::path& work, std::uint64_t bytes) {
  test::LocalCluster cluster(ours_options(1));
  cluster.start();
  if (!cluster.wait_cluster_state("RUNNING", 60s))
    throw std::runtime_error("our template cluster did not start\n" + cluster.diagnostics());
  cluster.admin().stop();
  cluster.storage(0).stop();
  cluster.master().stop();
  return fill(cluster.database(0), work / "ours.sqlite", bytes,
              "synchronous=OFF&cache_size=-262144");
}

Template make_neopy_template(const fs::path& work, std::uint64_t bytes) {
  fs::path dir;
  {
    ScopedEnv keep("NEO_INTEROP_KEEP", "1");  // the database outlives the processes
    interop::UpstreamCluster cluster(neopy_options(1));
    dir = cluster.dir();
    if (!running(neoctl_of(cluster.admin()), 60s))
      throw std::runtime_error("NEO/py's template cluster did not start\n" + cluster.diagnostics());
  }
  // NEO/py's SQLite adapter keeps SQLite's default rollback journal.
  Template result = fill(dir / "db.sqlite", work / "neopy.sqlite", bytes,
                         "synchronous=OFF&cache_size=-262144&journal_mode=DELETE");
  if (std::getenv("NEO_INTEROP_KEEP") == nullptr) fs::remove_all(dir);
  return result;
}

RunFigures run_ours(const Template& db, double idle_seconds) {
  test::LocalCluster cluster(ours_options(2));
  fs::copy_file(db.file, cluster.database(0));
  cluster.start_master();
  cluster.start_storage(0);
  cluster.start_admin();
  const NeoCtl neoctl = [&cluster](const std::vector<std::string>& args) {
    return cluster.neoctl(args);
  };
  if (!add_new_storage(neoctl, [&cluster] { cluster.start_storage(1); })) {
    std::fprintf(stderr, "our cluster is not ready\n%s\n", cluster.diagnostics().c_str());
    return {};
  }
  const Target target{cluster.master_address(),
                      kOursName,
                      neoctl,
                      cluster.storage(0).pid(),
                      cluster.storage(1).pid(),
                      cluster.database(1).string(),
                      [&cluster] { return cluster.diagnostics(); }};
  return measure_run(target, db.dataset, idle_seconds);
}

RunFigures run_neopy(const Template& db, double idle_seconds) {
  interop::UpstreamCluster cluster(neopy_options(0));
  fs::copy_file(db.file, cluster.dir() / "db.sqlite");
  cluster.add_storage();
  const NeoCtl neoctl = neoctl_of(cluster.admin());
  if (!add_new_storage(neoctl, [&cluster] { cluster.add_storage(); })) {
    std::fprintf(stderr, "NEO/py's cluster is not ready\n%s\n", cluster.diagnostics().c_str());
    return {};
  }
  const std::vector<pid_t> pids = cluster.server_pids();  // master, storage, storage1
  const Target target{net::to_string(cluster.master()),
                      kNeopyName,
                      neoctl,
                      pids.at(1),
                      pids.at(2),
                      (cluster.dir() / "db1.sqlite").string(),
                      [&cluster] { return cluster.diagnostics(); }};
  return measure_run(target, db.dataset, idle_seconds);
}

}  // namespace neo::bench
