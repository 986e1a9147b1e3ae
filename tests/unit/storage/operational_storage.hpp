// A real StorageApp on a temporary SQLite database, identified as S1 and
// operational (2 partitions, both up to date here), for tests that feed its
// handlers packets from fake peers.
#pragma once

#include <asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <vector>

#include "core/net/io_scheduler.hpp"
#include "core/net/network.hpp"
#include "nodes/storage/storage_app.hpp"
#include "tests/support/fake_peer.hpp"
#include "tests/unit/storage/storage_node_support.hpp"
#include "tests/unit/storage/storage_test_support.hpp"

namespace neo::storage::test {

inline const NodeId kS1 = make_node_id(1, 1);

struct Operational {
  TempDir dir;
  asio::io_context io;
  net::IoScheduler scheduler{io};
  std::unique_ptr<net::Network> network = net::make_asio_network(io, {});
  daemon::Env env{scheduler, *network, "neostorage", {}, {}, {}, {}};
  std::shared_ptr<StorageApp> app;
  Operational() {
    env.exit = [](int) {};
    StorageOptions options;
    options.server.cluster = "test";
    options.adapter = "SQLite";
    options.database = dir.file("s.db");
    app = std::make_shared<StorageApp>(env, options, open_database(options));
    REQUIRE_FALSE(app->state().identified(kS1));
    std::string message;
    protocol::RowList rows(2,
                           std::vector<protocol::CellInfo>{{kS1, protocol::CellState::UpToDate}});
    REQUIRE(app->state().load_partition_table({1, 0, rows}, message));
    REQUIRE_FALSE(app->state().start_operation());
  }
  // Runs what the handlers posted to the event loop (the group commit).
  void run_posted() {
    io.restart();
    io.poll();
  }
  // What a Connection does: the msg id of the packet being handled, then the
  // handler; then the event loop runs what it posted.
  void deliver(net::Handler& handler, neo::test::FakePeer& peer, const protocol::Frame& frame) {
    peer.set_msg_id(frame.msg_id);
    handler.on_packet(peer, frame);
    run_posted();
  }
};

}  // namespace neo::storage::test
