// neostress's delay fault in a network namespace of its own (root only, as
// `run --isolate`): slow_port() slows down the loopback packets of one port
// at the given rate, leaves the other ports alone, and restore_network()
// takes it all back. The namespace is a forked child's, so the machine's
// loopback is never touched.
#include "cli/neostress/isolation.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <regex>
#include <string>

#include "cli/neosimple/process.hpp"
#include "cli/neostress/stress_support.hpp"

namespace neo::stress {
namespace {

using Clock = std::chrono::steady_clock;

// A TCP connection to itself through a listener on 127.0.0.1.
struct Link {
  int listener = -1, client = -1, server = -1;
  std::uint16_t port = 0;
  Link() {
    listener = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t size = sizeof address;
    if (::bind(listener, reinterpret_cast<sockaddr*>(&address), size) != 0 ||
        ::listen(listener, 1) != 0 ||
        ::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &size) != 0)
      return;
    port = ntohs(address.sin_port);
    client = ::socket(AF_INET, SOCK_STREAM, 0);
    if (::connect(client, reinterpret_cast<sockaddr*>(&address), size) == 0)
      server = ::accept(listener, nullptr, nullptr);
  }
  ~Link() {
    for (int fd : {listener, client, server})
      if (fd >= 0) ::close(fd);
  }
  // `count` round trips of 1000 bytes, one thread (they fit the socket
  // buffers); false if the link failed.
  bool exchange(int count) const {
    char data[1000] = {};
    for (int i = 0; i < count; ++i) {
      for (auto [from, to] : {std::pair{client, server}, std::pair{server, client}}) {
        if (::send(from, data, sizeof data, 0) != sizeof data) return false;
        for (std::size_t got = 0; got < sizeof data;) {
          const ssize_t n = ::recv(to, data, sizeof data - got, 0);
          if (n <= 0) return false;
          got += static_cast<std::size_t>(n);
        }
      }
    }
    return true;
  }
};

std::string tc_show(const std::vector<std::string>& what) {
  std::vector<std::string> argv = {find_program("tc")};
  argv.insert(argv.end(), what.begin(), what.end());
  return neo::simple::run_capture(argv, std::chrono::seconds(5)).second;
}

// Bytes sent by the slow class.
long slow_class_bytes() {
  std::smatch m;
  const std::string out = tc_show({"-s", "class", "show", "dev", "lo", "classid", "1:10"});
  return std::regex_search(out, m, std::regex("Sent (\\d+) bytes")) ? std::stol(m[1]) : -1;
}

// The checks, in the child's namespace: "" or what failed.
std::string check_in_namespace() {
  if (std::string error = isolate(); !error.empty()) return error;
  const Link slow, other;
  if (slow.server < 0 || other.server < 0) return "no loopback link";
  if (std::string error = slow_port(slow.port, 2000); !error.empty()) return error;
  // 100 round trips of 1000 bytes (2 x 1066 on the wire) at 2000 kbit/s,
  // less the 16 KiB burst: at least 0.78 s whatever the machine's speed.
  const auto start = Clock::now();
  if (!slow.exchange(100)) return "the slowed link failed";
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  if (seconds < 0.7) return "the slowed port took only " + std::to_string(seconds) + " s";
  const long classified = slow_class_bytes();
  if (!other.exchange(100)) return "the other link failed";
  if (classified < 200000 || slow_class_bytes() != classified)
    return "the slow class sent " + std::to_string(classified) + " then " +
           std::to_string(slow_class_bytes()) + " bytes (the other port must not add any)";
  restore_network();
  if (tc_show({"qdisc", "show", "dev", "lo"}).find("htb") != std::string::npos)
    return "the htb qdisc is still there";
  return "";
}

}  // namespace

TEST_CASE("the delay fault slows one port down, and only it", "[neostress]") {
  if (::geteuid() != 0 || find_program("tc").empty()) {
    WARN("skipped: needs root (a network namespace) and tc");
    return;
  }
  int pipe_fds[2];
  REQUIRE(::pipe(pipe_fds) == 0);
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    ::close(pipe_fds[0]);
    const std::string failure = check_in_namespace();
    (void)!::write(pipe_fds[1], failure.data(), failure.size());
    ::_exit(0);
  }
  ::close(pipe_fds[1]);
  std::string failure;
  char buffer[512];
  for (ssize_t n; (n = ::read(pipe_fds[0], buffer, sizeof buffer)) > 0;) failure.append(buffer, n);
  ::close(pipe_fds[0]);
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  CHECK(WIFEXITED(status));
  CHECK(failure == "");
}

}  // namespace neo::stress
