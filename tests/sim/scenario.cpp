#include "tests/sim/scenario.hpp"

#include <spdlog/spdlog.h>

#include <sstream>

#include "nodes/master/master.hpp"

namespace neo::sim {

namespace {

using namespace std::chrono_literals;

constexpr Time kStartLimit = 30s;   // to RUNNING, and the bank's setup
constexpr Time kSettleLimit = 60s;  // after the faults, to RUNNING and quiet

std::string seconds(Time t) {
  std::ostringstream out;
  out.precision(3);
  out << std::fixed << std::chrono::duration<double>(t).count() << "s";
  return out.str();
}

ClusterConfig draw_shape(Loop& loop) {
  ClusterConfig config;
  config.masters = static_cast<int>(loop.uniform(1, 2));
  config.storages = static_cast<int>(loop.uniform(1, 3));
  config.replicas = config.storages > 1 ? static_cast<int>(loop.uniform(0, 1)) : 0;
  config.partitions = static_cast<int>(loop.uniform(1, 4));
  config.spares = static_cast<int>(loop.uniform(0, 1));
  return config;
}

// Injects one random fault now and then, and undoes it later.
class Faults {
 public:
  Faults(Cluster& cluster, std::vector<std::string>& log) : cluster_(cluster), log_(log) {}

  void inject() {
    Loop& loop = cluster_.loop();
    const auto& c = cluster_.config();
    switch (loop.uniform(0, 6)) {
      case 0: {
        const int i = static_cast<int>(loop.uniform(0, cluster_.storage_count() - 1));
        if (!cluster_.storage_up(i)) return;
        note("crash " + Cluster::storage_name(i));
        cluster_.crash_storage(i);
        later([this, i] {
          note("restart " + Cluster::storage_name(i));
          cluster_.start_storage(i);
        });
        return;
      }
      case 1: {
        const int i = static_cast<int>(loop.uniform(0, c.masters - 1));
        if (!cluster_.master_up(i)) return;
        note("crash " + Cluster::master_name(i));
        cluster_.crash_master(i);
        later([this, i] {
          note("restart " + Cluster::master_name(i));
          cluster_.start_master(i);
        });
        return;
      }
      case 2: {
        auto [a, b] = pair();
        if (cluster_.network().is_cut(a, b)) return;
        note("cut " + a + "-" + b);
        cluster_.network().cut(a, b);
        later([this, a, b] {
          note("heal " + a + "-" + b);
          cluster_.network().heal(a, b);
        });
        return;
      }
      case 3: {
        auto [a, b] = pair();
        note("reset " + a + "-" + b);
        cluster_.network().reset(a, b);
        return;
      }
      case 4: {  // a spare storage joins (PENDING until added)
        // Only when a master knows every storage: a restarted master gives
        // a new storage the first free id, which may be an older storage's
        // that has not reconnected yet (refused then as "already
        // connected"), as NEO/py's master does.
        if (!c.spares || !cluster_.running()) return;
        const int i = c.storages + static_cast<int>(loop.uniform(0, c.spares - 1));
        if (cluster_.storage_up(i)) return;
        note("join " + Cluster::storage_name(i));
        cluster_.start_storage(i);
        return;
      }
      case 5:  // neoctl add + tweak: new cells replicate, moved ones are dropped
        if (cluster_.add_and_tweak()) note("tweak");
        return;
      default: {
        const std::string a = pair().first;
        note("slow " + a);
        cluster_.network().slow(a, 20);
        later([this, a] {
          note("fast " + a);
          cluster_.network().slow(a, 1);
        });
      }
    }
  }

  // Runs every pending undo now.
  void heal_all() {
    for (auto& [id, undo] : undos_) {
      cluster_.loop().cancel(id);
      undo();
    }
    undos_.clear();
  }

 private:
  void note(const std::string& what) {
    log_.push_back(seconds(cluster_.loop().now()) + " " + what);
  }

  void later(std::function<void()> undo) {
    Loop& loop = cluster_.loop();
    auto id = std::make_shared<Loop::TaskId>();
    *id = loop.after(loop.uniform(Time(100ms), Time(2s)), [this, id] {
      auto it = undos_.find(*id);
      std::function<void()> undo = std::move(it->second);
      undos_.erase(it);
      undo();
    });
    undos_.emplace(*id, std::move(undo));
  }

  std::string node(std::size_t k) const {
    const auto& c = cluster_.config();
    if (k < static_cast<std::size_t>(c.masters)) return Cluster::master_name(static_cast<int>(k));
    k -= c.masters;
    const auto storages = static_cast<std::size_t>(cluster_.storage_count());
    if (k < storages) return Cluster::storage_name(static_cast<int>(k));
    return "C" + std::to_string(k - storages);
  }

  std::pair<std::string, std::string> pair() {
    const auto& c = cluster_.config();
    const std::size_t n =
        static_cast<std::size_t>(c.masters + cluster_.storage_count()) + 3;  // 3 tellers
    Loop& loop = cluster_.loop();
    const std::size_t a = loop.uniform(0, n - 1);
    std::size_t b = loop.uniform(0, n - 2);
    if (b >= a) ++b;
    return {node(a), node(b)};
  }

  Cluster& cluster_;
  std::vector<std::string>& log_;
  std::map<Loop::TaskId, std::function<void()>> undos_;
};

}  // namespace

ScenarioResult run_scenario(std::uint64_t seed, const ScenarioOptions& options) {
  ScenarioResult result;
  result.seed = seed;
  Loop shape_rng(seed ^ 0x5eed);
  Cluster cluster(seed, draw_shape(shape_rng));
  const ClusterConfig& c = cluster.config();
  result.shape = std::to_string(c.masters) + " masters, " + std::to_string(c.storages) +
                 " storages, " + std::to_string(c.replicas) + " replicas, " +
                 std::to_string(c.partitions) + " partitions";
  Loop& loop = cluster.loop();
  // Runs the loop until `done` or `limit`, checking after every task that
  // at most one master is the primary of a RUNNING cluster.
  auto run = [&](const std::function<bool()>& done, Time limit) {
    return loop.run_until(
        [&] {
          if (cluster.running_primaries().size() > 1 && result.failures.empty())
            result.failures.push_back("two RUNNING primary masters at " + seconds(loop.now()));
          return !result.failures.empty() || done();
        },
        limit);
  };
  auto finish = [&] {
    result.end = loop.now();
    result.tasks = loop.tasks_run();
    return result;
  };

  cluster.start_all();
  if (!run([&] { return cluster.running(); }, loop.now() + kStartLimit)) {
    result.failures.push_back("the cluster never became RUNNING");
    return finish();
  }
  Bank bank(cluster, BankConfig{});
  if (!bank.setup(kStartLimit)) {
    result.failures.push_back("the bank could not create its accounts");
    return finish();
  }
  bank.start();
  Faults faults(cluster, result.faults);
  const Time workload_end = loop.now() + options.workload;
  std::function<void()> tick = [&] {
    if (loop.now() >= workload_end) return;
    faults.inject();
    loop.after(loop.uniform(Time(50ms), Time(800ms)), tick);
  };
  if (options.faults) loop.after(loop.uniform(Time(50ms), Time(500ms)), tick);
  run([] { return false; }, workload_end);
  if (!result.failures.empty()) return finish();

  bank.stop();
  faults.heal_all();
  for (int i = 0; i < c.masters; ++i) cluster.start_master(i);
  for (int i = 0; i < c.storages; ++i) cluster.start_storage(i);
  for (int i = c.storages; i < cluster.storage_count(); ++i)
    if (cluster.storage_joined(i)) cluster.start_storage(i);
  if (!run([&] { return cluster.running() && bank.idle(); }, loop.now() + kSettleLimit)) {
    if (result.failures.empty()) {
      result.failures.push_back(
          std::string("not settled ") + seconds(kSettleLimit) +
          " after the faults: " + (cluster.running() ? "a transfer is stuck" : "not RUNNING"));
      for (const std::string& line : cluster.dump()) result.failures.push_back(line);
    }
    result.stats = bank.stats();
    return finish();
  }
  for (std::string& failure : bank.check(kSettleLimit)) result.failures.push_back(failure);
  result.stats = bank.stats();
  if (!result.failures.empty()) return finish();
  // Every storage in the table, every cell up to date, and the replicas equal.
  if (!run([&] { return cluster.add_and_tweak(); }, loop.now() + kSettleLimit) ||
      !run([&] { return cluster.replicated(); }, loop.now() + kSettleLimit)) {
    result.failures.push_back("replication not done " + seconds(kSettleLimit) +
                              " after the faults");
    for (const std::string& line : cluster.dump()) result.failures.push_back(line);
    return finish();
  }
  run([] { return false; }, loop.now() + 2s);  // the storages hear of it too
  for (std::string& failure : cluster.compare_replicas()) result.failures.push_back(failure);
  return finish();
}

std::string describe(const ScenarioResult& result) {
  std::ostringstream out;
  out << "seed " << result.seed << " (" << result.shape << "): ";
  if (result.failures.empty()) {
    out << "ok";
  } else {
    out << result.failures.size() << " failures:";
    for (const std::string& f : result.failures) out << "\n  " << f;
  }
  out << "\n  " << result.stats.committed << " transfers committed, " << result.stats.retried
      << " retried, " << result.stats.doubtful << " in doubt; simulated " << seconds(result.end)
      << ", " << result.tasks << " tasks";
  if (!result.faults.empty()) {
    out << "\n  faults:";
    for (const std::string& f : result.faults) out << "\n    " << f;
  }
  return out.str();
}

}  // namespace neo::sim
