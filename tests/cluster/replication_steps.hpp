// tests/cluster/replication_steps.hpp
// Steps shared by the replication cluster tests (replication_cluster_test,
// replication_fault_cluster_test): a client, `neoctl print pt|node` read as
// data, bounded waits, commits and read-backs, and read-only queries on a
// storage's SQLite database. Test code only, Catch2 assertions, one thread.
#pragma once

#include <sqlite3.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <random>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "neo/client.hpp"
#include "tests/cluster/local_cluster.hpp"
#include "tests/support/client_steps.hpp"

namespace neo::test {

using namespace std::chrono_literals;
using Written = std::vector<std::pair<Oid, std::string>>;

inline std::unique_ptr<client::Client> connect(const LocalCluster& cluster) {
  auto client = client::Client::connect(
      {.masters = {cluster.master_address()}, .cluster = cluster.options().name, .timeout = 30s});
  INFO((client ? "" : client.error().message()) << cluster.diagnostics());
  REQUIRE(client);
  return std::move(*client);
}

// The matrix lines of `neoctl print pt` ("S1 R UUOO").
inline std::vector<std::string> pt_lines(const LocalCluster& cluster) {
  std::vector<std::string> lines;
  std::istringstream out(cluster.neoctl({"print", "pt"}).out);
  for (std::string line; std::getline(out, line);)
    if (line.rfind("S", 0) == 0) lines.push_back(line);
  return lines;
}

// The cells of `node` ("S2") in `neoctl print pt` ("UUO."), empty if absent.
inline std::string cells_of(const LocalCluster& cluster, const std::string& node) {
  for (const std::string& line : pt_lines(cluster))
    if (line.rfind(node + " ", 0) == 0) return line.substr(line.rfind(' ') + 1);
  return {};
}

// Polls `done` every `step` until it is true or `timeout` passed.
template <class F>
bool wait_until(F done, std::chrono::seconds timeout = 20s,
                std::chrono::milliseconds step = 100ms) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(step);  // polling interval of a bounded wait
  }
  return true;
}

// True if every cell of the table is UP_TO_DATE, with `nodes` storages
// having cells and `copies` cells in every partition.
inline bool all_up_to_date(const LocalCluster& cluster, std::size_t nodes, std::size_t copies) {
  const std::vector<std::string> lines = pt_lines(cluster);
  if (lines.size() != nodes) return false;
  std::vector<std::size_t> per_partition;
  for (const std::string& line : lines) {
    const std::string cells = line.substr(line.rfind(' ') + 1);
    if (cells.find_first_not_of("U.") != cells.npos) return false;
    per_partition.resize(cells.size());
    for (std::size_t p = 0; p < cells.size(); ++p) per_partition[p] += cells[p] == 'U';
  }
  for (std::size_t count : per_partition)
    if (count != copies) return false;
  return !per_partition.empty();
}

// Waits until every cell is UP_TO_DATE (`nodes` storages with cells; with
// `copies`, that many cells per partition, else any).
inline bool wait_up_to_date(const LocalCluster& cluster, std::size_t nodes, std::size_t copies = 0,
                            std::chrono::seconds timeout = 60s) {
  return wait_until(
      [&] {
        if (copies) return all_up_to_date(cluster, nodes, copies);
        for (std::size_t c = 1; c <= nodes; ++c)
          if (all_up_to_date(cluster, nodes, c)) return true;
        return false;
      },
      timeout);
}

// The id of the storage in `state` ("S2"), from `neoctl print node`.
inline std::string storage_in(const LocalCluster& cluster, const std::string& state) {
  std::istringstream out(cluster.neoctl({"print", "node"}).out);
  for (std::string line; std::getline(out, line);)
    if (line.find("STORAGE") != line.npos && line.find(state) != line.npos)
      return line.substr(0, line.find(' '));
  return {};
}

// The state ("RUNNING") of node `id` ("S2") in `neoctl print node`, empty
// if it is not listed.
inline std::string node_state(const LocalCluster& cluster, const std::string& id) {
  std::istringstream in(cluster.neoctl({"print", "node"}).out);
  const std::regex line("^" + id + " +\\|[^|]*\\|[^|]*\\| (\\S+)");
  for (std::string text; std::getline(in, text);) {
    std::smatch match;
    if (std::regex_search(text, match, line)) return match[1];
  }
  return {};
}

// The id ("S1") of the storage listening at `address` (`print node`
// columns: id | type | address | state ...), empty if not listed.
inline std::string storage_id(const LocalCluster& cluster, const std::string& address) {
  std::istringstream in(cluster.neoctl({"print", "node"}).out);
  const std::regex line("^(\\S+) +\\| STORAGE +\\| " +
                        std::regex_replace(address, std::regex("\\."), "\\.") + " ");
  for (std::string text; std::getline(in, text);) {
    std::smatch match;
    if (std::regex_search(text, match, line)) return match[1];
  }
  return {};
}

// Starts storage `index`, waits until it is PENDING, then `neoctl add` and
// `neoctl tweak`; its id.
inline std::string add_storage(LocalCluster& cluster, std::size_t index) {
  cluster.start_storage(index);
  REQUIRE(cluster.wait_nodes("PENDING", 1));
  const std::string added = storage_in(cluster, "PENDING");
  REQUIRE_FALSE(added.empty());
  REQUIRE(cluster.neoctl({"add", added}).status == 0);
  REQUIRE(wait_until([&] { return storage_in(cluster, "PENDING").empty(); }));
  REQUIRE(cluster.neoctl({"tweak"}).status == 0);
  return added;
}

// `size` bytes that do not compress (the client compresses with zlib).
inline std::string random_bytes(std::mt19937_64& random, std::size_t size) {
  std::string data(size, '\0');
  for (char& c : data) c = static_cast<char>(random());
  return data;
}

// Commits `count` transactions of `objects` new objects each, with
// `size` random bytes plus the oid as data (all distinct: nothing is
// deduplicated); the oids and their data.
inline Written commit_some(client::Client& client, int count, const std::string& tag,
                           int objects = 20, std::size_t size = 300) {
  std::mt19937_64 random(std::hash<std::string>{}(tag));
  Written written;
  for (int t = 0; t < count; ++t) {
    const auto oids = new_oids(client, objects);
    const std::string data = tag + std::to_string(t) + random_bytes(random, size);
    commit(client, oids, kZeroTid, data);
    for (Oid oid : oids) written.emplace_back(oid, data + "/" + std::to_string(oid.value));
  }
  return written;
}

inline void check_all(client::Client& client, const Written& written) {
  for (const auto& [oid, data] : written) {
    auto record = client.load(oid);
    INFO("oid " << oid.value << ": " << (record ? "" : record.error().message()));
    REQUIRE(record);
    CHECK(record->data == data);
  }
}

// The integer of a one-value query on a storage's SQLite database, opened
// read-only (the node may be writing it: its locks are waited for), with
// the database `attached` as "b" if given; -1 on error (e.g. no such table).
inline std::int64_t query_int(const std::filesystem::path& db, const std::string& sql,
                              const std::filesystem::path& attached = {}) {
  sqlite3* conn = nullptr;
  std::int64_t value = -1;
  if (sqlite3_open_v2(db.c_str(), &conn, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_busy_timeout(conn, 5000);
    if (!attached.empty() && sqlite3_exec(conn, ("ATTACH '" + attached.string() + "' AS b").c_str(),
                                          nullptr, nullptr, nullptr) != SQLITE_OK) {
      sqlite3_close(conn);
      return -1;
    }
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(conn, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK &&
        sqlite3_step(stmt) == SQLITE_ROW)
      value = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
  }
  sqlite3_close(conn);
  return value;
}

// A node's log as neolog prints it; INFO records wait in memory until
// flushed, so `neoctl flush_log` first.
inline std::string log_of(const LocalCluster& cluster, const std::string& node) {
  cluster.neoctl({"flush_log"});
  return run_program({LocalCluster::program("neolog"), (cluster.dir() / (node + ".log")).string()})
      .out;
}

}  // namespace neo::test
