// tests/unit/master/master_fixture.hpp
// A master driven with the shared fake peers (tests/support/fake_peer.hpp),
// for the tests of its handlers and states: nodes connect, send packets,
// storages answer the master's requests. The clocks are fake; outgoing
// connections (election, secondary role) are fake peers kept in
// `outgoing`. Single-threaded, no sockets.
#pragma once

#include <catch2/catch.hpp>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "nodes/master/master.hpp"
#include "tests/support/fake_peer.hpp"

namespace neo::master::test {

using neo::test::FakePeer;
using neo::test::frame_of;

struct MasterFixture {
  struct Options {
    std::optional<std::int64_t> autostart = 1;
    std::uint32_t replicas = 0;
    std::uint16_t port = 21000;
    std::vector<net::Address> masters{};
    std::string upstream_cluster{};  // backup mode: the cluster to follow
  };
  MasterFixture() : MasterFixture(Options{}) {}
  explicit MasterFixture(Options options) {
    MasterConfig config;
    config.cluster = "test";
    config.bind = {"127.0.0.1", options.port};
    config.masters = std::move(options.masters);
    config.autostart = options.autostart;
    config.partitions = 4;
    config.replicas = options.replicas;
    config.upstream_cluster = options.upstream_cluster;
    if (!config.upstream_cluster.empty()) config.upstream_masters = {{"127.0.0.1", 22000}};
    Hooks hooks;
    hooks.connect_upstream = [this](const std::vector<net::Address>&,
                                    std::function<protocol::RequestIdentification()> request,
                                    Hooks::UpstreamIdentified identified) {
      upstream_request = request();
      upstream_identified = std::move(identified);
      return std::function<void()>([this] { upstream_identified = {}; });
    };
    hooks.exit = [this](int status) { exit_status = status; };
    hooks.connect = [this](const net::Address& to) {
      outgoing.push_back(std::make_shared<FakePeer>(net::to_string(to)));
      return outgoing.back();
    };
    master = std::make_shared<Master>(
        config, hooks, [this] { return now += 1; }, [this] { return tid_now; });
    master->start();
  }

  protocol::RequestIdentification request(protocol::NodeType type, std::uint16_t port,
                                          std::optional<NodeId> nid = {}) const {
    protocol::RequestIdentification r;
    r.node_type = type;
    r.nid = nid;
    if (port) r.address = protocol::Address{"127.0.0.1", port};
    r.name = "test";
    return r;
  }
  std::shared_ptr<FakePeer> connect(protocol::NodeType type, std::uint16_t port,
                                    std::optional<NodeId> nid = {}) {
    return connect(request(type, port, nid));
  }
  std::shared_ptr<FakePeer> connect(const protocol::RequestIdentification& r) {
    auto peer =
        std::make_shared<FakePeer>("127.0.0.1:" + std::to_string(r.address ? r.address->port : 0));
    master->on_packet(*peer, frame_of(r));
    return peer;
  }
  template <class P>
  void send(FakePeer& peer, const P& packet, std::uint32_t msg_id = 7) {
    master->on_packet(peer, frame_of(packet, msg_id));
  }
  // A frame of type P whose arguments do not decode.
  template <class P>
  void send_malformed(FakePeer& peer) {
    master->on_packet(peer, protocol::Frame{9, P::kCode, std::string("\xc1", 1)});
  }

  // Storages answering recovery and verification as empty databases.
  static void recover(const std::vector<FakePeer*>& storages) {
    for (FakePeer* s : storages) s->reply<protocol::AskRecovery>({});
  }
  static void verify(const std::vector<FakePeer*>& storages) {
    for (FakePeer* s : storages) s->reply<protocol::AskLockedTransactions>({});
    for (FakePeer* s : storages) s->reply<protocol::AskLastIDs>({Tid{0x10}, Oid{3}, Tid{1}});
    for (FakePeer* s : storages) s->reply<protocol::AskPackOrders>({});
  }
  // `count` storages connected, the cluster RUNNING and the storages ready.
  std::vector<std::shared_ptr<FakePeer>> run(int count = 1) {
    std::vector<std::shared_ptr<FakePeer>> storages;
    std::vector<FakePeer*> raw;
    for (int i = 0; i < count; ++i) {
      storages.push_back(connect(protocol::NodeType::Storage, 21011 + i));
      raw.push_back(storages.back().get());
    }
    recover(raw);
    verify(raw);
    REQUIRE(master->cluster_state() == protocol::ClusterState::Running);
    for (FakePeer* s : raw) send(*s, protocol::NotifyReady{});
    return storages;
  }

  std::shared_ptr<Master> master;
  std::vector<std::shared_ptr<FakePeer>> outgoing;
  double now = 1000;
  double tid_now = 1700000000.0;
  std::optional<int> exit_status;
  // Backup mode: the last identification to the upstream asked, and how to
  // say it succeeded (empty: no attempt in progress).
  std::optional<protocol::RequestIdentification> upstream_request;
  Hooks::UpstreamIdentified upstream_identified;
};

// The last packet `peer` got is Error(PROTOCOL_ERROR, `message`), and the
// connection is aborted.
inline void check_rejected(const FakePeer& peer, const std::string& message) {
  std::optional<protocol::Error> error = peer.last_sent<protocol::Error>();
  REQUIRE(error);
  CHECK(error->code == static_cast<int>(errc::protocol_error));
  CHECK(error->message == message);
  CHECK(peer.aborted);
}

}  // namespace neo::master::test
