// Commits through our neostorage with an upstream NEO/py master and an
// upstream ZODB client (neo.client): commit, load from another connection,
// write conflict, resolved conflict (delayed store behind a concurrent
// commit), readCurrent conflict, undo, deletion, and pack; with one of our
// storages and with two of them replicating each partition (replicas 1).
// Skips (exit 77) without NEO_PEER_PYTHONPATH.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "tests/interop/peer_env.hpp"
#include "tests/interop/upstream_cluster.hpp"
#include "tests/support/child_process.hpp"

using neo::interop::UpstreamCluster;
using neo::test::ChildProcess;
using namespace std::chrono_literals;

namespace {

std::unique_ptr<ChildProcess> our_storage(const UpstreamCluster& cluster, const std::string& name) {
  const auto dir = cluster.dir();
  std::vector<std::string> argv{NEO_STORAGE_BIN, "-l", (dir / (name + ".log")).string(),
                                "-c", cluster.name(), "-m", neo::net::to_string(cluster.master()),
                                "-b", "127.0.0.1", "-a", "SQLite",
                                "-d", (dir / (name + ".sqlite")).string()};
  return std::make_unique<ChildProcess>(argv, dir / (name + ".out"));
}

std::string neoctl(const UpstreamCluster& cluster, std::vector<std::string> args) {
  std::vector<std::string> argv = {"/usr/bin/env", "PYTHONPATH=" + neo::interop::peer_pythonpath()};
  for (std::string& arg : cluster.upstream_program("neoctl")) argv.push_back(std::move(arg));
  argv.push_back("-a");
  argv.push_back(neo::net::to_string(cluster.admin()));
  for (std::string& arg : args) argv.push_back(std::move(arg));
  return neo::test::run_program(argv, 20s).out;
}

bool wait_running(const UpstreamCluster& cluster) {
  return neo::test::wait_for([&] { return neoctl(cluster, {"print", "cluster"}) == "RUNNING\n"; },
                             40s, 200ms);
}

// The client scenario: one line per step, "ok"/"conflict" as observed.
constexpr const char* kScript = R"PY(
import sys, threading, transaction, ZODB
from neo.client.Storage import Storage
from persistent.mapping import PersistentMapping
from ZODB.POSException import ConflictError, ReadConflictError
from BTrees.Length import Length
st = Storage(master_nodes=sys.argv[1], name=sys.argv[2])
st.app.wait_for_pack = True  # pack() returns once the storages packed (as ZODB tests do)
db = ZODB.DB(st)
c1 = db.open(); r1 = c1.root()
r1['a'] = PersistentMapping(x=1); r1['big'] = b'z' * 300000; r1['n'] = Length()
r1['gone'] = PersistentMapping(); transaction.commit()
print('commit', r1['a']['x'])
tm2 = transaction.TransactionManager(); c2 = db.open(tm2); r2 = c2.root()
print('load', r2['a']['x'], len(r2['big']))
r2['a']['x'] = 2; tm2.commit()
r1['a']['x'] = 3
try:
    transaction.commit(); print('conflict missed')
except ConflictError:
    print('conflict'); transaction.abort()
print('after', r1['a']['x'])
# Length resolves conflicts: many concurrent increments all count.
def bump(n):
    tm = transaction.TransactionManager(); c = db.open(tm)
    for i in range(n):
        while True:
            c.root()['n'].change(1)
            try:
                tm.commit(); break
            except ConflictError:
                tm.abort()
    c.close()
threads = [threading.Thread(target=bump, args=(10,)) for i in range(4)]
[t.start() for t in threads]; [t.join() for t in threads]
transaction.begin(); print('length', r1['n']())
# readCurrent: a concurrent change of what we read is a ReadConflictError.
c1.readCurrent(r1['a']); r1['other'] = 1
r2['a']['x'] = 4; tm2.commit()
try:
    transaction.commit(); print('read conflict missed')
except ReadConflictError:
    print('read conflict'); transaction.abort()
# Undo the last transaction.
last = db.undoLog(0, 1)[0]['id']
db.undo(last); transaction.commit(); transaction.begin()
print('undo', r1['a']['x'])
del r1['gone']; transaction.commit()
db.pack(); transaction.begin()
print('pack', r1['a']['x'], len(db.history(r1['a']._p_oid, size=10)))
db.close()
)PY";

std::string run_client(const UpstreamCluster& cluster) {
  std::vector<std::string> argv = {"/usr/bin/env",
                                   "PYTHONPATH=" + neo::interop::peer_pythonpath(),
                                   neo::interop::peer_python(),
                                   "-c",
                                   kScript,
                                   neo::net::to_string(cluster.master()),
                                   cluster.name()};
  neo::test::RunResult result = neo::test::run_program(argv, 120s);
  return result.out + (result.status ? "status " + std::to_string(result.status) + "\n" + result.err
                                     : std::string());
}

const char* kExpected =
    "commit 1\nload 1 300000\nconflict\nafter 2\nlength 40\nread conflict\nundo 2\npack 2 1\n";

UpstreamCluster::Options options(const std::string& name, int replicas) {
  UpstreamCluster::Options o;
  o.name = name;
  o.partitions = 3;
  o.replicas = replicas;
  o.storages = 0;
  o.admin = true;
  o.autostart = replicas + 1;  // every storage of ours is in the partition table
  return o;
}

}  // namespace

TEST_CASE("an upstream client commits, conflicts and reads through our storage",
          "[interop][storage][commit]") {
  UpstreamCluster cluster(options("neo-cpp-commit", 0));
  auto storage = our_storage(cluster, "ours");
  INFO(storage->output_tail() << cluster.diagnostics());
  REQUIRE(wait_running(cluster));
  CHECK(run_client(cluster) == kExpected);
  CHECK(storage->running());
}

TEST_CASE("an upstream client commits through two of our storages (replicas 1)",
          "[interop][storage][commit]") {
  UpstreamCluster cluster(options("neo-cpp-commit2", 1));
  auto s1 = our_storage(cluster, "ours1");
  auto s2 = our_storage(cluster, "ours2");
  INFO(s1->output_tail() << s2->output_tail() << cluster.diagnostics());
  REQUIRE(wait_running(cluster));
  REQUIRE(neoctl(cluster, {"print", "pt"}) == "# ptid: 1, replicas: 1\nS1 R UUU\nS2 R UUU\n");
  CHECK(run_client(cluster) == kExpected);
  CHECK(s1->running());
  CHECK(s2->running());
}
