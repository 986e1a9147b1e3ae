// client_bench: figures of the C++ client library (include/neo/client.hpp)
// against our own cluster: 1 master + 1 SQLite storage (1 partition, no
// replica) + 1 admin, started from NEO_BIN_DIR. Only the public client API
// is used. It prints:
//   (0) the machine's raw loopback TCP round trip, to read the rest against;
//   (a) cold load latency: N objects are committed (transactions of 100),
//       then a new Client (empty cache) loads each of them once;
//   (b) commit throughput and latency: 1 client commits M transactions of
//       10 updated objects (random ones of the pool, with their serials);
//   (c) server CPU (utime + stime of the master and the storage, from
//       /proc/PID/stat) per 1000 commits of (b);
//   (d) 4 clients (one Client each, one thread each) doing 80% loads and
//       20% 1-object update transactions of random objects for 5 s: ops/s,
//       conflicts, and the server CPU of that phase.
// Object data: 100..1000 random (incompressible) bytes.
//   NEO_BIN_DIR=build/bin build/tests/client_bench [commits] [objects]
// With NEO_BENCH_MARIADB=1 the storage runs on MariaDB (InnoDB, durable:
// innodb_flush_log_at_trx_commit=1) on a private server, whose CPU is
// counted as "db".
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <asio/connect.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/read.hpp>
#include <asio/write.hpp>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "neo/client.hpp"
#include "tests/cluster/local_cluster.hpp"
#include "tests/support/mariadb_server.hpp"

using neo::Oid;
using neo::Tid;
using neo::test::LocalCluster;
using neo::test::percentile;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int kWritesPercent = 20;
constexpr int kClients = 4;
constexpr auto kMixedDuration = std::chrono::seconds(5);

[[noreturn]] void fail(const std::string& what, std::error_code error) {
  std::fprintf(stderr, "client_bench: %s: %s\n", what.c_str(), error.message().c_str());
  std::exit(1);
}

std::string random_data(std::mt19937_64& random) {
  std::uniform_int_distribution<int> size(100, 1000);
  std::string data(size(random), '\0');
  for (auto& c : data) c = static_cast<char>(random());
  return data;
}

double micros(Clock::duration d) { return std::chrono::duration<double, std::micro>(d).count(); }

// CPU time (utime + stime) of a process, in milliseconds.
double cpu_ms(pid_t pid) { return 1000.0 * neo::test::cpu_seconds(pid); }

double self_cpu_ms() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const auto ms = [](const timeval& t) { return t.tv_sec * 1000.0 + t.tv_usec / 1000.0; };
  return ms(usage.ru_utime) + ms(usage.ru_stime);
}

// The MariaDB server's pid with NEO_BENCH_MARIADB, else 0.
pid_t g_db_pid = 0;

// CPU used by the master, the storage, the MariaDB server and this program (the clients).
struct CpuMeter {
  pid_t master, storage;
  double start_master = cpu_ms(master), start_storage = cpu_ms(storage), start_self = self_cpu_ms();
  double start_db = g_db_pid ? cpu_ms(g_db_pid) : 0;
  void print(const char* phase, double per, const char* unit) const {
    std::printf("  %s CPU per %s: master %.1f ms, storage %.1f ms, clients %.1f ms", phase, unit,
                (cpu_ms(master) - start_master) / per, (cpu_ms(storage) - start_storage) / per,
                (self_cpu_ms() - start_self) / per);
    if (g_db_pid) std::printf(", db %.1f ms", (cpu_ms(g_db_pid) - start_db) / per);
    std::printf("\n");
  }
};

// The machine's own floor: a 16-byte ping-pong over loopback TCP between two
// threads blocked in read(), with no NEO code. On a VM it varies from one
// hour to the next; the figures below are to be read against it.
void raw_round_trip() {
  asio::io_context io;
  asio::ip::tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), 0});
  asio::ip::tcp::socket client(io), server(io);
  client.connect(acceptor.local_endpoint());
  acceptor.accept(server);
  client.set_option(asio::ip::tcp::no_delay(true));
  server.set_option(asio::ip::tcp::no_delay(true));
  constexpr int kTrips = 2000;
  std::thread echo([&server] {
    char buffer[16];
    for (int i = 0; i < kTrips; ++i) {
      asio::read(server, asio::buffer(buffer));
      asio::write(server, asio::buffer(buffer));
    }
  });
  std::vector<double> latencies;
  char buffer[16] = {};
  for (int i = 0; i < kTrips; ++i) {
    const auto start = Clock::now();
    asio::write(client, asio::buffer(buffer));
    asio::read(client, asio::buffer(buffer));
    latencies.push_back(micros(Clock::now() - start));
  }
  echo.join();
  std::printf(
      "(0) raw loopback TCP round trip (2 threads, blocking read): p50 %.0f us, p90 %.0f us\n",
      percentile(latencies, 0.5), percentile(latencies, 0.9));
}

std::unique_ptr<neo::client::Client> connect(const LocalCluster& cluster) {
  neo::client::Options options;
  options.masters = {cluster.master_address()};
  options.cluster = cluster.options().name;
  options.timeout = std::chrono::seconds(30);
  auto client = neo::client::Client::connect(options);
  if (!client) fail("connect", client.error());
  return std::move(*client);
}

struct Pool {
  std::vector<Oid> oids;
  std::vector<Tid> serials;  // by index in oids
};

// (a) setup: N new objects in transactions of 100.
Pool create_objects(neo::client::Client& client, std::size_t count, std::mt19937_64& random) {
  Pool pool;
  while (pool.oids.size() < count) {
    auto txn = client.begin({"client_bench", "create", ""});
    if (!txn) fail("begin", txn.error());
    for (std::size_t i = 0; i < 100 && pool.oids.size() < count; ++i) {
      auto oid = client.new_oid();
      if (!oid) fail("new_oid", oid.error());
      (*txn)->store(*oid, neo::kZeroTid, random_data(random));
      pool.oids.push_back(*oid);
    }
    auto tid = (*txn)->finish();
    if (!tid) fail("finish (create)", tid.error());
    pool.serials.resize(pool.oids.size(), *tid);
  }
  return pool;
}

void cold_loads(const LocalCluster& cluster, const Pool& pool) {
  auto client = connect(cluster);
  std::vector<double> latencies;
  // The floor under any request: a round trip to the master (Ping).
  for (int i = 0; i < 1000; ++i) {
    const auto start = Clock::now();
    if (std::error_code ec = client->sync()) fail("sync", ec);
    latencies.push_back(micros(Clock::now() - start));
  }
  std::printf("(a) round trip to the master through the client (sync): p50 %.0f us, p90 %.0f us\n",
              percentile(latencies, 0.5), percentile(latencies, 0.9));
  latencies.clear();
  for (std::size_t i = 0; i < pool.oids.size(); ++i) {
    const auto start = Clock::now();
    auto record = client->load(pool.oids[i]);
    latencies.push_back(micros(Clock::now() - start));
    if (!record) fail("load", record.error());
    if (record->serial != pool.serials[i])
      fail("load", make_error_code(neo::errc::oid_does_not_exist));  // wrong serial
  }
  const auto stats = client->cache_stats();
  std::printf(
      "(a) cold loads of %zu objects (new client, cache misses %llu): p50 %.0f us, "
      "p90 %.0f us\n",
      latencies.size(), static_cast<unsigned long long>(stats.misses), percentile(latencies, 0.5),
      percentile(latencies, 0.9));
}

// (b), (c): M transactions of 10 updates by one client.
void commits(neo::client::Client& client, Pool& pool, int count, std::mt19937_64& random) {
  std::vector<double> latencies;
  std::uniform_int_distribution<std::size_t> pick(0, pool.oids.size() - 1);
  const std::size_t per_txn = std::min<std::size_t>(10, pool.oids.size());
  const auto start = Clock::now();
  for (int n = 0; n < count; ++n) {
    std::vector<std::size_t> chosen;
    while (chosen.size() < per_txn) {
      const std::size_t index = pick(random);
      if (std::find(chosen.begin(), chosen.end(), index) == chosen.end()) chosen.push_back(index);
    }
    std::vector<std::string> data;
    for (std::size_t i = 0; i < per_txn; ++i) data.push_back(random_data(random));
    const auto begin = Clock::now();
    auto txn = client.begin({"client_bench", "update", ""});
    if (!txn) fail("begin", txn.error());
    for (std::size_t i = 0; i < per_txn; ++i)
      (*txn)->store(pool.oids[chosen[i]], pool.serials[chosen[i]], std::move(data[i]));
    auto tid = (*txn)->finish();
    if (!tid) fail("finish (update)", tid.error());
    latencies.push_back(micros(Clock::now() - begin) / 1000.0);
    for (std::size_t index : chosen) pool.serials[index] = *tid;
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  std::printf(
      "(b) %d commits of %zu objects by 1 client: %.0f commits/s, latency p50 %.2f ms, "
      "p90 %.2f ms\n",
      count, per_txn, count / seconds, percentile(latencies, 0.5), percentile(latencies, 0.9));
}

struct MixedCounts {
  std::atomic<long> loads{0}, commits{0}, conflicts{0}, errors{0};
};

void mixed_worker(neo::client::Client* client, const Pool& pool, unsigned seed,
                  Clock::time_point end, MixedCounts& counts) {
  std::mt19937_64 random(seed);
  std::uniform_int_distribution<std::size_t> pick(0, pool.oids.size() - 1);
  std::uniform_int_distribution<int> percent(0, 99);
  while (Clock::now() < end) {
    const Oid oid = pool.oids[pick(random)];
    auto record = client->load(oid);
    if (!record) {
      ++counts.errors;
      continue;
    }
    if (percent(random) >= kWritesPercent) {
      ++counts.loads;
      continue;
    }
    auto txn = client->begin({"client_bench", "mixed", ""});
    if (!txn) {
      ++counts.errors;
      continue;
    }
    (*txn)->store(oid, record->serial, random_data(random));
    auto tid = (*txn)->finish();
    if (tid) {
      ++counts.commits;
    } else {
      (*txn)->abort();
      if (tid.error() == neo::errc::conflict)
        ++counts.conflicts;
      else
        ++counts.errors;
    }
  }
}

// (d): 4 clients, 80% loads / 20% 1-object updates, for a fixed time.
void mixed(const LocalCluster& cluster, const Pool& pool, pid_t master, pid_t storage) {
  MixedCounts counts;
  std::vector<std::unique_ptr<neo::client::Client>> clients;
  for (int i = 0; i < kClients; ++i) clients.push_back(connect(cluster));
  std::vector<std::thread> threads;
  const CpuMeter cpu{master, storage};
  const auto start = Clock::now();
  const auto end = start + kMixedDuration;
  for (int i = 0; i < kClients; ++i)
    threads.emplace_back(mixed_worker, clients[i].get(), std::cref(pool), 1000u + i, end,
                         std::ref(counts));
  for (auto& thread : threads) thread.join();
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  const long ops = counts.loads + counts.commits + counts.conflicts;
  std::printf(
      "(d) %d clients, %d%% writes, %.1f s: %.0f ops/s "
      "(%ld loads, %ld commits, %ld conflicts, %ld errors)\n",
      kClients, kWritesPercent, seconds, ops / seconds, counts.loads.load(), counts.commits.load(),
      counts.conflicts.load(), counts.errors.load());
  cpu.print("(d)", seconds, "second");
}

}  // namespace

int main(int argc, char** argv) {
  const int commit_count = argc > 1 ? std::stoi(argv[1]) : 1000;
  const std::size_t object_count = argc > 2 ? std::stoul(argv[2]) : 2000;
  if (commit_count <= 0 || object_count == 0) {
    std::fprintf(stderr, "usage: client_bench [commits > 0] [objects > 0]\n");
    return 2;
  }
  const char* mariadb = std::getenv("NEO_BENCH_MARIADB");
  const bool on_mariadb = mariadb && std::string(mariadb) == "1";
  std::printf("client_bench: %d commits, %zu objects; 1 master + 1 storage (%s), %s\n",
              commit_count, object_count, on_mariadb ? "MariaDB, InnoDB" : "SQLite",
              LocalCluster::program("").c_str());
  LocalCluster cluster({.partitions = 1, .replicas = 0, .storages = 1});
  if (on_mariadb) {
    neo::test::MariaDbServer::set_durable(true);
    neo::test::MariaDbServer* server = neo::test::MariaDbServer::shared();
    if (!server) {
      std::fprintf(stderr, "NEO_BENCH_MARIADB=1: mariadbd not found\n");
      return 1;
    }
    cluster.use_database(0, "MySQL", server->create_database("neo_bench"));
    g_db_pid = server->pid();
  }
  cluster.start();
  if (!cluster.wait_cluster_state("RUNNING", std::chrono::seconds(30))) {
    std::fprintf(stderr, "cluster did not reach RUNNING\n%s\n", cluster.diagnostics().c_str());
    return 1;
  }
  const pid_t master = cluster.master().pid(), storage = cluster.storage(0).pid();
  std::mt19937_64 random(42);
  raw_round_trip();

  auto client = connect(cluster);
  Pool pool = create_objects(*client, object_count, random);
  cold_loads(cluster, pool);

  const CpuMeter cpu{master, storage};
  commits(*client, pool, commit_count, random);
  cpu.print("(c)", commit_count / 1000.0, "1000 commits");

  mixed(cluster, pool, master, storage);
  return 0;
}
