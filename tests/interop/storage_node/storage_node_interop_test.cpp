// Our neostorage in upstream NEO/py clusters (master + admin + neoctl from
// NEO_PEER_PYTHONPATH): it reaches RUNNING alone and with a second one of
// ours, rejoins with its node id, stops on `set cluster STOPPING`, refuses
// another cluster, and its database and an upstream storage's are
// interchangeable in a real cluster (an upstream ZODB client reads through it).
#include <catch2/catch.hpp>
#include <csignal>
#include <filesystem>
#include <string>
#include <vector>

#include "nodes/storage/database/sqlite_database.hpp"
#include "tests/interop/peer_env.hpp"
#include "tests/interop/upstream_cluster.hpp"
#include "tests/net/test_certs.hpp"
#include "tests/support/child_process.hpp"

using neo::interop::UpstreamCluster;
using neo::test::ChildProcess;
using namespace std::chrono_literals;

namespace {

// Our storage node in `cluster`, database `db` (a path), log next to it.
UpstreamCluster::Options cluster_options(std::string name, int partitions, int replicas,
                                         int storages, int autostart) {
  UpstreamCluster::Options options;
  options.name = std::move(name);
  options.partitions = partitions;
  options.replicas = replicas;
  options.storages = storages;
  options.admin = true;
  options.autostart = autostart;
  return options;
}

std::unique_ptr<ChildProcess> our_storage(const UpstreamCluster& cluster, const std::string& db,
                                          const std::string& name, std::string cluster_name = {},
                                          const std::vector<std::string>& extra = {}) {
  const auto dir = cluster.dir();
  std::vector<std::string> argv{NEO_STORAGE_BIN,
                                "-l",
                                (dir / (name + ".log")).string(),
                                "-c",
                                cluster_name.empty() ? cluster.name() : cluster_name,
                                "-m",
                                neo::net::to_string(cluster.master()),
                                "-b",
                                "127.0.0.1",
                                "-a",
                                "SQLite",
                                "-d",
                                db};
  argv.insert(argv.end(), extra.begin(), extra.end());
  return std::make_unique<ChildProcess>(argv, dir / (name + ".out"));
}

std::string neoctl(const UpstreamCluster& cluster, std::vector<std::string> args) {
  std::vector<std::string> argv = {"/usr/bin/env", "PYTHONPATH=" + neo::interop::peer_pythonpath()};
  for (std::string& arg : cluster.upstream_program("neoctl")) argv.push_back(std::move(arg));
  argv.push_back("-a");
  argv.push_back(neo::net::to_string(cluster.admin()));
  for (std::string& arg : args) argv.push_back(std::move(arg));
  neo::test::RunResult result = neo::test::run_program(argv, 20s);
  return result.out + result.err;
}

bool cluster_is(const UpstreamCluster& cluster, const std::string& state) {
  return neoctl(cluster, {"print", "cluster"}) == state + "\n";
}

bool wait_running(const UpstreamCluster& cluster) {
  return neo::test::wait_for([&] { return cluster_is(cluster, "RUNNING"); }, 40s, 200ms);
}

// True once the database can be locked (its storage has exited).
bool unlocked(const std::string& db) {
  try {
    neo::storage::SqliteDatabase::open(db);
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

// Runs an upstream ZODB client (NEO/py's client) on `cluster`: sets
// root['x'] = value if `value` is not empty, and prints "x=<root['x']>"
// with the number of transactions (undoLog) and of root revisions (history).
std::string zodb_client(const UpstreamCluster& cluster, const std::string& value) {
  const std::string script =
      "import sys, transaction, ZODB\n"
      "from neo.client.Storage import Storage\n"
      "db = ZODB.DB(Storage(master_nodes=sys.argv[1], name=sys.argv[2]))\n"
      "c = db.open(); r = c.root()\n"
      "if sys.argv[3]:\n"
      "    r['x'] = sys.argv[3]; transaction.commit()\n"
      "print('x=%s undo=%d history=%d' % (r.get('x'), len(db.undoLog(0, 20)),\n"
      "      len(db.history(b'\\0' * 8, size=10)))); db.close()\n";
  std::vector<std::string> argv = {"/usr/bin/env",
                                   "PYTHONPATH=" + neo::interop::peer_pythonpath(),
                                   neo::interop::peer_python(),
                                   "-c",
                                   script,
                                   neo::net::to_string(cluster.master()),
                                   cluster.name(),
                                   value};
  neo::test::RunResult result = neo::test::run_program(argv, 60s);
  return result.out + (result.status ? result.err : std::string());
}

}  // namespace

TEST_CASE("an upstream master and admin run a cluster with one of our storages",
          "[interop][storage]") {
  UpstreamCluster cluster(cluster_options("neo-cpp-storage", 3, 0, 0, 1));
  // db.sqlite: the database UpstreamCluster::add_storage() gives its first storage.
  const std::string db = (cluster.dir() / "db.sqlite").string();
  auto storage = our_storage(cluster, db, "ours");
  INFO(storage->output_tail() << cluster.diagnostics());
  REQUIRE(wait_running(cluster));
  const std::string nodes = neoctl(cluster, {"print", "node"});
  CHECK_THAT(nodes,
             Catch::Matches("(.|\n)*S1 \\| STORAGE \\| 127\\.0\\.0\\.1:[0-9]+ \\| RUNNING(.|\n)*"));
  CHECK(neoctl(cluster, {"print", "pt"}) == "# ptid: 1, replicas: 0\nS1 R UUU\n");
  CHECK_THAT(neoctl(cluster, {"print", "ids"}), Catch::Contains("last_ptid = 1"));

  SECTION("restarted, it rejoins with the same node id") {
    storage->signal(SIGTERM);
    CHECK(storage->wait(10s) == 0);
    REQUIRE(neo::test::wait_for([&] { return !cluster_is(cluster, "RUNNING"); }, 20s, 200ms));
    storage = our_storage(cluster, db, "ours2");
    REQUIRE(wait_running(cluster));
    CHECK_THAT(neoctl(cluster, {"print", "node"}), Catch::Contains("S1 | STORAGE"));
    CHECK(neoctl(cluster, {"print", "pt"}) == "# ptid: 1, replicas: 0\nS1 R UUU\n");
  }
  SECTION("an upstream storage takes over the database ours created") {
    storage->signal(SIGTERM);
    CHECK(storage->wait(10s) == 0);
    REQUIRE(neo::test::wait_for([&] { return !cluster_is(cluster, "RUNNING"); }, 20s, 200ms));
    cluster.add_storage();
    REQUIRE(wait_running(cluster));
    CHECK_THAT(neoctl(cluster, {"print", "node"}), Catch::Contains("S1 | STORAGE"));
    CHECK(neoctl(cluster, {"print", "pt"}) == "# ptid: 1, replicas: 0\nS1 R UUU\n");
  }
  SECTION("set cluster STOPPING makes it exit 0") {
    CHECK_THAT(neoctl(cluster, {"set", "cluster", "STOPPING"}),
               Catch::Contains("Cluster state changed"));
    CHECK(storage->wait(20s) == 0);
  }
  SECTION("a storage of another cluster is refused by the master, clearly") {
    auto alien = our_storage(cluster, (cluster.dir() / "alien.sqlite").string(), "alien", "other");
    CHECK(alien->wait(20s) == 1);
    CHECK_THAT(alien->output(), Catch::Contains("invalid cluster name"));
  }
  SECTION("another cluster's database is refused, clearly") {
    storage->signal(SIGTERM);
    REQUIRE(storage->wait(10s) == 0);
    auto alien = our_storage(cluster, db, "alien", "other");
    CHECK(alien->wait(20s) == 1);
    CHECK_THAT(alien->output(), Catch::Contains("does not match with the database"));
  }
}

TEST_CASE("two of our storages reach RUNNING under an upstream master", "[interop][storage]") {
  UpstreamCluster cluster(cluster_options("neo-cpp-storage", 4, 1, 0, 2));
  auto s1 = our_storage(cluster, (cluster.dir() / "a.sqlite").string(), "a");
  auto s2 = our_storage(cluster, (cluster.dir() / "b.sqlite").string(), "b");
  INFO(s1->output_tail() << s2->output_tail() << cluster.diagnostics());
  REQUIRE(wait_running(cluster));
  const std::string nodes = neoctl(cluster, {"print", "node"});
  CHECK_THAT(nodes, Catch::Contains("S1 | STORAGE"));
  CHECK_THAT(nodes, Catch::Contains("S2 | STORAGE"));
  CHECK(neoctl(cluster, {"print", "pt"}) == "# ptid: 1, replicas: 1\nS1 R UUUU\nS2 R UUUU\n");
}

TEST_CASE("our storage's database is opened by an upstream storage, and the reverse",
          "[interop][storage]") {
  std::filesystem::path keep = neo::test::make_temp_dir("neo-storage-swap");
  {
    // Upstream storage writes db.sqlite; the cluster stops.
    UpstreamCluster cluster(cluster_options("swap", 3, 0, 1, 1));
    INFO(cluster.diagnostics());
    REQUIRE(wait_running(cluster));
    REQUIRE(zodb_client(cluster, "written upstream") == "x=written upstream undo=2 history=2\n");
    neoctl(cluster, {"set", "cluster", "STOPPING"});
    const std::string db = (cluster.dir() / "db.sqlite").string();
    REQUIRE(neo::test::wait_for([&] { return unlocked(db); }, 20s, 200ms));
    std::filesystem::copy_file(db, keep / "up.sqlite");
  }
  UpstreamCluster cluster(cluster_options("swap", 3, 0, 0, 1));
  const std::string db = (cluster.dir() / "db.sqlite").string();
  std::filesystem::copy_file(keep / "up.sqlite", db);
  {
    // Ours on the upstream storage's database: same node id and table.
    auto ours = our_storage(cluster, db, "ours");
    INFO(ours->output_tail() << cluster.diagnostics());
    REQUIRE(wait_running(cluster));
    CHECK(neoctl(cluster, {"print", "pt"}) == "# ptid: 1, replicas: 0\nS1 R UUU\n");
    // An upstream client reads through our storage.
    CHECK(zodb_client(cluster, "") == "x=written upstream undo=2 history=2\n");
    ours->signal(SIGTERM);
    REQUIRE(ours->wait(10s) == 0);
  }
  // Then an upstream storage on the database ours used (db.sqlite).
  REQUIRE(neo::test::wait_for([&] { return !cluster_is(cluster, "RUNNING"); }, 20s, 200ms));
  cluster.add_storage();
  INFO(cluster.diagnostics());
  REQUIRE(wait_running(cluster));
  CHECK_THAT(neoctl(cluster, {"print", "node"}), Catch::Contains("S1 | STORAGE"));
  CHECK(neoctl(cluster, {"print", "pt"}) == "# ptid: 1, replicas: 0\nS1 R UUU\n");
  CHECK(zodb_client(cluster, "") == "x=written upstream undo=2 history=2\n");
  std::error_code ignored;
  std::filesystem::remove_all(keep, ignored);
}

TEST_CASE("our storage joins an upstream TLS cluster", "[interop][storage][tls]") {
  neo::net::test::TestPki pki;
  pki.make_ca("ca");
  pki.make_cert("ca", "master");
  pki.make_cert("ca", "ours");
  UpstreamCluster::Options options = cluster_options("neo-cpp-tls", 3, 0, 0, 1);
  options.admin = false;
  options.master_tls = pki.files("ca", "master");
  UpstreamCluster cluster(options);
  const neo::net::TlsFiles tls = pki.files("ca", "ours");
  auto storage = our_storage(cluster, (cluster.dir() / "tls.sqlite").string(), "tls", {},
                             {"--ca", tls.ca, "--cert", tls.cert, "--key", tls.key});
  INFO(storage->output_tail() << cluster.diagnostics());
  CHECK(neo::test::wait_for(
      [&] { return storage->output().find("S1: operational") != std::string::npos; }, 40s, 200ms));
  // Without TLS, the master's handshake fails: never identified.
  auto plain = our_storage(cluster, (cluster.dir() / "plain.sqlite").string(), "plain");
  CHECK_FALSE(neo::test::wait_for(
      [&] { return plain->output().find("connected to a primary master") != std::string::npos; },
      3s, 200ms));
}
