// Our neoctl (the built binary) and NEO/py's neoctl, run with the same
// arguments against the same upstream admin node, must print the same
// stdout and stderr and exit with the same status. Skipped (exit code 77)
// without NEO_PEER_PYTHONPATH.
//
// Masks (the only differences accepted):
//   - where upstream dies with a Python traceback (bad arguments), only
//     stdout and the exit status are compared; our stderr must then be one
//     line (the reason).
//   - commands that change the cluster run once per tool, on two clusters
//     set up identically (A for upstream's neoctl, B for ours); there, only
//     outputs free of ports and timestamps are compared (no `print node`).
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <regex>
#include <thread>

#include "tests/interop/upstream_cluster.hpp"
#include "tests/net/test_certs.hpp"

extern char** environ;

using neo::interop::UpstreamCluster;
using Words = std::vector<std::string>;
using namespace std::chrono_literals;

namespace {

struct Outcome {
  int status = -1;  // exit status; -1 if killed (timeout) or not run
  std::string out, err;
  bool operator==(const Outcome&) const = default;
};

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Runs `argv` with PYTHONPATH set to the peer's; stdout/stderr captured.
// Killed after 60 s (neither neoctl has a request timeout).
Outcome run_program(const std::filesystem::path& dir, const Words& words) {
  const std::string out_path = (dir / "ctl.out").string(), err_path = (dir / "ctl.err").string();
  std::vector<std::string> argv_strings = words;
  std::vector<char*> argv;
  for (std::string& arg : argv_strings) argv.push_back(arg.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_strings = {"PYTHONPATH=" + neo::interop::peer_pythonpath()};
  for (char** e = environ; *e; ++e) {
    if (!std::string_view(*e).starts_with("PYTHONPATH=")) env_strings.emplace_back(*e);
  }
  std::vector<char*> envp;
  for (std::string& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);

  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    const int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (out < 0 || err < 0) _exit(127);
    dup2(out, 1);
    dup2(err, 2);
    execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  int status = 0;
  while (waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      return {-1, read_file(out_path), read_file(err_path) + "(killed after 60 s)"};
    }
    std::this_thread::sleep_for(10ms);  // polling the child's exit
  }
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, read_file(out_path), read_file(err_path)};
}

Words with_address(const neo::net::Address& admin, const Words& args) {
  Words words = {"-a", neo::net::to_string(admin)};
  words.insert(words.end(), args.begin(), args.end());
  return words;
}

Outcome upstream(const UpstreamCluster& cluster, const Words& args) {
  Words words = cluster.upstream_program("neoctl");
  words.insert(words.end(), args.begin(), args.end());
  return run_program(cluster.dir(), words);
}

Outcome ours(const UpstreamCluster& cluster, const Words& args) {
  Words words = {NEOCTL_BINARY};
  words.insert(words.end(), args.begin(), args.end());
  return run_program(cluster.dir(), words);
}

std::string show(const Words& args) {
  std::string text = "neoctl";
  for (const std::string& arg : args) text += " '" + arg + "'";
  return text;
}

struct Tally {
  int identical = 0, total = 0;
  std::vector<std::string> different;

  void compare(const Words& args, const Outcome& theirs, const Outcome& mine) {
    ++total;
    const bool traceback =
        theirs.err.find("Traceback (most recent call last)") != std::string::npos;
    bool same = theirs.status == mine.status && theirs.out == mine.out;
    if (traceback) {
      same = same && !mine.err.empty() && mine.err.find('\n') + 1 == mine.err.size();
    } else {
      same = same && theirs.err == mine.err;
    }
    INFO(show(args) << (traceback ? " (upstream: traceback, stderr not compared)" : "")
                    << "\n--- upstream: " << theirs.status << "\n"
                    << theirs.out << "--- stderr:\n"
                    << theirs.err << "\n--- ours: " << mine.status << "\n"
                    << mine.out << "--- stderr:\n"
                    << mine.err);
    CHECK(same);
    if (same) {
      ++identical;
    } else {
      different.push_back(show(args));
    }
  }
};

// Both tools on the same admin; for commands that change nothing (or
// nothing visible: `set replicas` bumps the partition table id). Ours also
// runs twice on `mirror`, if given, so that it keeps the same history.
void compare_same(Tally& tally, const UpstreamCluster& cluster, const Words& args,
                  const UpstreamCluster* mirror = nullptr) {
  const Words words = with_address(cluster.admin(), args);
  tally.compare(args, upstream(cluster, words), ours(cluster, words));
  for (int i = 0; mirror && i < 2; ++i) ours(*mirror, with_address(mirror->admin(), args));
}

// Upstream's neoctl on `a`, ours on `b` (set up as `a`): commands that change
// the cluster. Returns ours.
Outcome compare_pair(Tally& tally, const UpstreamCluster& a, const UpstreamCluster& b,
                     const Words& args) {
  Outcome theirs = upstream(a, with_address(a.admin(), args));
  Outcome mine = ours(b, with_address(b.admin(), args));
  tally.compare(args, theirs, mine);
  return mine;
}

Words tls_args(const neo::net::TlsFiles& files) {
  return {"--ca", files.ca, "--cert", files.cert, "--key", files.key};
}

// Polls with our neoctl until `done(output of args)`; `options` go first.
bool poll(const UpstreamCluster& cluster, const Words& args,
          const std::function<bool(const std::string&)>& done, const Words& options = {}) {
  Words words = options;
  for (const std::string& word : with_address(cluster.admin(), args)) words.push_back(word);
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  while (std::chrono::steady_clock::now() < deadline) {
    Outcome outcome = ours(cluster, words);
    if (outcome.status == 0 && done(outcome.out)) return true;
    std::this_thread::sleep_for(200ms);  // polling the cluster state
  }
  return false;
}

void wait_for(const UpstreamCluster& cluster, const Words& args,
              const std::function<bool(const std::string&)>& done, const Words& options = {}) {
  if (!poll(cluster, args, done, options))
    FAIL("waiting for `" << show(args) << "`\n" << cluster.diagnostics());
}

std::size_t count_lines(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (std::size_t at = text.find(needle); at != text.npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

UpstreamCluster::Options cluster_options(const std::string& name) {
  UpstreamCluster::Options options;
  options.name = name;
  options.partitions = 12;
  options.replicas = 1;
  options.admin = true;
  options.autostart = 0;  // RECOVERING until `neoctl start`
#ifdef NEO_ADMIN_BINARY
  options.admin_binary = NEO_ADMIN_BINARY;
#endif
  return options;
}

}  // namespace

TEST_CASE("our neoctl prints what upstream's prints, against an upstream admin", "[interop]") {
  UpstreamCluster a(cluster_options("neoctl-interop-a"));
  UpstreamCluster b(cluster_options("neoctl-interop-b"));
  Tally tally;
  auto pending_storages = [](std::size_t n) {
    return [n](const std::string& out) { return count_lines(out, "| PENDING |") == n; };
  };
  for (UpstreamCluster* cluster : {&a, &b}) {
    wait_for(*cluster, {"print", "node", "storage"}, pending_storages(1));
  }

  // 1. A new cluster, waiting in RECOVERING.
  for (const Words& args :
       {Words{"print", "cluster"}, Words{"print", "pt"}, Words{"print", "ids"},
        Words{"print", "summary"}, Words{"print", "pt", "0", "2"}, Words{"tweak", "-n"},
        Words{"add", "all"}, Words{"set", "replicas", "1"}, Words{"truncate", "tid:1"}}) {
    compare_same(tally, a, args, &b);
  }
  compare_pair(tally, a, b, {"start"});
  for (UpstreamCluster* cluster : {&a, &b}) {
    wait_for(*cluster, {"print", "cluster"},
             [](const std::string& out) { return out == "RUNNING\n"; });
    cluster->add_storage();  // S2, PENDING
    wait_for(*cluster, {"print", "node", "storage"}, pending_storages(1));
  }

  // 2. Questions and refused actions: both tools on the same admin.
  const neo::net::Address nobody{"127.0.0.1", neo::interop::free_port()};
  const Words questions[] = {
      {},
      {"--help"},
      {"print", "ids"},
      {"print", "pt"},
      {"print", "pt", "0", "1"},
      {"print", "pt", "0", "3", "S1"},
      {"print", "pt", "2"},
      {"print", "pt", "5", "3"},
      {"print", "pt", "0", "0", "S1"},
      {"print", "node"},
      {"print", "node", "storage"},
      {"print", "node", "MASTER"},
      {"print", "node", "admin"},
      {"print", "node", "client"},
      {"print", "cluster"},
      {"print", "primary"},
      {"print", "summary"},
      {"set", "cluster", "RECOVERING"},
      {"set", "cluster", "verifying"},
      {"start"},
      {"tweak", "-n"},
      {"tweak", "-n", "S1"},
      {"add", "S9"},
      {"kill", "M1"},
      {"kill", "S9"},
      {"drop", "S9"},
      {"drop", "S1"},
      {"set", "replicas", "1"},
      {"prune_orphan", "1", "all"},
      {"check", "0:", "1:S1"},
      {"check", "2:S1", "1325421296"},
      {"truncate", "tid:0x7000000000000000"},
      {"flush_log"},
      {"foo"},
      {"print", "foo"},
      {"--", "print", "cluster"},
      {"set", "replicas", "-1"},
      {"set", "cluster", "bogus"},
      {"print", "node", "a", "b"},
      {"print", "pt", "x"},
      {"kill"},
      {"print"},
      {"tweak", "--c"},
      {"print", "pt", ""},
      {"-x", "print", "cluster"},
  };
  for (const Words& args : questions) compare_same(tally, a, args, &b);
  for (const Words& args :
       {Words{"-a"},
        Words{"-a", nobody.host + ":" + std::to_string(nobody.port), "print", "cluster"}}) {
    tally.compare(args, upstream(a, args), ours(a, args));
  }

  // 3. Changes, on A with upstream's neoctl and on B with ours.
  compare_pair(tally, a, b, {"add", "S2"});
  compare_pair(tally, a, b, {"tweak", "-n"});
  compare_pair(tally, a, b, {"tweak"});
  auto replicated = [](const std::string& out) {
    return out.find('O') == out.npos && out.find('F') == out.npos;
  };
  for (UpstreamCluster* cluster : {&a, &b}) {
    wait_for(*cluster, {"print", "pt"}, replicated);
  }
  compare_same(tally, a, {"print", "pt"}, &b);
  compare_pair(tally, a, b, {"print", "pt"});
  compare_pair(tally, a, b, {"kill", "S2"});
  for (UpstreamCluster* cluster : {&a, &b}) {
    wait_for(*cluster, {"print", "pt"},
             [](const std::string& out) { return out.find("S2 D") != out.npos; });
  }
  compare_pair(tally, a, b, {"print", "pt"});
  compare_pair(tally, a, b, {"drop", "S2"});
  compare_pair(tally, a, b, {"print", "pt"});
  compare_pair(tally, a, b, {"set", "cluster", "STOPPING"});

  std::fprintf(stderr, "neoctl interop: %d/%d identical\n", tally.identical, tally.total);
  for (const std::string& command : tally.different)
    std::fprintf(stderr, "  differs: %s\n", command.c_str());
  CHECK(tally.identical == tally.total);
}

TEST_CASE("our neoctl speaks TLS to an upstream admin as upstream's does", "[interop][tls]") {
  neo::net::test::TestPki pki;
  pki.make_ca("ca");
  pki.make_ca("other");
  for (const char* name : {"master", "storage", "admin", "ctl"}) pki.make_cert("ca", name);
  pki.make_cert("other", "stranger");
  UpstreamCluster::Options options;
  options.name = "neoctl-interop-tls";
  options.admin = true;
  options.master_tls = pki.files("ca", "master");
  options.storage_tls = pki.files("ca", "storage");
  options.admin_tls = pki.files("ca", "admin");
#ifdef NEO_ADMIN_BINARY
  options.admin_binary = NEO_ADMIN_BINARY;
#endif
  UpstreamCluster cluster(options);
  const Words tls = tls_args(pki.files("ca", "ctl"));
  wait_for(
      cluster, {"print", "cluster"}, [](const std::string& out) { return out == "RUNNING\n"; },
      tls);

  Tally tally;
  const Words stranger = tls_args(pki.files("other", "stranger"));
  for (const Words& prefix : {tls, Words{}, stranger}) {
    for (const Words& command :
         {Words{"print", "cluster"}, Words{"print", "node"}, Words{"print", "pt"},
          Words{"print", "ids"}, Words{"set", "cluster", "RECOVERING"}, Words{"flush_log"}}) {
      Words args = prefix;
      for (const std::string& word : with_address(cluster.admin(), command)) args.push_back(word);
      tally.compare(args, upstream(cluster, args), ours(cluster, args));
    }
  }
  Words partial = {"--ca", pki.files("ca", "ctl").ca, "print", "cluster"};
  tally.compare(partial, upstream(cluster, partial), ours(cluster, partial));
  std::fprintf(stderr, "neoctl interop (TLS): %d/%d identical\n", tally.identical, tally.total);
  CHECK(tally.identical == tally.total);
}

// check --wait (our extension) against upstream storages, over TLS: the
// anonymous storage identification and the digests work with NEO/py.
TEST_CASE("check --wait compares upstream storages' replicas", "[interop][tls]") {
  neo::net::test::TestPki pki;
  pki.make_ca("ca");
  for (const char* name : {"master", "storage", "admin", "ctl", "client"})
    pki.make_cert("ca", name);
  UpstreamCluster::Options options;
  options.name = "neoctl-interop-check";
  options.partitions = 4;
  options.replicas = 1;
  options.storages = 2;
  options.autostart = 2;
  options.admin = true;
  options.master_tls = pki.files("ca", "master");
  options.storage_tls = pki.files("ca", "storage");
  options.admin_tls = pki.files("ca", "admin");
#ifdef NEO_ADMIN_BINARY
  options.admin_binary = NEO_ADMIN_BINARY;
#endif
  UpstreamCluster cluster(options);
  const Words tls = tls_args(pki.files("ca", "ctl"));
  wait_for(
      cluster, {"print", "cluster"}, [](const std::string& out) { return out == "RUNNING\n"; },
      tls);
  // 20 objects, 3 transactions, by NEO/py's client.
  const neo::net::TlsFiles client = pki.files("ca", "client");
  const std::string commit =
      "import transaction\n"
      "from ZODB import DB\n"
      "from neo.client.Storage import Storage\n"
      "from persistent.mapping import PersistentMapping\n"
      "db = DB(Storage(master_nodes='" +
      neo::net::to_string(cluster.master()) + "', name='" + options.name + "', ca='" + client.ca +
      "', cert='" + client.cert + "', key='" + client.key +
      "'))\n"
      "c = db.open()\n"
      "for i in range(3):\n"
      "    for k in range(20):\n"
      "        c.root()[k] = PersistentMapping(v=i)\n"
      "    transaction.commit()\n"
      "c.close()\n"
      "db.close()\n";
  Outcome committed = run_program(cluster.dir(), {neo::interop::peer_python(), "-c", commit});
  INFO(committed.out << committed.err << cluster.diagnostics());
  REQUIRE(committed.status == 0);

  auto check = [&](const Words& args) {
    Words words = tls;
    for (const std::string& word : with_address(cluster.admin(), args)) words.push_back(word);
    return ours(cluster, words);
  };
  Outcome outcome = check({"check", "--wait", "--cluster", options.name, ":"});
  CHECK(outcome.err == "");
  CHECK(outcome.out == "all 4 partitions checked: replicas identical\n");
  CHECK(outcome.status == 0);

  // An object record deleted from the second storage's database (NEO/py
  // reads it again for each digest).
  const std::string damage =
      "import sqlite3\n"
      "c = sqlite3.connect('" +
      (cluster.dir() / "db1.sqlite").string() +
      "', timeout=30)\n"
      "c.execute('DELETE FROM obj WHERE (partition, oid, tid) IN"
      " (SELECT partition, oid, tid FROM obj WHERE partition=1 LIMIT 1)')\n"
      "c.commit()\n"
      "assert c.total_changes == 1\n";
  Outcome damaged = run_program(cluster.dir(), {neo::interop::peer_python(), "-c", damage});
  INFO(damaged.err);
  REQUIRE(damaged.status == 0);
  // The id of that storage, from `print node`.
  Outcome nodes = check({"print", "node", "storage"});
  const std::regex row("(S\\d+) \\| STORAGE \\| " + neo::net::to_string(cluster.storage(1)) + " ");
  std::smatch match;
  REQUIRE(std::regex_search(nodes.out, match, row));
  const std::string bad = match[1], good = bad == "S1" ? "S2" : "S1";
  outcome = check({"check", "--wait", "-c", options.name, ":" + good});
  CHECK(outcome.err == "");
  CHECK(std::regex_match(outcome.out,
                         std::regex("partition 1: " + bad + " differs from " + good +
                                    " \\(objects in tids 0x[0-9a-f]{16}-0x[0-9a-f]{16}\\)\n"
                                    "1 of 4 partitions differs\n")));
  CHECK(outcome.status == 3);
  // Another cluster's name is refused by the storages.
  outcome = check({"check", "--wait", "-c", "other", "0:"});
  CHECK(outcome.out == "");
  CHECK(count_lines(outcome.err, "not checked: PROTOCOL_ERROR: invalid cluster name\n") == 2);
  CHECK(outcome.status == 1);
}
