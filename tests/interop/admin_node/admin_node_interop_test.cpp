// Our admin node (neoadmin) and upstream's, side by side in the same
// upstream cluster (master and storages of NEO/py): upstream's neoctl must
// get the same answers from both; our admin must refuse requests as
// upstream's does while there is no master, and exit when the cluster is
// stopped. Skipped (exit code 77) without NEO_PEER_PYTHONPATH.
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <functional>
#include <iterator>
#include <thread>

#include "tests/interop/upstream_cluster.hpp"

extern char** environ;

using neo::interop::UpstreamCluster;
using Words = std::vector<std::string>;
using namespace std::chrono_literals;

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// A child process with the peer's PYTHONPATH, output to `output`, killed
// with the test.
pid_t spawn(const Words& words, const std::string& output) {
  std::vector<std::string> strings = words;
  std::vector<char*> argv;
  for (std::string& arg : strings) argv.push_back(arg.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_strings = {"PYTHONPATH=" + neo::interop::peer_pythonpath()};
  for (char** e = environ; *e; ++e)
    if (!std::string_view(*e).starts_with("PYTHONPATH=")) env_strings.emplace_back(*e);
  std::vector<char*> envp;
  for (std::string& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);
  const pid_t parent = getpid();
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);
    const int fd = open(output.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
    }
    execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }
  return pid;
}

// Waits for a child; its exit status, or -1 if still running after `timeout`.
int wait_exit(pid_t pid, std::chrono::seconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  while (waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) return -1;
    std::this_thread::sleep_for(20ms);  // polling the child's exit
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

struct Outcome {
  int status = -1;
  std::string out;  // stdout and stderr
  bool operator==(const Outcome&) const = default;
};

// Upstream's neoctl against the admin at `admin`.
Outcome neoctl(const UpstreamCluster& cluster, const neo::net::Address& admin, const Words& args) {
  Words words = cluster.upstream_program("neoctl");
  words.push_back("-a");
  words.push_back(neo::net::to_string(admin));
  words.insert(words.end(), args.begin(), args.end());
  const std::string output = (cluster.dir() / "neoctl.out").string();
  const pid_t pid = spawn(words, output);
  int status = wait_exit(pid, 60s);
  if (status < 0) {
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
  }
  return {status, read_file(output)};
}

// Our neoadmin in `cluster`, listening on a free port.
struct OurAdmin {
  neo::net::Address address{"127.0.0.1", neo::interop::free_port()};
  pid_t pid = -1;
  std::string output;

  OurAdmin(const UpstreamCluster& cluster, const std::string& masters, const std::string& name) {
    output = (cluster.dir() / ("our-" + name + ".out")).string();
    pid = spawn({NEO_ADMIN_BINARY, "-l", (cluster.dir() / ("our-" + name + ".log")).string(), "-c",
                 cluster.name(), "-b", neo::net::to_string(address), "-m", masters},
                output);
  }
  ~OurAdmin() {
    if (pid > 0) {
      kill(pid, SIGKILL);
      waitpid(pid, nullptr, 0);
    }
  }
};

bool poll(const std::function<bool()>& done) {
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(200ms);  // polling the cluster state
  }
  return false;
}

std::string show(const Words& args) {
  std::string text = "neoctl";
  for (const std::string& arg : args) text += " " + arg;
  return text;
}

}  // namespace

TEST_CASE("upstream's neoctl gets the same answers from our admin as from upstream's",
          "[interop][admin]") {
  UpstreamCluster::Options options;
  options.name = "admin-node-interop";
  options.partitions = 12;
  options.replicas = 1;
  options.admin = true;
  options.autostart = 0;
  UpstreamCluster cluster(options);
  OurAdmin ours(cluster, neo::net::to_string(cluster.master()), "admin");
  const neo::net::Address theirs = cluster.admin();

  auto same = [&](const Words& args) {
    const Outcome expected = neoctl(cluster, theirs, args);
    const Outcome got = neoctl(cluster, ours.address, args);
    INFO(show(args) << "\n--- upstream admin: " << expected.status << "\n"
                    << expected.out << "--- our admin: " << got.status << "\n"
                    << got.out << "--- our admin's output:\n"
                    << read_file(ours.output));
    CHECK(got == expected);
  };
  auto both_see = [&](const Words& args, const std::string& text) {
    return poll([&] {
      return neoctl(cluster, theirs, args).out.find(text) != std::string::npos &&
             neoctl(cluster, ours.address, args).out.find(text) != std::string::npos;
    });
  };
  REQUIRE(both_see({"print", "node", "storage"}, "PENDING"));

  const Words questions[] = {
      {"print", "cluster"},
      {"print", "pt"},
      {"print", "pt", "0", "2"},
      {"print", "pt", "5", "3"},
      {"print", "pt", "0", "0", "S1"},
      {"print", "ids"},
      {"print", "summary"},
      {"print", "primary"},
      {"print", "node", "storage"},
      {"print", "node", "master"},
      {"print", "node", "client"},
      {"tweak", "-n"},
      {"set", "cluster", "RECOVERING"},
      {"kill", "S9"},
      {"flush_log"},
  };
  for (const Words& args : questions) same(args);

  REQUIRE(neoctl(cluster, ours.address, {"start"}).status == 0);
  REQUIRE(both_see({"print", "cluster"}, "RUNNING"));
  cluster.add_storage();
  REQUIRE(both_see({"print", "node", "storage"}, "PENDING"));
  for (const Words& args : questions) same(args);
  REQUIRE(neoctl(cluster, ours.address, {"add", "S2"}).status == 0);
  REQUIRE(neoctl(cluster, ours.address, {"tweak"}).status == 0);
  REQUIRE(poll([&] {
    const std::string pt = neoctl(cluster, ours.address, {"print", "pt"}).out;
    return pt.find("S2") != std::string::npos && pt.find('O') == std::string::npos &&
           pt.find('F') == std::string::npos;
  }));
  for (const Words& args : questions) same(args);

  // STOPPING through our admin: the master and storages exit, then both
  // admins, having lost the master of a STOPPING cluster.
  const Outcome stop = neoctl(cluster, ours.address, {"set", "cluster", "STOPPING"});
  CHECK(stop.status == 0);
  const int status = wait_exit(ours.pid, 30s);
  INFO(read_file(ours.output));
  CHECK(status == 0);
  if (status >= 0) ours.pid = -1;
}

TEST_CASE("without a master, our admin refuses neoctl as upstream's does", "[interop][admin]") {
  UpstreamCluster::Options options;
  options.name = "admin-node-interop-nomaster";
  options.storages = 0;
  UpstreamCluster cluster(options);
  // Both admins look for a master that does not exist.
  const std::string nowhere = "127.0.0.1:" + std::to_string(neo::interop::free_port());
  OurAdmin ours(cluster, nowhere, "admin");
  const neo::net::Address theirs_address{"127.0.0.1", neo::interop::free_port()};
  const std::string their_output = (cluster.dir() / "their-admin.out").string();
  Words words = cluster.upstream_program("neoadmin");
  for (const std::string& arg : {std::string("-c"), cluster.name(), std::string("-b"),
                                 neo::net::to_string(theirs_address), std::string("-m"), nowhere})
    words.push_back(arg);
  const pid_t theirs = spawn(words, their_output);
  REQUIRE(poll([&] { return neoctl(cluster, theirs_address, {"print", "cluster"}).status >= 0; }));
  REQUIRE(poll([&] { return neoctl(cluster, ours.address, {"print", "cluster"}).status >= 0; }));
  for (const Words& args :
       {Words{"print", "cluster"}, Words{"print", "node"}, Words{"print", "pt"},
        Words{"set", "cluster", "STOPPING"}, Words{"print", "summary"}, Words{"flush_log"}}) {
    const Outcome expected = neoctl(cluster, theirs_address, args);
    const Outcome got = neoctl(cluster, ours.address, args);
    INFO(show(args) << "\n--- upstream admin: " << expected.status << "\n"
                    << expected.out << "--- our admin: " << got.status << "\n"
                    << got.out);
    CHECK(got == expected);
  }
  kill(theirs, SIGKILL);
  waitpid(theirs, nullptr, 0);
}
