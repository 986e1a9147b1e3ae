// replication_bench: one measurement on a prepared cluster (Target). A
// client (our C++ library, also against NEO/py's cluster) commits small
// transactions in a loop in its own thread: 1..10 objects of 200 random
// bytes, updates of a pool of 1000 objects. The main thread lets it run idle
// for a while, then tweaks the partition table and polls it until the new
// storage's cells are all UP_TO_DATE.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <random>
#include <sstream>
#include <thread>

#include "neo/client.hpp"
#include "tests/interop/bench/replication_bench.hpp"
#include "tests/support/child_process.hpp"

namespace neo::bench {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;
using test::cpu_seconds;
using test::percentile;

constexpr std::size_t kPool = 1000;
constexpr std::size_t kObjectSize = 200;

// True when `neoctl print pt` shows 2 storages whose cells are all UP_TO_DATE.
bool all_up_to_date(const Target& target) {
  std::istringstream out(target.neoctl({"print", "pt"}).out);
  std::size_t complete = 0, storages = 0;
  for (std::string line; std::getline(out, line);) {
    if (line.rfind("S", 0) != 0) continue;
    ++storages;
    const std::string cells = line.substr(line.rfind(' ') + 1);
    complete += cells.find_first_not_of('U') == std::string::npos;
  }
  return storages == 2 && complete == 2;
}

// The commit loop: latencies (ms) of the phase in which each commit began.
struct Committer {
  client::Client& client;
  std::atomic<int> phase{0};  // 0 idle, 1 during the replication, 2 stop
  std::vector<double> latencies[2]{};
  std::vector<Oid> oids{};
  std::vector<Tid> serials{};
  std::string error{};  // set before `failed`
  std::atomic<bool> failed{false};
  std::mt19937_64 random{42};

  std::string data() {
    std::string bytes(kObjectSize, '\0');
    for (auto& c : bytes) c = static_cast<char>(random());
    return bytes;
  }
  bool commit(const std::vector<std::size_t>& chosen) {
    auto txn = client.begin({"replication_bench", "commit", ""});
    if (!txn) return error = "begin: " + txn.error().message(), false;
    for (std::size_t index : chosen) (*txn)->store(oids[index], serials[index], data());
    auto tid = (*txn)->finish();
    if (!tid) return error = "finish: " + tid.error().message(), false;
    for (std::size_t index : chosen) serials[index] = *tid;
    return true;
  }
  bool create_pool() {
    for (std::size_t i = 0; i < kPool; ++i) {
      auto oid = client.new_oid();
      if (!oid) return error = "new_oid: " + oid.error().message(), false;
      oids.push_back(*oid);
    }
    serials.assign(kPool, kZeroTid);
    std::vector<std::size_t> all(kPool);
    for (std::size_t i = 0; i < kPool; ++i) all[i] = i;
    return commit(all);
  }
  void run() {
    std::uniform_int_distribution<std::size_t> pick(0, kPool - 1), count(1, 10);
    for (int now; (now = phase.load()) < 2;) {
      std::vector<std::size_t> chosen;
      for (std::size_t n = count(random); chosen.size() < n;) {
        const std::size_t index = pick(random);
        if (std::find(chosen.begin(), chosen.end(), index) == chosen.end()) chosen.push_back(index);
      }
      const auto start = Clock::now();
      if (!commit(chosen)) return failed.store(true);
      latencies[now].push_back(
          std::chrono::duration<double, std::milli>(Clock::now() - start).count());
    }
  }
};

}  // namespace

RunFigures measure_run(const Target& target, const Dataset& dataset, double idle_seconds) {
  RunFigures figures;
  auto client = client::Client::connect(
      {.masters = {target.master}, .cluster = target.cluster, .timeout = 60s});
  if (!client) {
    std::fprintf(stderr, "connect: %s\n", client.error().message().c_str());
    return figures;
  }
  Committer committer{**client};
  if (!committer.create_pool()) {
    std::fprintf(stderr, "pool: %s\n", committer.error.c_str());
    return figures;
  }
  std::thread loop([&committer] { committer.run(); });
  std::this_thread::sleep_for(std::chrono::duration<double>(idle_seconds));  // the idle phase

  const double source_cpu = cpu_seconds(target.source);
  const double destination_cpu = cpu_seconds(target.destination);
  const auto start = Clock::now();
  committer.phase = 1;
  const test::RunResult tweak = target.neoctl({"tweak"});
  const auto timeout = 120s + std::chrono::seconds(dataset.bytes / (256 * 1024));
  bool done = tweak.status == 0;
  while (done && !all_up_to_date(target)) {
    if (Clock::now() - start > timeout || committer.failed) done = false;
    std::this_thread::sleep_for(100ms);  // polling interval
  }
  figures.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  figures.source_cpu = cpu_seconds(target.source) - source_cpu;
  figures.destination_cpu = cpu_seconds(target.destination) - destination_cpu;
  committer.phase = 2;
  loop.join();

  if (!done || !committer.error.empty()) {
    std::fprintf(stderr, "replication not done (tweak status %d %s) %s\n%s\n", tweak.status,
                 tweak.err.c_str(), committer.error.c_str(), target.diagnostics().c_str());
    return figures;
  }
  const std::int64_t replicated = count_objects(target.destination_db);
  if (replicated < static_cast<std::int64_t>(dataset.objects)) {
    std::fprintf(stderr, "the new storage has %lld objects, expected at least %llu\n",
                 static_cast<long long>(replicated),
                 static_cast<unsigned long long>(dataset.objects));
    return figures;
  }
  figures.ok = true;
  figures.mb_s = static_cast<double>(dataset.bytes) / 1e6 / figures.seconds;
  figures.objects_s = static_cast<double>(dataset.objects) / figures.seconds;
  figures.idle_p50 = percentile(committer.latencies[0], 0.5);
  figures.idle_p99 = percentile(committer.latencies[0], 0.99);
  figures.during_p50 = percentile(committer.latencies[1], 0.5);
  figures.during_p99 = percentile(committer.latencies[1], 0.99);
  figures.idle_commits = committer.latencies[0].size();
  figures.during_commits = committer.latencies[1].size();
  return figures;
}

}  // namespace neo::bench
