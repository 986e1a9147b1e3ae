// neostress against our daemons, as an operator runs it: a batch run that
// causes at least 50 faults of every kind passes (its JSON summary says so,
// kind by kind), and the checker fails once a record is deleted by hand
// from every replica.
#include <sqlite3.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "tests/cluster/local_cluster.hpp"
#include "tests/support/child_process.hpp"

namespace neo::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

fs::path neostress() { return fs::path(std::getenv("NEO_BIN_DIR")) / "neostress"; }

std::vector<std::string> stress_args(const fs::path& dir, std::vector<std::string> command,
                                     int replicas = 1) {
  std::vector<std::string> argv = {
      neostress().string(),     "-m", "2",         "-s", "4", "-p", "8", "-r",
      std::to_string(replicas), "-d", dir.string()};
  argv.insert(argv.end(), command.begin(), command.end());
  return argv;
}

std::vector<fs::path> storage_databases(const fs::path& dir) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir))
    if (entry.path().extension() == ".sqlite") files.push_back(entry.path());
  return files;
}

// Runs `sql` with integer parameters; the first column of each row.
std::vector<std::int64_t> query(const fs::path& db, const std::string& sql,
                                std::vector<std::int64_t> params = {}) {
  sqlite3* handle = nullptr;
  REQUIRE(sqlite3_open(db.c_str(), &handle) == SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  REQUIRE(sqlite3_prepare_v2(handle, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK);
  for (std::size_t i = 0; i < params.size(); ++i)
    sqlite3_bind_int64(stmt, static_cast<int>(i + 1), params[i]);
  std::vector<std::int64_t> rows;
  int rc;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) rows.push_back(sqlite3_column_int64(stmt, 0));
  CHECK(rc == SQLITE_DONE);
  sqlite3_finalize(stmt);
  sqlite3_close(handle);
  return rows;
}

// Root can unshare namespaces: then the disk-full and delay faults too.
bool can_isolate() { return ::geteuid() == 0; }

TEST_CASE("neostress: a batch run with 50 faults of every kind passes", "[neostress]") {
  const fs::path dir = make_temp_dir("neostress-run");
  std::vector<std::string> args = {
      "run",    "-c",         "2",      "--per-kind",
      "50",     "--rate",     "6",      "--freeze",
      "0.6",    "--duration", "118",    "--batch",
      "--seed", "1",          "--json", (dir / "report.json").string()};
  std::string kinds = "kill-storage,kill-master,kill-admin,freeze,reset,pack,logrotate";
  if (can_isolate()) args.push_back("--isolate"), kinds += ",disk-full,delay";
  args.insert(args.end(), {"--kinds", kinds});
  // 2 replicas: two storages may be hit at a time.
  const RunResult run = run_program(stress_args(dir, args, 2), 360s);
  INFO(run.out << run.err);
  REQUIRE(run.status == 0);
  CHECK(run.out.find("PASSED") != std::string::npos);
  const auto report = nlohmann::json::parse(std::ifstream(dir / "report.json"));
  CHECK(report["ok"] == true);
  CHECK(report["violations"].empty());
  CHECK(report["replicas_identical"] == true);
  std::vector<std::string> caused = {"kill-storage", "kill-master", "kill-admin", "freeze",
                                     "reset",        "pack",        "logrotate"};
  if (can_isolate()) caused.insert(caused.end(), {"disk-full", "delay"});
  for (const std::string& kind : caused) {
    INFO(kind);
    CHECK(report["faults"][kind]["count"].get<int>() >= 50);
  }
  // Every disruptive fault was followed by a healthy cluster again.
  CHECK(report["faults"]["kill-storage"]["recovery"]["count"] ==
        report["faults"]["kill-storage"]["count"]);
  CHECK(report["recovery"]["p99"].get<double>() < 60);
  const auto acked = report["commits_acknowledged"].get<std::uint64_t>();
  CHECK(acked > 100);
  CHECK(report["commits_in_database"].get<std::uint64_t>() >= acked);
  if (report["ok"] == true) fs::remove_all(dir);  // else kept for a look
}

TEST_CASE("neostress check fails when a record is lost from every replica", "[neostress]") {
  const fs::path dir = make_temp_dir("neostress-check");
  const RunResult run = run_program(
      stress_args(dir, {"run", "-c", "2", "-f", "0", "--duration", "3", "--batch"}), 120s);
  INFO(run.out << run.err);
  REQUIRE(run.status == 0);
  // The data directory's cluster, started again, passes the check.
  RunResult check = run_program(stress_args(dir, {"check"}), 120s);
  INFO(check.out << check.err);
  REQUIRE(check.status == 0);
  CHECK(check.out.find("every invariant holds") != std::string::npos);

  // The newest revision of the object with the most revisions (a log or an
  // account) is deleted from every replica: the check reads the one before.
  std::map<std::int64_t, std::int64_t> revisions;  // oid -> count over replicas
  for (const fs::path& db : storage_databases(dir))
    for (std::int64_t oid : query(db, "SELECT oid FROM obj")) ++revisions[oid];
  REQUIRE_FALSE(revisions.empty());
  const std::int64_t oid =
      std::max_element(revisions.begin(), revisions.end(), [](auto& a, auto& b) {
        return a.second < b.second;
      })->first;
  std::int64_t tid = 0;
  for (const fs::path& db : storage_databases(dir))
    for (std::int64_t t : query(db, "SELECT max(tid) FROM obj WHERE oid = ?", {oid}))
      tid = std::max(tid, t);
  int deleted = 0;
  for (const fs::path& db : storage_databases(dir)) {
    const auto before = query(db, "SELECT count(*) FROM obj WHERE tid = ? AND oid = ?", {tid, oid});
    query(db, "DELETE FROM obj WHERE tid = ? AND oid = ?", {tid, oid});
    deleted += static_cast<int>(before.at(0));
  }
  CHECK(deleted == 2);  // both replicas

  check = run_program(stress_args(dir, {"check"}), 120s);
  INFO(check.out << check.err);
  CHECK(check.status == 1);
  // A log entry lost, or money: either way a violation.
  CHECK(check.out.find("VIOLATION: ") != std::string::npos);
  fs::remove_all(dir);
}

TEST_CASE("neostress run --attach: a running cluster, pack faults, left running", "[neostress]") {
  LocalCluster cluster({.name = "attached", .partitions = 4, .replicas = 1, .storages = 2});
  cluster.start();
  const fs::path dir = make_temp_dir("neostress-attach");
  const std::vector<std::string> attach = {neostress().string(), "--cluster", "attached",
                                           "--attach", cluster.master_address(), "--admin",
                                           cluster.admin_address(), "-d", dir.string()};
  auto command = [&](std::vector<std::string> args) {
    args.insert(args.begin(), attach.begin(), attach.end());
    return args;
  };
  // The nodes are not neostress's to kill.
  RunResult refused = run_program(command({"run", "--kinds", "pack,freeze"}), 30s);
  CHECK(refused.status == 2);
  CHECK(refused.err.find("only pack faults") != std::string::npos);

  const RunResult run = run_program(command({"run", "-c", "1", "--rate", "2", "-f", "1",
                                             "--duration", "6", "--batch", "--json",
                                             (dir / "report.json").string()}),
                                    120s);
  INFO(run.out << run.err);
  REQUIRE(run.status == 0);
  const auto report = nlohmann::json::parse(std::ifstream(dir / "report.json"));
  CHECK(report["ok"] == true);
  CHECK(report["replicas_identical"] == true);
  CHECK(report["faults"]["pack"]["count"].get<int>() >= 1);
  CHECK(report["faults"].size() == 1);
  CHECK(report["commits_acknowledged"].get<std::uint64_t>() > 0);
  // Still running, and still holding the run's data.
  CHECK(cluster.master().running());
  const RunResult check = run_program(command({"check", "--acks", (dir / "acks.0").string()}), 60s);
  INFO(check.out << check.err);
  CHECK(check.status == 0);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace neo::test
