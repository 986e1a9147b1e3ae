#include "tests/sim/cluster.hpp"

#include <spdlog/spdlog.h>

#include <random>
#include <stdexcept>

#include "nodes/master/master.hpp"
#include "nodes/master/master_app.hpp"
#include "nodes/storage/storage_app.hpp"
#include "nodes/storage/storage_options.hpp"
#include "tests/support/fake_peer.hpp"

namespace neo::sim {

namespace {

constexpr const char* kClusterName = "sim";
constexpr std::uint16_t kMasterPort = 10000;
constexpr std::uint16_t kStoragePort = 20000;

// In memory where possible: the databases' syncs would cost real time.
std::filesystem::path make_temp_dir() {
  std::error_code ec;
  const std::filesystem::path base = std::filesystem::is_directory("/dev/shm", ec)
                                         ? std::filesystem::path("/dev/shm")
                                         : std::filesystem::temp_directory_path();
  std::string pattern = (base / "neo-sim-XXXXXX").string();
  if (!mkdtemp(pattern.data())) throw std::runtime_error("cannot create a temporary directory");
  return pattern;
}

}  // namespace

Cluster::Cluster(std::uint64_t seed, ClusterConfig config)
    : config_(config),
      loop_(seed),
      network_(loop_, config.network),
      scheduler_(loop_),
      dir_(make_temp_dir()) {
  for (int i = 0; i < config_.masters; ++i) masters_.push_back(Node{.name = master_name(i)});
  for (int i = 0; i < storage_count(); ++i) storages_.push_back(Node{.name = storage_name(i)});
}

Cluster::~Cluster() {
  // Every node dies with the simulation; nothing of it runs afterwards.
  for (int i = 0; i < storage_count(); ++i) crash_storage(i);
  for (int i = 0; i < config_.masters; ++i) crash_master(i);
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

net::Address Cluster::master_address(int i) const {
  return {"127.0.0.1", static_cast<std::uint16_t>(kMasterPort + i)};
}

std::unique_ptr<daemon::Env> Cluster::make_env(Node& node, const std::string& program) {
  auto env = std::make_unique<daemon::Env>(
      daemon::Env{scheduler_, network_.node(node.name), program, {}, {}, {}, {}});
  const std::string name = node.name;
  env->exit = [this, name](int status) {
    Node& n = this->node(name);
    if (n.exit_status) return;
    n.exit_status = status;
    // As daemon::run: the application is destroyed once the handler returns.
    loop_.post([this, name] {
      Node& n = this->node(name);
      n.master.reset();
      n.storage.reset();
    });
  };
  return env;
}

Cluster::Node& Cluster::node(const std::string& name) {
  for (auto* nodes : {&masters_, &storages_})
    for (Node& n : *nodes)
      if (n.name == name) return n;
  throw std::logic_error("no node " + name);
}

void Cluster::start_master(int i) {
  Node& n = masters_.at(i);
  if (n.master) return;
  n.exit_status.reset();
  n.env = make_env(n, "neomaster");
  master::MasterConfig config;
  config.cluster = kClusterName;
  config.bind = master_address(i);
  for (int m = 0; m < config_.masters; ++m) config.masters.push_back(master_address(m));
  // Only when the cluster is created: a master restarted with -A would
  // create a new, empty cluster out of a spare storage connecting first
  // (as NEO/py's would), and the old storages' data would be discarded.
  if (!created_) config.autostart = config_.storages;
  config.partitions = static_cast<std::uint32_t>(config_.partitions);
  config.replicas = static_cast<std::uint32_t>(config_.replicas);
  n.master = master::start_master(*n.env, config);
}

void Cluster::start_storage(int i) {
  Node& n = storages_.at(i);
  if (n.storage) return;
  n.exit_status.reset();
  n.env = make_env(n, "neostorage");
  storage::StorageOptions options;
  options.server.cluster = kClusterName;
  for (int m = 0; m < config_.masters; ++m)
    options.server.masters.push_back({"127.0.0.1", static_cast<std::uint16_t>(kMasterPort + m)});
  options.server.bind = {"127.0.0.1", static_cast<std::uint16_t>(kStoragePort + i)};
  options.adapter = "SQLite";
  options.database = (dir_ / (n.name + ".db")).string();
  n.storage = storage::StorageApp::start(*n.env, options);
}

void Cluster::start_all() {
  for (int i = 0; i < config_.masters; ++i) start_master(i);
  for (int i = 0; i < config_.storages; ++i) start_storage(i);
  created_ = true;
}

void Cluster::crash_master(int i) {
  Node& n = masters_.at(i);
  network_.crash(n.name);
  n.master.reset();
}

void Cluster::crash_storage(int i) {
  Node& n = storages_.at(i);
  network_.crash(n.name);
  if (n.storage) n.storage->crash();
  n.storage.reset();
}

bool Cluster::master_up(int i) const { return masters_.at(i).master != nullptr; }
bool Cluster::storage_up(int i) const { return storages_.at(i).storage != nullptr; }

std::vector<const master::Master*> Cluster::running_primaries() const {
  std::vector<const master::Master*> out;
  for (const Node& n : masters_) {
    if (!n.master) continue;
    const master::Master& m = n.master->master();
    if (!m.secondary() && m.cluster_state() == protocol::ClusterState::Running) out.push_back(&m);
  }
  return out;
}

bool Cluster::add_and_tweak() {
  master::Master* primary = nullptr;
  for (Node& n : masters_)
    if (n.master && !n.master->master().secondary() &&
        n.master->master().cluster_state() == protocol::ClusterState::Running)
      primary = &n.master->master();
  if (!primary) return false;
  master::MasterState& state = primary->state();
  std::vector<NodeId> pending;
  for (const node::Node* node : state.nodes().list(protocol::NodeType::Storage))
    if (node->is_pending() && node->nid()) pending.push_back(*node->nid());
  test::FakePeer admin;
  if (!pending.empty()) state.add_pending_nodes(admin, pending);
  state.tweak(admin, protocol::TweakPartitionTable{false, {}});
  return admin.last<protocol::AnswerTweakPartitionTable>().has_value();
}

bool Cluster::replicated() const {
  const std::vector<const master::Master*> primaries = running_primaries();
  if (primaries.size() != 1) return false;
  const pt::PartitionTable& table = primaries.front()->pt();
  for (std::uint32_t offset = 0; offset < table.num_partitions(); ++offset)
    for (const pt::Cell& cell : table.row(offset))
      if (cell.state != protocol::CellState::UpToDate) return false;
  return true;
}

std::vector<std::string> Cluster::compare_replicas() {
  std::vector<std::string> failures;
  const std::vector<const master::Master*> primaries = running_primaries();
  if (primaries.size() != 1) return {"no primary to compare replicas"};
  const pt::PartitionTable& table = primaries.front()->pt();
  for (std::uint32_t offset = 0; offset < table.num_partitions(); ++offset) {
    std::optional<std::string> reference;
    for (const pt::Cell& cell : table.row(offset)) {
      storage::StorageApp* app = nullptr;
      for (Node& n : storages_)
        if (n.storage && n.storage->state().nid() == cell.nid) app = n.storage.get();
      if (!app) {
        failures.push_back("partition " + std::to_string(offset) + ": " + to_string(cell.nid) +
                           " is not running");
        continue;
      }
      storage::Database& db = app->state().db();
      auto tids = db.check_tid_range(offset, std::nullopt, kZeroTid, kMaxTid);
      auto serials = db.check_serial_range(offset, std::nullopt, kZeroTid, kMaxTid, Oid{});
      if (!tids || !serials) {
        failures.push_back("partition " + std::to_string(offset) + ": " + to_string(cell.nid) +
                           " cannot compute its digests");
        continue;
      }
      const std::string digest = std::to_string(tids->count) + tids->checksum +
                                 std::to_string(serials->count) + serials->tid_checksum +
                                 serials->oid_checksum;
      if (!reference) {
        reference = digest;
      } else if (digest != *reference) {
        failures.push_back("partition " + std::to_string(offset) + ": " + to_string(cell.nid) +
                           " differs from the first replica (" + std::to_string(tids->count) +
                           " transactions, " + std::to_string(serials->count) + " objects)");
      }
    }
  }
  return failures;
}

std::vector<std::string> Cluster::dump() const {
  std::vector<std::string> lines;
  for (const Node& n : masters_) {
    if (!n.master) continue;
    const master::Master& m = n.master->master();
    lines.push_back(n.name + (m.secondary() ? " (secondary)" : " (primary)"));
    for (const std::string& line : m.dump()) lines.push_back("  " + line);
  }
  return lines;
}

std::unique_ptr<client::ClientNode> Cluster::make_client(const std::string& name) {
  std::vector<net::Address> masters;
  for (int m = 0; m < config_.masters; ++m) masters.push_back(master_address(m));
  client::ClientState::Config config{.cluster = kClusterName, .seed = loop_.uniform(0, 1 << 30)};
  return std::make_unique<client::ClientNode>(config, std::move(masters), network_.node(name),
                                              scheduler_);
}

}  // namespace neo::sim
