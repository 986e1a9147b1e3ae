// MasterState: election between masters and the secondary role (NEO/py
// neo/master/app.py playPrimaryRole/playSecondaryRole, handlers/master.py,
// handlers/identification.py). While RECOVERING, a primary connects to every
// other known master with its election timestamp; the smaller (timestamp,
// address) wins, the other becomes secondary: it stays connected to the
// primary, answers NotPrimaryMaster to everybody else, exits when the
// primary stops the cluster, and plays primary again if the primary dies.
#include <spdlog/spdlog.h>

#include <utility>

#include "core/log/log.hpp"
#include "nodes/master/master_state.hpp"

namespace neo::master {

using node::Node;
using node::NodeState;

namespace {
constexpr double kRetrySeconds = 1.0;
}

protocol::RequestIdentification MasterState::master_request(std::optional<double> election) const {
  protocol::RequestIdentification r;
  r.node_type = NodeType::Master;
  r.nid = nid_;
  r.address = protocol::Address{config_.bind.host, config_.bind.port};
  r.name = config_.cluster;
  r.id_timestamp = election;
  return r;
}

void MasterState::play_primary() {
  role_ = Role::Primary;
  if (std::shared_ptr<net::Peer> old = std::exchange(primary_peer_, nullptr)) old->close({});
  SPDLOG_INFO("{}: play the primary role on {}", to_string(nid_), net::to_string(config_.bind));
  self_->id_timestamp.reset();
  nm_.set_state(*self_, NodeState::Running);
  election_ = nm_.next_timestamp();
  first_election_round_ = true;
  startup_allowed_ = false;
  restart_ptid_.reset();
  begin_recovery();
}

// The peer started playing primary before us (or at the same time with a
// smaller address): it wins.
bool MasterState::loses_against(const protocol::RequestIdentification& r) const {
  if (!r.id_timestamp || !r.address) return false;
  if (*r.id_timestamp != election_) return *r.id_timestamp < election_;
  const net::Address other{r.address->host, r.address->port};
  return other < config_.bind;
}

void MasterState::try_masters() {
  election_timer_ = false;
  if (!election_active() || stopping_) return;
  for (Node* node : nm_.list(NodeType::Master)) {
    if (node == self_ || peer_of(*node) || election_peers_.count(node->key()) || !node->address())
      continue;
    std::shared_ptr<net::Peer> peer =
        hooks_.connect(net::Address{node->address()->host, node->address()->port});
    if (!peer) continue;
    const std::uint64_t key = node->key();
    election_peers_[key] = peer;
    peer->ask(master_request(election_),
              [weak = weak_from_this(), key](Result<protocol::AcceptIdentification> answer,
                                             std::string_view) {
                if (auto self = weak.lock()) self->election_answer(key, std::move(answer));
              });
  }
  if (!election_timer_ && nm_.list(NodeType::Master).size() > 1) {
    election_timer_ = true;
    hooks_.call_later(kRetrySeconds, [weak = weak_from_this()] {
      if (auto self = weak.lock()) {
        self->first_election_round_ = false;
        self->try_masters();
      }
    });
  }
}

void MasterState::election_answer(std::uint64_t key,
                                  Result<protocol::AcceptIdentification> answer) {
  auto it = election_peers_.find(key);
  if (it == election_peers_.end()) return;
  std::shared_ptr<net::Peer> peer = it->second;
  election_peers_.erase(it);
  Node* node = node_by_key(key);
  if (!answer || answer->node_type != NodeType::Master || !node || !node->address()) {
    peer->close({});
    return;  // retried by try_masters
  }
  peer->close({});
  if (!election_active()) return;
  SPDLOG_INFO("{} accepted our identification: it is the primary master",
              node::format_address(node->address()));
  become_secondary(*node->address());
}

void MasterState::not_primary(const protocol::NotPrimaryMaster& p) {
  for (const protocol::Address& address : p.known_master_list)
    if (!nm_.by_address(address))
      (void)nm_.create(NodeType::Master, std::nullopt, address, NodeState::Down);
  if (!p.primary || *p.primary < 0 ||
      static_cast<std::size_t>(*p.primary) >= p.known_master_list.size())
    return;
  const protocol::Address& primary = p.known_master_list[*p.primary];
  if (primary.host == config_.bind.host && primary.port == config_.bind.port) return;
  if (role_ == Role::Secondary) {
    if (primary != primary_address_) become_secondary(primary);
    return;
  }
  // We keep the primary role if that node already yielded to us.
  if (const Node* node = nm_.by_address(primary); node && peer_of(*node)) return;
  if (election_active()) become_secondary(primary);
}

void MasterState::election_refused(net::Peer& peer, const protocol::NotPrimaryMaster& p) {
  for (auto it = election_peers_.begin(); it != election_peers_.end(); ++it)
    if (it->second.get() == &peer) {
      std::shared_ptr<net::Peer> keep = it->second;
      election_peers_.erase(it);
      keep->close({});
      break;
    }
  not_primary(p);
}

bool MasterState::on_master_closed(net::Peer& peer) {
  if (primary_peer_ && &peer == primary_peer_.get()) {
    primary_peer_.reset();
    if (stopping_ || role_ != Role::Secondary) return true;
    SPDLOG_ERROR("primary master {} is down", node::format_address(primary_address_));
    // As NEO/py: no other master is connected to us, all are DOWN until
    // they identify again (the dead primary keeps its id, so it is reported).
    for (Node* node : nm_.list(NodeType::Master))
      if (node != self_) nm_.set_state(*node, NodeState::Down);
    primary_address_.reset();
    play_primary();
    return true;
  }
  for (auto it = election_peers_.begin(); it != election_peers_.end(); ++it)
    if (it->second.get() == &peer) {
      election_peers_.erase(it);
      return true;
    }
  return false;
}

void MasterState::become_secondary(const protocol::Address& primary) {
  SPDLOG_INFO("{}: play the secondary role, the primary master is {}", to_string(nid_),
              node::format_address(primary));
  role_ = Role::Secondary;
  phase_ = Phase::Idle;
  ++generation_;
  cluster_state_.reset();
  waiting_.clear();
  waiting_then_ = {};
  drop_connections();
  if (!nm_.by_address(primary))
    (void)nm_.create(NodeType::Master, std::nullopt, primary, NodeState::Down);
  primary_address_ = primary;
  connect_to_primary(primary);
}

// Secondary role: every connection is closed, storages and masters are
// DOWN, other nodes forgotten.
void MasterState::drop_connections() {
  std::vector<std::shared_ptr<net::Peer>> to_close;
  for (auto& [key, peer] : peers_) to_close.push_back(peer);
  for (auto& [key, peer] : election_peers_) to_close.push_back(peer);
  // A previous primary's connection is detached before it is closed: its
  // closure must not count as the loss of the primary we now turn to.
  if (primary_peer_) to_close.push_back(std::exchange(primary_peer_, nullptr));
  peers_.clear();
  node_of_peer_.clear();
  election_peers_.clear();
  outstanding_.clear();
  starting_.clear();
  ready_.clear();
  for (Node* node : nm_.list()) {
    node->identified = false;
    if (node == self_) continue;
    if (node->type() == NodeType::Storage || node->type() == NodeType::Master)
      nm_.set_state(*node, NodeState::Down);
    else
      nm_.remove(*node);
  }
  for (auto& peer : to_close) peer->close({});
}

void MasterState::connect_to_primary(const protocol::Address& primary) {
  primary_peer_ = hooks_.connect(net::Address{primary.host, primary.port});
  if (!primary_peer_) return;
  primary_peer_->ask(
      master_request(std::nullopt),
      [weak = weak_from_this(), asked = primary_peer_.get()](
          Result<protocol::AcceptIdentification> a, std::string_view message) {
        auto self = weak.lock();
        // Only the answer of the current primary's connection counts.
        if (!self || self->role_ != Role::Secondary || self->primary_peer_.get() != asked) return;
        if (!a || !a->your_nid) {
          SPDLOG_WARN("the primary master refused us: {} {}", a.error().message(), message);
          if (self->primary_peer_) self->primary_peer_->close({});
          return;
        }
        if (*a->your_nid != self->nid_) {
          if (Node* other = self->nm_.by_nid(*a->your_nid); other && other != self->self_)
            self->nm_.remove(*other);
          (void)self->nm_.set_nid(*self->self_, *a->your_nid);
          self->nid_ = *a->your_nid;
          log::set_node(self->config_.cluster, self->nid_);
        }
        SPDLOG_INFO("connected to a primary master node");
      });
}

// Secondary role: the primary stops the cluster.
void MasterState::primary_cluster_state(ClusterState state) {
  if (state != ClusterState::Stopping) return;
  SPDLOG_INFO("the primary master stops the cluster: exiting");
  stopping_ = true;
  hooks_.exit(0);
}

// Secondary role: the masters as the primary sees them; exits if it says
// we are DOWN (killed).
void MasterState::primary_nodes(const protocol::NotifyNodeInformation& p) {
  for (const protocol::NodeInfo& info : p.node_list) {
    if (info.node_type != NodeType::Master) continue;
    if (info.nid == nid_ && info.state == NodeState::Down) {
      SPDLOG_INFO("killed by the primary master: exiting");
      stopping_ = true;
      return hooks_.exit(0);
    }
    learn_master(info);
  }
}

// Secondary role: the primary's view of a master (id, address, state), so
// that if this node plays primary later it reports them as they were (the
// dead primary DOWN with its id), as NEO/py's secondary applies them.
void MasterState::learn_master(const protocol::NodeInfo& info) {
  Node* by_nid = info.nid ? nm_.by_nid(*info.nid) : nullptr;
  Node* by_addr = info.address ? nm_.by_address(*info.address) : nullptr;
  if (by_nid == self_ || by_addr == self_ || (by_addr && by_addr->type() != NodeType::Master))
    return;
  if (by_nid && by_nid != by_addr) {
    if (by_addr || !info.address) {  // the id moved to another master
      if (by_nid->address())
        (void)nm_.set_nid(*by_nid, std::nullopt);
      else
        nm_.remove(*by_nid);
      by_nid = nullptr;
    } else {  // the master moved
      if (nm_.set_address(*by_nid, info.address)) return;
      by_addr = by_nid;
    }
  }
  Node* node = by_addr ? by_addr : by_nid;
  if (!node) {
    if (info.state == NodeState::Unknown) return;
    Result<Node*> created = nm_.create(NodeType::Master, info.nid, info.address, info.state);
    if (!created) return;
    node = *created;
  } else if (info.nid && nm_.set_nid(*node, info.nid)) {
    return;
  }
  if (node->state() != info.state)
    SPDLOG_DEBUG("{} {} -> {} (from the primary)", to_string(info.nid),
                 protocol::to_string(node->state()), protocol::to_string(info.state));
  nm_.set_state(*node, info.state);
}

// Secondary role: every node is sent to the primary.
void MasterState::secondary_identify(net::Peer& peer, const protocol::RequestIdentification& r) {
  if (r.name != config_.cluster) {
    return refuse(peer, {errc::protocol_error, "invalid cluster name"});
  }
  protocol::NotPrimaryMaster answer;
  for (const Node* node : nm_.list(NodeType::Master)) {
    if (!node->address()) continue;
    if (primary_address_ && *node->address() == *primary_address_ &&
        !(r.address && *r.address == *primary_address_))
      answer.primary = static_cast<std::int64_t>(answer.known_master_list.size());
    answer.known_master_list.push_back(*node->address());
  }
  peer.notify(answer);
  peer.abort({});
}

}  // namespace neo::master
