// Replication with real processes on 127.0.0.1: a new storage added with
// neoctl receives the data; a storage down during commits catches up; in
// both cases the data is then read from the new copy alone.
#include <catch2/catch.hpp>
#include <csignal>
#include <sstream>
#include <thread>

#include "neo/client.hpp"
#include "tests/cluster/local_cluster.hpp"
#include "tests/support/client_steps.hpp"

using neo::Oid;
using neo::Tid;
using neo::client::Client;
using neo::test::commit;
using neo::test::LocalCluster;
using neo::test::new_oids;
using namespace std::chrono_literals;

namespace {

std::unique_ptr<Client> connect(const LocalCluster& cluster) {
  auto client = Client::connect(
      {.masters = {cluster.master_address()}, .cluster = cluster.options().name, .timeout = 20s});
  INFO((client ? "" : client.error().message()) << cluster.diagnostics());
  REQUIRE(client);
  return std::move(*client);
}

// The matrix lines of `neoctl print pt` ("S1 R UUOO").
std::vector<std::string> pt_lines(const LocalCluster& cluster) {
  std::vector<std::string> lines;
  std::istringstream out(cluster.neoctl({"print", "pt"}).out);
  for (std::string line; std::getline(out, line);)
    if (line.rfind("S", 0) == 0) lines.push_back(line);
  return lines;
}

// Polls `done` every 100 ms until it is true or `timeout` passed.
template <class F>
bool wait_until(F done, std::chrono::seconds timeout = 20s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(100ms);  // polling interval of a bounded wait
  }
  return true;
}

// Waits until every cell of the table is UP_TO_DATE (`nodes` storages with cells).
bool wait_up_to_date(const LocalCluster& cluster, std::size_t nodes) {
  return wait_until(
      [&] {
        const std::vector<std::string> lines = pt_lines(cluster);
        std::size_t complete = 0;
        for (const std::string& line : lines) {
          const std::string cells = line.substr(line.rfind(' ') + 1);
          if (cells.find_first_not_of("U.") == cells.npos && cells.find('U') != cells.npos)
            ++complete;
        }
        return complete == nodes && lines.size() == nodes;
      },
      60s);
}

// The id of the storage in `state` ("S2"), from `neoctl print node`.
std::string storage_in(const LocalCluster& cluster, const std::string& state) {
  std::istringstream out(cluster.neoctl({"print", "node"}).out);
  for (std::string line; std::getline(out, line);)
    if (line.find("STORAGE") != line.npos && line.find(state) != line.npos)
      return line.substr(0, line.find(' '));
  return {};
}

// Commits `count` transactions of 20 objects each; the oids and their data.
std::vector<std::pair<Oid, std::string>> commit_some(Client& client, int count,
                                                     const std::string& tag) {
  std::vector<std::pair<Oid, std::string>> written;
  for (int t = 0; t < count; ++t) {
    const auto oids = new_oids(client, 20);
    const std::string data = tag + std::to_string(t) + std::string(300, 'r');
    commit(client, oids, neo::kZeroTid, data);
    for (Oid oid : oids) written.emplace_back(oid, data + "/" + std::to_string(oid.value));
  }
  return written;
}

void check_all(Client& client, const std::vector<std::pair<Oid, std::string>>& written) {
  for (const auto& [oid, data] : written) {
    auto record = client.load(oid);
    INFO("oid " << oid.value << ": " << (record ? "" : record.error().message()));
    REQUIRE(record);
    CHECK(record->data == data);
  }
}

}  // namespace

TEST_CASE("a storage added with neoctl add and tweak receives every partition",
          "[cluster][replication]") {
  REQUIRE(LocalCluster::daemons_built());
  LocalCluster cluster({.partitions = 6, .replicas = 1, .storages = 2, .autostart = 1});
  cluster.start_master();
  cluster.start_storage(0);
  cluster.start_admin();
  INFO(cluster.diagnostics());
  REQUIRE(cluster.wait_cluster_state("RUNNING"));
  auto client = connect(cluster);
  const auto written = commit_some(*client, 30, "before");

  cluster.start_storage(1);
  REQUIRE(cluster.wait_nodes("PENDING", 1));
  const std::string added = storage_in(cluster, "PENDING");
  REQUIRE_FALSE(added.empty());
  CHECK(cluster.neoctl({"add", added}).status == 0);
  REQUIRE(wait_until([&] { return storage_in(cluster, "PENDING").empty(); }));
  CHECK(cluster.neoctl({"tweak"}).status == 0);
  // Commits go on during the replication.
  const auto during = commit_some(*client, 10, "during");
  INFO(cluster.diagnostics());
  REQUIRE(wait_up_to_date(cluster, 2));

  // The first storage gone, everything is read from the new one.
  client.reset();
  cluster.storage(0).stop();
  auto reader = connect(cluster);
  check_all(*reader, written);
  check_all(*reader, during);
}

TEST_CASE("a storage down during commits catches up when it comes back", "[cluster][replication]") {
  REQUIRE(LocalCluster::daemons_built());
  LocalCluster cluster({.partitions = 4, .replicas = 1, .storages = 2});
  cluster.start();
  INFO(cluster.diagnostics());
  REQUIRE(cluster.wait_cluster_state("RUNNING"));
  auto client = connect(cluster);
  const auto before = commit_some(*client, 5, "before");
  cluster.storage(1).stop();
  const auto while_down = commit_some(*client, 20, "down");
  cluster.start_storage(1);
  REQUIRE(wait_up_to_date(cluster, 2));
  client.reset();
  cluster.storage(0).stop();
  auto reader = connect(cluster);
  check_all(*reader, before);
  check_all(*reader, while_down);
}
