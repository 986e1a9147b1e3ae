// tests/unit/admin/admin_fixture.hpp
// An admin node's neoctl handler with a fake master and a fake neoctl
// (tests/support/fake_peer.hpp), for the admin's unit tests: connect()
// gives it a view of M1, S1, S2, A1, a 3-partition table and RUNNING.
// Single-threaded, no sockets.
#pragma once

#include <catch2/catch.hpp>
#include <memory>
#include <optional>

#include "nodes/admin/master_handler.hpp"
#include "nodes/admin/neoctl_handler.hpp"
#include "tests/support/fake_peer.hpp"

namespace neo::admin::test {

using namespace neo::protocol;
using neo::test::FakePeer;
using neo::test::frame_of;

// The very last packet `peer` sent, which must be a P.
template <class P>
inline P last_sent(const FakePeer& peer) {
  std::optional<P> packet = peer.last_sent<P>();
  REQUIRE(packet);
  return *packet;
}

inline constexpr NodeId kM1{static_cast<std::int32_t>(0xf0000001)};
inline constexpr NodeId kS1{1}, kS2{2};
inline constexpr NodeId kA1{static_cast<std::int32_t>(0xd0000001)};

// An admin connected to a master that announced M1, S1, S2, A1, a 3
// partition table and RUNNING.
struct Fixture {
  AdminCore core{"test", {"backup1"}};
  std::shared_ptr<FakePeer> master = std::make_shared<FakePeer>();
  std::shared_ptr<FakePeer> neoctl = std::make_shared<FakePeer>();
  NeoctlHandler handler{core};
  MasterHandler master_handler{core, {}};

  void connect() {
    core.view().on_identified(kM1, kA1);
    core.set_master(master);
    NotifyNodeInformation nodes{
        .timestamp = 1000.0,
        .node_list = {
            {NodeType::Master, Address{"127.0.0.1", 22001}, kM1, NodeState::Running, {}},
            {NodeType::Storage, Address{"127.0.0.1", 22002}, kS1, NodeState::Running, 999.5},
            {NodeType::Storage, Address{"127.0.0.1", 22003}, kS2, NodeState::Running, 999.6},
            {NodeType::Admin, Address{"127.0.0.1", 22004}, kA1, NodeState::Running, 999.7},
        }};
    master_handler.on_packet(*master, frame_of(nodes, 1));
    SendPartitionTable pt{.ptid = 5,
                          .num_replicas = 1,
                          .row_list = {{{kS1, CellState::UpToDate}, {kS2, CellState::UpToDate}},
                                       {{kS1, CellState::UpToDate}, {kS2, CellState::OutOfDate}},
                                       {{kS1, CellState::UpToDate}, {kS2, CellState::UpToDate}}}};
    master_handler.on_packet(*master, frame_of(pt, 2));
    master_handler.on_packet(*master, frame_of(NotifyClusterInformation{ClusterState::Running}, 3));
    REQUIRE(master->sent.empty());  // nothing refused
  }
};

}  // namespace neo::admin::test
