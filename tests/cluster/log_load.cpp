// log_load: makes a large log with our nodes under load, for neolog's
// benchmark (cli/neolog/bench/neolog_bench.sh). Starts a cluster of our
// daemons (LocalCluster: master, 1 storage, admin, each with a log file),
// then keeps 64 neoctl-like requests (AskNodeList, AskClusterState) in flight
// on one connection to the admin until it has answered `requests` of them;
// the admin logs every packet it receives and sends. SIGRTMIN is sent to the
// admin every 20,000 requests, as an operator collecting logs would, so that
// its 16 MiB backlog reaches the file. The admin's log is copied to OUTPUT.
//   NEO_BIN_DIR=build/bin build/tests/log_load OUTPUT [requests=500000]
#include <asio/io_context.hpp>

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <string>

#include "core/net/connection.hpp"
#include "tests/cluster/local_cluster.hpp"

using neo::test::LocalCluster;

namespace {

class Load : public neo::net::Handler {
 public:
  Load(asio::io_context& io, long total, pid_t admin) : io_(io), total_(total), admin_(admin) {}
  void on_packet(neo::net::Peer& peer, const neo::protocol::Frame& frame) override {
    peer.reject_unexpected(frame);
  }
  void on_closed(neo::net::Peer&, std::error_code reason) override {
    if (answered_ < total_) std::fprintf(stderr, "connection closed: %s\n", reason.message().c_str());
    io_.stop();
  }
  void start(neo::net::Peer& peer) {
    for (int i = 0; i < 64; ++i) send(peer);
  }
  long answered() const { return answered_; }

 private:
  void send(neo::net::Peer& peer) {
    if (sent_ >= total_) return;
    auto next = [this, &peer](auto answer, std::string_view) {
      if (!answer) return;
      if (++answered_ % 20000 == 0) ::kill(admin_, SIGRTMIN);
      if (answered_ == total_) io_.stop();
      send(peer);
    };
    if (sent_++ % 2)
      peer.ask(neo::protocol::AskClusterState{}, next);
    else
      peer.ask(neo::protocol::AskNodeList{}, next);
  }

  asio::io_context& io_;
  long total_, sent_ = 0, answered_ = 0;
  pid_t admin_;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: log_load OUTPUT [requests]\n");
    return 2;
  }
  const long requests = argc > 2 ? std::stol(argv[2]) : 500000;
  LocalCluster cluster({.partitions = 4, .storages = 1});
  cluster.start();
  if (!cluster.wait_cluster_state("RUNNING")) {
    std::fprintf(stderr, "cluster did not start\n%s\n", cluster.diagnostics().c_str());
    return 1;
  }
  asio::io_context io;
  auto load = std::make_shared<Load>(io, requests, cluster.admin().pid());
  const std::string admin = cluster.admin_address();
  auto connection = neo::net::Connection::connect(
      io, {"127.0.0.1", static_cast<std::uint16_t>(std::stoi(admin.substr(admin.rfind(':') + 1)))},
      load, {});
  load->start(*connection);
  io.run_for(std::chrono::minutes(30));
  connection->close({});
  std::printf("%ld requests answered\n", load->answered());
  cluster.admin().signal(SIGRTMIN);
  cluster.neoctl({"print", "cluster"});  // the flush is done when this is answered
  cluster.admin().stop();
  std::filesystem::copy_file(cluster.dir() / "admin.log", argv[1],
                             std::filesystem::copy_options::overwrite_existing);
  return load->answered() == requests ? 0 : 1;
}
