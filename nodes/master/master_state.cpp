// MasterState: construction, the peers' bookkeeping and their loss,
// the state dump.
#include "nodes/master/master_state.hpp"

#include <spdlog/spdlog.h>

#include "core/daemon/daemon.hpp"
#include "core/log/log.hpp"

namespace neo::master {

using node::Node;

MasterState::MasterState(MasterConfig config, Hooks hooks, node::NodeManager::Clock clock,
                         TransactionManager::Clock tid_clock)
    : config_(std::move(config)),
      hooks_(std::move(hooks)),
      nm_(std::move(clock)),
      pt_(config_.partitions, config_.replicas),
      tm_(std::move(tid_clock)) {
  const protocol::Address bind{config_.bind.host, config_.bind.port};
  // As NEO/py: the masters of the -D file, then those of -m, then this one,
  // all kept in the file from now on.
  if (!config_.dynamic_master_list.empty()) {
    std::vector<net::Address> known = daemon::use_master_list(config_.dynamic_master_list, nm_);
    known.insert(known.end(), config_.masters.begin(), config_.masters.end());
    config_.masters = std::move(known);
  }
  for (const net::Address& m : config_.masters) {
    if (nm_.by_address(protocol::Address{m.host, m.port})) continue;
    if (m == config_.bind) continue;
    (void)nm_.create(NodeType::Master, std::nullopt, protocol::Address{m.host, m.port},
                     node::NodeState::Down);
  }
  Result<NodeId> nid = config_.nid
                           ? Result<NodeId>(*config_.nid)
                           : nm_.allocate_nid(NodeType::Master, std::nullopt, bind, std::nullopt);
  nid_ = *nid;
  Result<Node*> self = nm_.create(NodeType::Master, nid_, bind, node::NodeState::Running);
  self_ = *self;
  if (!config_.upstream_cluster.empty())
    backup_ = std::make_unique<Backup>(config_.upstream_cluster, backup_host());
}

void MasterState::start() {
  log::set_node(config_.cluster, nid_);
  SPDLOG_INFO("Configuration:");
  SPDLOG_INFO("Partitions: {}", config_.partitions);
  SPDLOG_INFO("Replicas  : {}", config_.replicas);
  SPDLOG_INFO("Name      : {}", config_.cluster);
  play_primary();
}

Node* MasterState::node_by_key(std::uint64_t key) const {
  for (Node* node : nm_.list())
    if (node->key() == key) return node;
  return nullptr;
}

net::Peer* MasterState::peer_of(const Node& node) const {
  auto it = peers_.find(node.key());
  return it == peers_.end() ? nullptr : it->second.get();
}

std::vector<Node*> MasterState::identified(std::optional<NodeType> type) const {
  std::vector<Node*> out;
  for (Node* node : nm_.list())
    if (peers_.count(node->key()) && (!type || node->type() == *type)) out.push_back(node);
  return out;
}

pt::DevpathFn MasterState::devpath_fn() const {
  return [this](NodeId nid) {
    const Node* node = nm_.by_nid(nid);
    return node ? node->devpath : pt::Devpath{};
  };
}

pt::NodeStateFn MasterState::state_fn() const {
  return [this](NodeId nid) { return nm_.state_of(nid); };
}

void MasterState::forget_connection(Node& node) {
  auto it = peers_.find(node.key());
  if (it == peers_.end()) return;
  node_of_peer_.erase(it->second.get());
  peers_.erase(it);
  node.identified = false;
  if (node.nid()) {
    outstanding_.erase(*node.nid());
    starting_.erase(*node.nid());
    if (ready_.erase(*node.nid())) run_delayed();  // NEO/py's setStorageNotReady
  }
}

void MasterState::answer_failed(NodeId nid, std::uint16_t code, std::error_code ec,
                                std::string_view message) {
  if (ec == errc::connection_closed) return;  // on_closed handles the loss
  SPDLOG_ERROR("{}: request {} failed: {} {}", to_string(nid), net::packet_name(code), ec.message(),
               message);
  if (Node* node = nm_.by_nid(nid))
    if (net::Peer* peer = peer_of(*node)) peer->close(errc::protocol_error);
}

MasterState::Route MasterState::route(const net::Peer& peer) const {
  if (primary_peer_ && &peer == primary_peer_.get()) return Route::Primary;
  if (upstream_peer_ && &peer == upstream_peer_.get()) return Route::Upstream;
  for (const auto& [key, election_peer] : election_peers_)
    if (election_peer.get() == &peer) return Route::Election;
  if (role_ == Role::Secondary) return Route::SecondaryIdentification;
  auto it = node_of_peer_.find(&peer);
  const Node* node = it == node_of_peer_.end() ? nullptr : node_by_key(it->second);
  if (!node) return Route::Identification;
  switch (node->type()) {
    case NodeType::Storage:
      if (phase_ == Phase::Recovery) return Route::Recovery;
      return phase_ == Phase::Running ? Route::StorageService : Route::Verification;
    case NodeType::Admin: return Route::Administration;
    case NodeType::Client:
      if (backing_up()) return Route::BackupClient;
      return read_only_.count(node->key()) ? Route::ReadOnlyClient : Route::Client;
    case NodeType::Master: break;
  }
  return Route::Secondary;
}

void MasterState::on_closed(net::Peer& peer) {
  if (upstream_peer_ && &peer == upstream_peer_.get()) {
    const bool again =
        cluster_state_ == ClusterState::StartingBackup || cluster_state_ == ClusterState::BackingUp;
    return leave_upstream("connection lost", again);
  }
  if (on_master_closed(peer)) return;
  auto it = node_of_peer_.find(&peer);
  if (it == node_of_peer_.end()) return;
  Node* node = node_by_key(it->second);
  if (!node) {
    node_of_peer_.erase(it);
    return;
  }
  forget_connection(*node);
  if (stopping_ || role_ == Role::Secondary) return;
  node_lost(*node);
}

// An identified node's connection is lost (NEO/py's connectionLost of each
// handler).
void MasterState::node_lost(Node& node) {
  const std::string id = to_string(node.nid());
  switch (node.type()) {
    case NodeType::Admin:
      SPDLOG_INFO("{}: admin node lost, forgotten", id);
      nm_.remove(node);
      break;
    case NodeType::Client: {
      client_lost(node);
      protocol::NodeInfo info = node.info();
      info.state = node::NodeState::Unknown;
      SPDLOG_INFO("{}: client node lost, forgotten", id);
      nm_.set_state(node, node::NodeState::Unknown);
      broadcast_infos({info});
      break;
    }
    case NodeType::Storage:
      if (phase_ == Phase::Recovery) {
        recovery_lost(*node.nid());
      } else {
        storage_lost(node);
      }
      break;
    case NodeType::Master:
      if (!node.is_down()) {
        nm_.set_state(node, node::NodeState::Down);
        broadcast_nodes({&node});
      }
      break;
  }
}

std::vector<std::string> MasterState::dump() const {
  std::vector<std::string> lines;
  lines.push_back("cluster state: " +
                  std::string(cluster_state_ ? protocol::to_string(*cluster_state_) : "None"));
  const std::vector<protocol::NodeInfo> infos = nm_.infos();
  for (std::string& line : node::format_node_list(infos, "node: ")) lines.push_back(line);
  lines.push_back("pt: ptid=" + (pt_.ptid() ? std::to_string(*pt_.ptid()) : "None") +
                  " replicas=" + std::to_string(pt_.num_replicas()));
  for (std::string& line : pt_.format(state_fn(), "pt: ")) lines.push_back(line);
  lines.push_back("last tid: " + to_string(tm_.last_transaction()) +
                  " last oid: " + to_string(tm_.last_oid()));
  if (truncate_tid_) lines.push_back("truncating after " + to_string(*truncate_tid_));
  if (backup_tid_) {
    lines.push_back("backup_tid: " + to_string(*backup_tid()) +
                    " (all cells: " + to_string(backup_tid_min()) + ")");
    for (std::string& line : backup_->dump()) lines.push_back(std::move(line));
  }
  for (const auto& [ttid, txn] : tm_.transactions())
    lines.push_back("transaction: ttid=" + to_string(ttid) + " client=" + to_string(txn.client) +
                    " tid=" + (txn.tid ? to_string(*txn.tid) : std::string("None")) +
                    " locking=" + std::to_string(txn.locking.size()));
  return lines;
}

void MasterState::log_pt() const {
  SPDLOG_INFO("pt: ptid={} replicas={}", pt_.ptid() ? std::to_string(*pt_.ptid()) : "None",
              pt_.num_replicas());
  for (const std::string& line : pt_.format(state_fn(), "pt: ")) SPDLOG_INFO("{}", line);
}

}  // namespace neo::master
