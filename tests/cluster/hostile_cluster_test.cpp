// Hostile and broken peers against our daemons as real processes on
// 127.0.0.1 (issue 20): malformed administration requests must not cost the
// admin its master link (neoctl keeps being served), fake master
// identifications must not grow the node list without bound, bad new_nid
// values must not change the partition table. The attacker speaks raw TCP.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <future>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/protocol/codec.hpp"
#include "core/protocol/frame_reader.hpp"
#include "tests/cluster/local_cluster.hpp"

using neo::test::LocalCluster;
using namespace neo::protocol;
using namespace std::chrono_literals;

namespace {

std::uint16_t port_of(const std::string& address) {
  return static_cast<std::uint16_t>(std::stoi(address.substr(address.rfind(':') + 1)));
}

// Connects to 127.0.0.1:port, sends the handshake and `frame`: the code of
// the first packet answered, or 0 if none came within 1 s.
std::uint16_t request(std::uint16_t port, const std::string& frame) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::uint16_t code = 0;
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0) {
    timeval timeout{1, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    const std::string bytes = std::string(kHandshake) + frame;
    (void)!send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    FrameReader reader(kMaxFrameSize, true);
    char buffer[4096];
    for (ssize_t n; !code && (n = recv(fd, buffer, sizeof buffer, 0)) > 0;) {
      reader.feed(std::string_view(buffer, static_cast<std::size_t>(n)));
      if (auto next = reader.next(); next && next->has_value()) code = (*next)->code;
    }
  }
  close(fd);
  return code;
}

bool accepted(std::uint16_t code) { return code == AcceptIdentification::kCode; }

std::size_t count_lines(const std::string& text, std::string_view needle) {
  std::size_t n = 0;
  for (std::size_t at = 0; (at = text.find(needle, at)) != std::string::npos; ++at) ++n;
  return n;
}

RequestIdentification identification(NodeType type, std::optional<Address> address,
                                     const std::string& cluster) {
  RequestIdentification r{.node_type = type, .address = std::move(address)};
  r.name = cluster;
  return r;
}

// Administration requests whose arguments do not decode.
const std::vector<std::string> kMalformed = {
    encode_frame(1, SetClusterState::kCode, std::string("\x91\xd4\x01\x63", 4)),
    encode_frame(1, SetNodeState::kCode, std::string("\x92\x01\xd4\x03\x2a", 5)),
    encode_frame(1, AddPendingNodes::kCode, "\x91\xc4\x02zz"),
    encode_frame(1, SetNumReplicas::kCode, "\x91\xa3two"),
    encode_frame(1, Repair::kCode, "\x91\x07"),
};

}  // namespace

TEST_CASE("malformed administration requests leave neoctl served", "[cluster][hostile]") {
  REQUIRE(LocalCluster::daemons_built());
  LocalCluster cluster({.name = "hostile", .partitions = 4, .storages = 1});
  cluster.start();
  INFO(cluster.diagnostics());
  REQUIRE(cluster.wait_cluster_state("RUNNING"));
  const std::uint16_t admin = port_of(cluster.admin_address());
  std::atomic<bool> stop = false;
  std::thread attacker([&] {
    while (!stop)
      for (const std::string& frame : kMalformed) request(admin, frame);
  });
  std::size_t served = 0;
  for (int round = 0; round < 2; ++round) {
    std::vector<std::future<neo::test::RunResult>> calls;
    for (int i = 0; i < 20; ++i)
      calls.push_back(std::async(std::launch::async, [&] {
        return cluster.neoctl({"print", "cluster"});
      }));
    for (auto& call : calls) served += call.get().out == "RUNNING\n";
  }
  stop = true;
  attacker.join();
  CHECK(served == 40);
  CHECK(cluster.admin().output().find("connection to the primary master lost") ==
        std::string::npos);
  CHECK(count_lines(cluster.master().output(), "Accept an ADMIN") == 1);
}

TEST_CASE("fake masters and bad clones change neither nodes nor partitions", "[cluster][hostile]") {
  REQUIRE(LocalCluster::daemons_built());
  LocalCluster cluster({.name = "hostile", .partitions = 4, .storages = 1});
  cluster.start();
  INFO(cluster.diagnostics());
  REQUIRE(cluster.wait_cluster_state("RUNNING"));
  const std::uint16_t master = port_of(cluster.master_address());
  const std::string pt_before = cluster.neoctl({"print", "pt"}).out;
  const std::string nodes_before = cluster.neoctl({"print", "node"}).out;

  for (std::uint16_t i = 0; i < 200; ++i) {
    const auto r =
        identification(NodeType::Master, Address{"127.0.0.1", std::uint16_t(40000 + i)}, "hostile");
    REQUIRE(accepted(request(master, encode(1, r))));
  }
  // At most 4 masters not configured are remembered (they are all DOWN).
  CHECK(neo::test::wait_for(
      [&] {
        const std::string nodes = cluster.neoctl({"print", "node"}).out;
        return count_lines(nodes, "| MASTER ") <= 5 && count_lines(nodes, "| RUNNING ") == 3;
      },
      20s, 50ms));

  std::vector<Value> bad = {Value::array({Value::integer(99999)}),
                            Value::array({Value::integer(-1)}), Value::bin("zz"), Value::array({})};
  Value::Array huge;
  for (int i = 0; i < 100000; ++i) huge.push_back(Value::integer(i));
  bad.push_back(Value::array(std::move(huge)));
  for (Value& new_nid : bad) {
    auto r = identification(NodeType::Storage, std::nullopt, "hostile");
    r.extra = {{"new_nid", std::move(new_nid)}};
    CHECK_FALSE(accepted(request(master, encode(1, r))));
  }
  CHECK(cluster.neoctl({"print", "pt"}).out == pt_before);
  CHECK(count_lines(cluster.neoctl({"print", "node"}).out, "| STORAGE ") ==
        count_lines(nodes_before, "| STORAGE "));
  CHECK(cluster.master().running());
}
