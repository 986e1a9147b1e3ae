// Cluster tests: our neomaster, neostorage, neoadmin and neoctl as real
// processes on 127.0.0.1 (see local_cluster.hpp).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <csignal>
#include <fstream>
#include <regex>
#include <string_view>

#include "tests/cluster/local_cluster.hpp"

using neo::test::count_lines_with;
using neo::test::LocalCluster;
using neo::test::RunResult;
using namespace std::chrono_literals;

namespace {

#define REQUIRE_RUNNING(cluster)                                   \
  do {                                                             \
    INFO((cluster).diagnostics());                                 \
    REQUIRE((cluster).wait_cluster_state("RUNNING"));              \
  } while (false)

std::string trim(const std::string& text) {
  const auto first = text.find_first_not_of(' ');
  if (first == std::string::npos) return {};
  return text.substr(first, text.find_last_not_of(' ') - first + 1);
}

// The columns of each `print node` line (id, type, address, state, time),
// without the padding.
std::vector<std::vector<std::string>> node_rows(const std::string& print_node) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream in(print_node);
  for (std::string line; std::getline(in, line);) {
    std::vector<std::string> columns;
    std::istringstream fields(line);
    for (std::string field; std::getline(fields, field, '|');) columns.push_back(trim(field));
    rows.push_back(std::move(columns));
  }
  return rows;
}

// Lines of `neoctl print node` with this type, address (if not empty) and state.
std::size_t count_nodes(const LocalCluster& cluster, const std::string& type,
                        const std::string& address, const std::string& state) {
  std::size_t count = 0;
  for (const auto& row : node_rows(cluster.neoctl({"print", "node"}).out))
    count += row.size() >= 4 && row[1] == type && (address.empty() || row[2] == address) &&
             row[3] == state;
  return count;
}

// Waits until count_nodes() == n.
bool wait_nodes(const LocalCluster& cluster, const std::string& type, const std::string& address,
                const std::string& state, std::size_t n) {
  return neo::test::wait_for([&] { return count_nodes(cluster, type, address, state) == n; }, 20s,
                             50ms);
}

// Node ids of `print node` lines of one type ("S1", "S2"), in order.
std::vector<std::string> node_ids(const std::string& print_node, const std::string& type) {
  std::vector<std::string> ids;
  const std::regex line("^(\\S+) \\| " + type + " ");
  std::istringstream in(print_node);
  for (std::string text; std::getline(in, text);) {
    std::smatch match;
    if (std::regex_search(text, match, line)) ids.push_back(match[1]);
  }
  return ids;
}

// Sends `bytes` to 127.0.0.1:port and reports whether the peer closed the
// connection within 5 s.
bool closed_after_sending(std::uint16_t port, std::string_view bytes) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    close(fd);
    return false;
  }
  timeval timeout{5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  (void)!send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
  char buffer[4096];
  bool closed = false;
  for (int i = 0; i < 100; ++i) {  // the peer's handshake may come first
    const ssize_t n = recv(fd, buffer, sizeof buffer, 0);
    if (n == 0 || (n < 0 && errno == ECONNRESET)) {
      closed = true;
      break;
    }
    if (n < 0) break;  // timeout
  }
  close(fd);
  return closed;
}

std::uint16_t port_of(const std::string& address) {
  return static_cast<std::uint16_t>(std::stoi(address.substr(address.rfind(':') + 1)));
}

}  // namespace

TEST_CASE("a new cluster with one storage starts, serves neoctl and shows its state") {
  LocalCluster cluster({.partitions = 4, .storages = 1});
  cluster.start();
  REQUIRE_RUNNING(cluster);
  INFO(cluster.diagnostics());

  const RunResult nodes = cluster.neoctl({"print", "node"});
  CHECK(nodes.status == 0);
  CHECK(node_rows(nodes.out).size() == 3);
  CHECK(count_nodes(cluster, "MASTER", cluster.master_address(), "RUNNING") == 1);
  CHECK(count_nodes(cluster, "STORAGE", cluster.storage_address(0), "RUNNING") == 1);
  CHECK(count_nodes(cluster, "ADMIN", cluster.admin_address(), "RUNNING") == 1);

  const RunResult pt = cluster.neoctl({"print", "pt"});
  CHECK(pt.status == 0);
  CHECK(pt.out == "# ptid: 1, replicas: 0\nS1 R UUUU\n");

  const RunResult ids = cluster.neoctl({"print", "ids"});
  CHECK(ids.status == 0);
  CHECK(count_lines_with(ids.out, "last_ptid = 1") == 1);
  CHECK(cluster.neoctl({"print", "primary"}).out.find("M1") != std::string::npos);
}

TEST_CASE("three storages with one replica spread the partitions") {
  LocalCluster cluster({.partitions = 6, .replicas = 1, .storages = 3});
  cluster.start();
  REQUIRE_RUNNING(cluster);
  INFO(cluster.diagnostics());
  const RunResult pt = cluster.neoctl({"print", "pt"});
  REQUIRE(pt.status == 0);
  CHECK(count_lines_with(pt.out, "# ptid: 1, replicas: 1") == 1);
  // 6 partitions x 2 cells over 3 nodes: 4 up-to-date cells each.
  const std::regex row("^S[123] R [U.]{6}$");
  std::istringstream in(pt.out);
  std::string line;
  std::getline(in, line);
  int rows = 0;
  for (; std::getline(in, line); ++rows) {
    CHECK(std::regex_match(line, row));
    CHECK(std::count(line.begin() + 5, line.end(), 'U') == 4);
  }
  CHECK(rows == 3);
}

TEST_CASE("a stopped cluster restarts with the same partition table, ids and node ids") {
  LocalCluster cluster({.partitions = 5, .replicas = 1, .storages = 2});
  cluster.start();
  REQUIRE_RUNNING(cluster);
  INFO(cluster.diagnostics());
  const std::string pt = cluster.neoctl({"print", "pt"}).out;
  const std::string ids = cluster.neoctl({"print", "ids"}).out;
  const auto storages = node_ids(cluster.neoctl({"print", "node"}).out, "STORAGE");
  CHECK(storages.size() == 2);

  const RunResult stop = cluster.neoctl({"set", "cluster", "STOPPING"});
  CHECK(stop.status == 0);
  CHECK(cluster.master().wait(20s) == 0);
  CHECK(cluster.storage(0).wait(20s) == 0);
  CHECK(cluster.storage(1).wait(20s) == 0);
  CHECK(cluster.admin().wait(20s).has_value());

  cluster.start();
  REQUIRE_RUNNING(cluster);
  CHECK(cluster.neoctl({"print", "pt"}).out == pt);
  CHECK(cluster.neoctl({"print", "ids"}).out == ids);
  CHECK(node_ids(cluster.neoctl({"print", "node"}).out, "STORAGE") == storages);
}

TEST_CASE("a killed storage is marked DOWN and rejoins when restarted") {
  LocalCluster cluster({.partitions = 4, .replicas = 1, .storages = 2});
  cluster.start();
  REQUIRE_RUNNING(cluster);
  INFO(cluster.diagnostics());

  cluster.storage(1).signal(SIGKILL);
  REQUIRE(cluster.storage(1).wait(10s).has_value());
  CHECK(wait_nodes(cluster, "STORAGE", cluster.storage_address(1), "DOWN", 1));
  CHECK(cluster.neoctl({"print", "cluster"}).out == "RUNNING\n");  // the replica serves

  cluster.start_storage(1);
  CHECK(wait_nodes(cluster, "STORAGE", "", "RUNNING", 2));
  CHECK(cluster.neoctl({"print", "cluster"}).out == "RUNNING\n");
}

TEST_CASE("without its only replica the cluster recovers, and runs again when it is back") {
  LocalCluster cluster({.partitions = 4, .replicas = 0, .storages = 2});
  cluster.start();
  REQUIRE_RUNNING(cluster);
  INFO(cluster.diagnostics());

  cluster.storage(0).signal(SIGKILL);
  REQUIRE(cluster.storage(0).wait(10s).has_value());
  CHECK(cluster.wait_cluster_state("RECOVERING"));
  cluster.start_storage(0);
  CHECK(cluster.wait_cluster_state("RUNNING"));
  CHECK(wait_nodes(cluster, "STORAGE", "", "RUNNING", 2));
}

TEST_CASE("bad peers and bad input are refused without harm") {
  LocalCluster cluster({.name = "good-cluster", .partitions = 2, .storages = 1});
  cluster.start();
  REQUIRE_RUNNING(cluster);
  INFO(cluster.diagnostics());
  const std::uint16_t master_port = port_of(cluster.master_address());

  SECTION("a storage of another cluster is refused with a clear message") {
    neo::test::ChildProcess intruder(
        {LocalCluster::program("neostorage"), "-c", "bad-cluster", "-m", cluster.master_address(),
         "-a", "SQLite", "-d", (cluster.dir() / "intruder.sqlite").string()},
        cluster.dir() / "intruder.out");
    const auto status = intruder.wait(20s);
    INFO(intruder.output());
    CHECK(status.has_value());
    CHECK(status != 0);
    CHECK(intruder.output().find("invalid cluster name") != std::string::npos);
  }
  SECTION("a second storage process on the same database is refused") {
    neo::test::ChildProcess twin({LocalCluster::program("neostorage"), "-c", "good-cluster", "-m",
                                  cluster.master_address(), "-a", "SQLite", "-d",
                                  cluster.database(0).string()},
                                 cluster.dir() / "twin.out");
    const auto status = twin.wait(20s);
    INFO(twin.output());
    CHECK(status.has_value());
    CHECK(status != 0);
  }
  SECTION("a peer speaking another protocol version is disconnected") {
    CHECK(closed_after_sending(master_port, std::string_view("\x92\xa3NEO\x04", 6)));
  }
  SECTION("garbage on the port is disconnected") {
    CHECK(closed_after_sending(master_port, "GET / HTTP/1.0\r\n\r\n"));
    CHECK(closed_after_sending(port_of(cluster.storage_address(0)), "\xff\xff\xff\xff garbage"));
    CHECK(closed_after_sending(port_of(cluster.admin_address()), "\x92\xa3NEO\x05\xc1\xc1\xc1"));
  }
  // Whatever was sent, every node is still there and the cluster serves.
  CHECK(cluster.master().running());
  CHECK(cluster.storage(0).running());
  CHECK(cluster.admin().running());
  CHECK(cluster.neoctl({"print", "cluster"}).out == "RUNNING\n");
  CHECK(count_nodes(cluster, "STORAGE", "", "RUNNING") == 1);
}

TEST_CASE("daemons reject bad command lines with argparse's status") {
  for (const char* daemon : {"neomaster", "neostorage", "neoadmin"}) {
    const RunResult result = neo::test::run_program(
        {LocalCluster::program(daemon), "-c", "x", "-d", "db.sqlite", "--bogus"});
    INFO(daemon << ": " << result.err);
    CHECK(result.status == 2);
    CHECK(result.err.find("--bogus") != std::string::npos);
    const RunResult help = neo::test::run_program({LocalCluster::program(daemon), "--help"});
    CHECK(help.status == 0);
    CHECK(help.out.find("--cluster") != std::string::npos);
  }
  // MySQL on a socket where no server listens: a startup error, said so.
  const RunResult mysql = neo::test::run_program({LocalCluster::program("neostorage"), "-c", "x",
                                                  "-a", "MySQL", "-d", "neo/nonexistent/sock"});
  INFO(mysql.err << mysql.out);
  CHECK(mysql.status == 1);
  CHECK((mysql.err + mysql.out).find("cannot open the MySQL database neo/nonexistent/sock") !=
        std::string::npos);
}

// The -D file of a master, without spaces (MasterListFile's JSON).
std::string master_list(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::erase(text, ' ');
  return text;
}

TEST_CASE("masters with -D find each other through the file and save the masters they learn") {
  const std::filesystem::path dir = neo::test::make_temp_dir("neo-master-list");
  const std::uint16_t a = neo::test::free_port(), b = neo::test::free_port();
  const auto entry = [](std::uint16_t port) {
    return "[\"127.0.0.1\"," + std::to_string(port) + "]";
  };
  // A knows B only through its file; B knows no other master at all.
  std::ofstream(dir / "a.json") << "[" << entry(b) << "]";
  const auto start = [&](const std::string& name, std::uint16_t port) {
    return std::make_unique<neo::test::ChildProcess>(
        std::vector<std::string>{LocalCluster::program("neomaster"), "-c", "neo-cpp-test-d", "-b",
                                 "127.0.0.1:" + std::to_string(port), "-D",
                                 (dir / (name + ".json")).string(), "-l",
                                 (dir / (name + ".log")).string()},
        dir / (name + ".out"));
  };
  auto master_a = start("a", a);
  auto master_b = start("b", b);
  const auto knows = [&](const std::string& name, std::uint16_t port) {
    return master_list(dir / (name + ".json")).find(entry(port)) != std::string::npos;
  };
  // B learns A from A's election request; both files list both masters.
  CHECK(neo::test::wait_for([&] { return knows("b", a) && knows("b", b); }, 20s, 50ms));
  CHECK(neo::test::wait_for([&] { return knows("a", a) && knows("a", b); }, 20s, 50ms));
  INFO(master_a->output_tail() << master_b->output_tail());
  CHECK(master_a->running());
  CHECK(master_b->running());
  master_a->stop();
  master_b->stop();
  // Restarted with its file only, B still knows A (and rewrites nothing away).
  master_b = start("b", b);
  CHECK(neo::test::wait_for([&] { return !master_b->running() || knows("b", a); }, 5s, 50ms));
  CHECK(master_b->running());
  CHECK(knows("b", a));
  master_b->stop();
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);
}
