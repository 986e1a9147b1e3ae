// neomaster -D/--dynamic-master-list: the masters of the file are added to
// the configured ones at start, and the file follows the masters the node
// learns about (identification, NotPrimaryMaster), as NEO/py's MasterDB.
#include <stdlib.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "core/config/master_list_file.hpp"
#include "nodes/master/master.hpp"
#include "nodes/master/master_config.hpp"
#include "tests/support/fake_peer.hpp"

namespace protocol = neo::protocol;
using neo::master::Master;
using neo::master::MasterConfig;
using neo::test::FakePeer;
using neo::test::frame_of;
using protocol::NodeType;

namespace {

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "neo-master-list-XXXXXX").string();
    REQUIRE(mkdtemp(pattern.data()));
    path = pattern;
  }
  ~TempDir() { std::filesystem::remove_all(path); }
};

// The ports listed in the file (all on 127.0.0.1), sorted.
std::vector<std::uint16_t> ports_in(const std::filesystem::path& path) {
  neo::config::MasterListFile file(path.string());
  std::vector<std::uint16_t> ports;
  for (const auto& address : file.addresses()) {
    CHECK(address.host == "127.0.0.1");
    ports.push_back(address.port);
  }
  std::sort(ports.begin(), ports.end());
  return ports;
}

bool knows_master(const Master& master, std::uint16_t port) {
  const neo::node::Node* node = master.nodes().by_address(protocol::Address{"127.0.0.1", port});
  return node && node->type() == NodeType::Master;
}

}  // namespace

TEST_CASE("-D is passed from the options to the master", "[master]") {
  CLI::App app{"NEO Master node", "neomaster"};
  neo::config::CommonOptions common;
  neo::master::MasterOptions options;
  neo::config::add_common_options(app, common);
  neo::master::add_master_options(app, options);
  app.parse(std::vector<std::string>{"/tmp/m.json", "-D", "c", "-c"});
  CHECK(neo::master::make_config(options).dynamic_master_list.ends_with("m.json"));
}

TEST_CASE("-D: the file's masters are known at start, learned masters are saved", "[master]") {
  TempDir dir;
  const auto path = dir.path / "masters.json";
  std::ofstream(path) << R"([["127.0.0.1", 21005]])";
  MasterConfig config;
  config.cluster = "test";
  config.bind = {"127.0.0.1", 21000};
  config.masters = {{"127.0.0.1", 21000}, {"127.0.0.1", 21001}};
  config.dynamic_master_list = path.string();
  config.autostart = 1;
  std::vector<std::shared_ptr<FakePeer>> outgoing;
  neo::master::Hooks hooks;
  hooks.connect = [&](const neo::net::Address& to) {
    outgoing.push_back(std::make_shared<FakePeer>(neo::net::to_string(to)));
    return outgoing.back();
  };
  double now = 1000;
  auto master = std::make_shared<Master>(config, hooks, [&] { return now += 1; });
  master->start();
  // Known: the file's master, the -m one and itself; all are in the file.
  CHECK(knows_master(*master, 21005));
  CHECK(knows_master(*master, 21001));
  CHECK(ports_in(path) == std::vector<std::uint16_t>{21000, 21001, 21005});
  // The election tries both other masters.
  CHECK(outgoing.size() == 2);

  // A master that identifies (and will yield to us) is saved.
  auto later = std::make_shared<FakePeer>();
  protocol::RequestIdentification r;
  r.node_type = NodeType::Master;
  r.address = protocol::Address{"127.0.0.1", 21007};
  r.name = "test";
  r.id_timestamp = now + 100;
  master->on_packet(*later, frame_of(r));
  REQUIRE(later->last<protocol::AcceptIdentification>());
  CHECK(ports_in(path) == std::vector<std::uint16_t>{21000, 21001, 21005, 21007});

  // Masters listed by a NotPrimaryMaster (a secondary's answer) are saved.
  REQUIRE(!outgoing.empty());
  protocol::NotPrimaryMaster not_primary;
  not_primary.known_master_list = {protocol::Address{"127.0.0.1", 21001},
                                   protocol::Address{"127.0.0.1", 21009}};
  master->on_packet(*outgoing[0], frame_of(not_primary));
  CHECK(knows_master(*master, 21009));
  CHECK(ports_in(path) == std::vector<std::uint16_t>{21000, 21001, 21005, 21007, 21009});
}

TEST_CASE("-D: an unreadable file fails the start", "[master]") {
  TempDir dir;
  const auto path = dir.path / "masters.json";
  std::ofstream(path) << "not json";
  MasterConfig config;
  config.cluster = "test";
  config.bind = {"127.0.0.1", 21000};
  config.dynamic_master_list = path.string();
  CHECK_THROWS(std::make_shared<Master>(config, neo::master::Hooks{}));
}
