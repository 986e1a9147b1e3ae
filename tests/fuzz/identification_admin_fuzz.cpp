// libFuzzer target for what unidentified peers and neoctl send (issue 20):
// the input is read as a NEO stream; every frame goes, as it is, to a
// RUNNING master from a new unidentified peer with its code replaced by
// RequestIdentification (the identification decoding and checks), to the
// master from an identified admin (the AdministrationHandler), and to an
// admin node from neoctl (request checks, then relaying to a fake master).
// Aborts if: something throws; the admin relays a request whose arguments
// do not decode; the master drops its admin for a malformed request; the
// master remembers more masters or clones than its bounds allow.
#include <spdlog/spdlog.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string_view>
#include <vector>

#include "core/protocol/codec.hpp"
#include "core/protocol/frame_reader.hpp"
#include "nodes/admin/master_handler.hpp"
#include "nodes/admin/neoctl_handler.hpp"
#include "nodes/master/master.hpp"
#include "tests/support/fake_peer.hpp"

namespace {

using namespace neo;
using namespace neo::protocol;
using neo::test::FakePeer;
using neo::test::frame_of;

void check(bool ok) {
  if (!ok) std::abort();
}

// A master with one storage, RUNNING, and an identified admin.
struct MasterSide {
  std::shared_ptr<master::Master> master;
  std::shared_ptr<FakePeer> storage = std::make_shared<FakePeer>("127.0.0.1:21011");
  std::shared_ptr<FakePeer> admin = std::make_shared<FakePeer>("127.0.0.1:21020");
  double now = 1000;

  MasterSide() {
    master::MasterConfig config;
    config.cluster = "neo-test";
    config.bind = {"127.0.0.1", 21000};
    config.autostart = 1;
    config.partitions = 4;
    master = std::make_shared<master::Master>(
        config, master::Hooks{}, [this] { return now += 1; }, [] { return 1700000000.0; });
    master->start();
    identify(*storage, NodeType::Storage, 21011);
    storage->reply<AskRecovery>({});
    storage->reply<AskLockedTransactions>({});
    storage->reply<AskLastIDs>({Tid{0x10}, Oid{3}, Tid{1}});
    storage->reply<AskPackOrders>({});
    master->on_packet(*storage, frame_of(NotifyReady{}));
    identify(*admin, NodeType::Admin, 21020);
    check(master->cluster_state() == ClusterState::Running && !admin->closed());
  }
  void identify(FakePeer& peer, NodeType type, std::uint16_t port) {
    RequestIdentification r{.node_type = type, .address = Address{"127.0.0.1", port}};
    r.name = "neo-test";
    master->on_packet(peer, frame_of(r, 1));
  }
  std::size_t count(NodeType type, bool without_address) const {
    std::size_t n = 0;
    for (const node::Node* node : master->nodes().list(type))
      n += !without_address || !node->address();
    return n;
  }
};

void to_master(MasterSide& m, const Frame& frame) {
  auto peer = std::make_shared<FakePeer>();
  m.master->on_packet(*peer, Frame{frame.msg_id, RequestIdentification::kCode, frame.args});
  m.master->on_closed(*peer);
  check(m.count(NodeType::Master, false) <= 1 + 4);  // ourselves + unknown masters
  check(m.count(NodeType::Storage, true) <= 4);      // clones never started
  if (m.admin->closed()) return;
  m.master->on_packet(*m.admin, frame);
  if (!m.admin->closed()) return;
  // Dropped: only for a packet it does not expect, never a malformed one.
  const std::uint16_t code = frame.code;
  check(!m.admin->last_sent<Error>() ||
        m.admin->last_sent<Error>()->message != "malformed " + net::packet_name(code));
}

void to_admin(const Frame& frame) {
  admin::AdminCore core{"neo-test", {}};
  auto master = std::make_shared<FakePeer>();
  admin::MasterHandler master_handler{core, {}};
  core.view().on_identified(NodeId{static_cast<std::int32_t>(0xf0000001)}, std::nullopt);
  core.set_master(master);
  master_handler.on_packet(
      *master, frame_of(SendPartitionTable{1, 0, {{{NodeId{1}, CellState::UpToDate}}}}, 1));
  admin::NeoctlHandler handler{core};
  auto neoctl = std::make_shared<FakePeer>();
  neoctl->set_msg_id(frame.msg_id);
  handler.on_packet(*neoctl, frame);
  for (const FakePeer::Sent& sent : master->sent) {  // what reached the master decodes
    bool decodes = false;
    visit_packet_type(sent.code, [&]<class P>(std::type_identity<P>) {
      decodes = decode_args<P>(sent.args).has_value();
    });
    check(decodes);
  }
  master->fail_all(make_error_code(errc::connection_closed));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const bool quiet = (spdlog::set_level(spdlog::level::off), true);
  (void)quiet;
  FrameReader reader(kMaxFrameSize, false);
  reader.feed(std::string_view(reinterpret_cast<const char*>(data), size));
  std::vector<Frame> frames;
  for (;;) {
    auto next = reader.next();
    if (!next || !next->has_value() || frames.size() >= 16) break;
    frames.push_back(std::move(**next));
  }
  if (frames.empty()) return 0;
  MasterSide m;
  for (const Frame& frame : frames) {
    to_master(m, frame);
    to_admin(frame);
  }
  return 0;
}
