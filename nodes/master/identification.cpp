// MasterState: RequestIdentification from storages, admins, clients and
// masters (NEO/py neo/master/handlers/identification.py).
#include <spdlog/spdlog.h>

#include "nodes/master/master_state.hpp"

namespace neo::master {

using node::Node;
using node::NodeState;

namespace {

const protocol::Value* extra_value(const protocol::RequestIdentification& r, std::string_view key) {
  for (const auto& [k, v] : r.extra)
    if (k == key) return &v;
  return nullptr;
}

std::string text_of(const protocol::Value& v) {
  if (auto* b = v.get_if<protocol::Value::Bin>()) return b->bytes;
  if (auto* s = v.get_if<protocol::Value::Str>()) return s->text;
  return {};
}

std::vector<std::string> devpath_of(const protocol::RequestIdentification& r) {
  std::vector<std::string> out;
  if (const protocol::Value* v = extra_value(r, "devpath"))
    if (auto* items = v->get_if<protocol::Value::Array>())
      for (const protocol::Value& item : *items) out.push_back(text_of(item));
  return out;
}

constexpr std::size_t kMaxText = 255;  // an address's host, a devpath item
constexpr std::size_t kMaxDevpath = 16;

bool valid_devpath(const protocol::RequestIdentification& r) {
  const protocol::Value* v = extra_value(r, "devpath");
  if (!v || v->is_nil()) return true;
  auto* items = v->get_if<protocol::Value::Array>();
  if (!items || items->size() > kMaxDevpath) return false;
  for (const protocol::Value& item : *items) {
    const bool text = item.get_if<protocol::Value::Bin>() || item.get_if<protocol::Value::Str>();
    if (!text || text_of(item).size() > kMaxText) return false;
  }
  return true;
}

// extra.new_nid: the partitions of a storage cloned with --new-nid; none
// if absent, nil or empty (NEO/py's `not new_nid`); errc::protocol_error
// unless it is a list of distinct partitions of the table.
Result<std::vector<std::uint32_t>> new_nid_of(const protocol::RequestIdentification& r,
                                              std::uint32_t partitions) {
  std::vector<std::uint32_t> out;
  const protocol::Value* v = extra_value(r, "new_nid");
  if (!v || v->is_nil()) return out;
  auto* items = v->get_if<protocol::Value::Array>();
  if (!items || items->size() > partitions) return make_error_code(errc::protocol_error);
  std::vector<bool> seen(partitions);
  for (const protocol::Value& item : *items) {
    std::uint64_t offset = partitions;
    if (auto* u = item.get_if<std::uint64_t>()) offset = *u;
    if (auto* i = item.get_if<std::int64_t>(); i && *i >= 0)
      offset = static_cast<std::uint64_t>(*i);
    if (offset >= partitions || seen[offset]) return make_error_code(errc::protocol_error);
    seen[offset] = true;
    out.push_back(static_cast<std::uint32_t>(offset));
  }
  return out;
}

// Why `r` is refused whatever the master's state, or "" (issue 20: what a
// hostile or broken peer may send).
std::string invalid_request(const protocol::RequestIdentification& r, std::uint32_t partitions) {
  if (r.nid &&
      (node_type_of(*r.nid) != static_cast<int>(r.node_type) || (r.nid->value & 0xffffff) == 0))
    return "invalid node id " + to_string(*r.nid) + " for a " +
           std::string(protocol::to_string(r.node_type));
  const bool listens = r.node_type == NodeType::Master || r.node_type == NodeType::Storage;
  if (r.address && (r.address->host.empty() || r.address->host.size() > kMaxText ||
                    (listens && r.address->port == 0)))
    return "invalid address";
  if (!r.address && r.node_type == NodeType::Master) return "a master must have an address";
  Result<std::vector<std::uint32_t>> new_nid = new_nid_of(r, partitions);
  if (!new_nid) return "invalid new_nid: not a list of distinct partitions";
  if (!new_nid->empty() && (r.node_type != NodeType::Storage || r.address || r.nid))
    return "new_nid is only for a new storage without address";
  if (!valid_devpath(r)) return "invalid devpath";
  return {};
}

// At most this many masters at addresses not configured are remembered,
// and this many storages cloned with new_nid that never started.
constexpr std::size_t kMaxUnknownMasters = 4;
constexpr std::ptrdiff_t kMaxNewClones = 4;

}  // namespace

// Logged at most a few times per period (a flood of refused peers).
void MasterState::refuse(net::Peer& peer, const Refusal& refusal) {
  std::string more;
  if (refused_log_.allow(more))
    SPDLOG_WARN("{}: identification refused: {} {}{}", peer.describe(), errc_name(refusal.code),
                refusal.message, more);
  peer.answer_error(refusal.code, refusal.message);
  peer.abort(make_error_code(refusal.code));
}

// The node a peer identifies as (NEO/py's lookup loop): the node known by
// id and/or address when they agree and it is not connected; nullptr for a
// new node. `nid` is cleared when a temporary id must be replaced.
Result<Node*> MasterState::find_identifying(const protocol::RequestIdentification& r,
                                            std::optional<NodeId>& nid, Refusal& refusal) {
  Node* node = nid ? nm_.by_nid(*nid) : nullptr;
  Node* by_addr = r.address ? nm_.by_address(*r.address) : nullptr;
  const bool temporary = nid && nid->value < 0;  // masters, clients, admins
  if (by_addr) {
    if (!by_addr->identified && (node == by_addr || !node || temporary)) return by_addr;
  } else if (node) {
    if (!node->identified) {
      if (node == self_) return static_cast<Node*>(nullptr);
      (void)nm_.set_address(*node, r.address);
      return node;
    }
    if (temporary) {
      nid.reset();
      return static_cast<Node*>(nullptr);
    }
  } else {
    return static_cast<Node*>(nullptr);
  }
  refusal = {errc::protocol_error, "already connected"};
  return make_error_code(errc::protocol_error);
}

void MasterState::identify(net::Peer& peer, const protocol::RequestIdentification& r) {
  if (r.name != config_.cluster)  // NEO/py logs 'reject an alien cluster'
    return refuse(peer, {errc::protocol_error, "invalid cluster name"});
  if (std::string why = invalid_request(r, pt_.num_partitions()); !why.empty())
    return refuse(peer, {errc::protocol_error, why});
  if (r.address && r.address->host == config_.bind.host && r.address->port == config_.bind.port)
    return refuse(peer, {errc::protocol_error, "address conflict"});
  if (stopping_) return refuse(peer, {errc::not_ready, "Retry Later"});
  std::optional<NodeId> nid = r.nid;
  Refusal refusal{};
  Result<Node*> found = find_identifying(r, nid, refusal);
  if (!found) return refuse(peer, refusal);
  if (r.node_type == NodeType::Master && election_active() && loses_against(r)) {
    SPDLOG_INFO("{} started playing primary before us", node::format_address(r.address));
    peer.abort({});
    return become_secondary(*r.address);
  }
  NodeState state = NodeState::Running;
  if (std::optional<Refusal> refused = new_state_of(r, *found, state))
    return refuse(peer, *refused);
  accept(peer, r, *found, nid, state);
}

// The state of a node identifying as `r` (node: the one it is, if known),
// or why it is refused.
std::optional<MasterState::Refusal> MasterState::new_state_of(
    const protocol::RequestIdentification& r, const Node* node, NodeState& state) const {
  switch (r.node_type) {
    case NodeType::Client:
      if (cluster_state_ == ClusterState::BackingUp) {
        if (!client_read_only(r))
          return Refusal{errc::read_only_access,
                         "read-only access because cluster is in backuping mode"};
        break;
      }
      if (cluster_state_ != ClusterState::Running) return Refusal{errc::not_ready, "Retry Later"};
      break;
    case NodeType::Storage: {
      if (cluster_state_ == ClusterState::StoppingBackup)
        return Refusal{errc::not_ready, "Retry Later"};
      if (election_active() && first_election_round_ && !election_peers_.empty())
        return Refusal{errc::not_ready, "Retry Later"};  // maybe not the primary
      const bool known = r.nid && node;
      state = phase_ == Phase::Recovery || !known ? NodeState::Pending : NodeState::Running;
      if (!r.address) {
        if (phase_ == Phase::Recovery) return Refusal{errc::not_ready, "Retry Later"};
        if (r.nid || new_nid_of(r, pt_.num_partitions())->empty())
          return Refusal{errc::protocol_error, "a storage without address must be a new clone"};
        if (std::ranges::count_if(nm_.list(NodeType::Storage),
                                  [](const Node* n) { return !n->address(); }) >= kMaxNewClones)
          return Refusal{errc::protocol_error, "too many new clones that never started"};
        state = NodeState::Down;
      }
      break;
    }
    case NodeType::Admin:
    case NodeType::Master: break;
  }
  return std::nullopt;
}

void MasterState::accept(net::Peer& peer, const protocol::RequestIdentification& r, Node* node,
                         std::optional<NodeId> nid, NodeState state) {
  if (!node && r.node_type == NodeType::Master && !make_room_for_master(*r.address))
    return refuse(peer, {errc::protocol_error, "too many masters not configured"});
  Result<NodeId> allocated = nm_.allocate_nid(r.node_type, nid, r.address, nid_);
  if (!allocated) return refuse(peer, {errc::protocol_error, "no node id left"});
  if (!node) {
    Result<Node*> created = nm_.create(r.node_type, *allocated, r.address, state);
    if (!created) return refuse(peer, {errc::protocol_error, "already connected"});
    node = *created;
  } else if (nm_.set_nid(*node, *allocated)) {
    return refuse(peer, {errc::protocol_error, "already connected"});
  }
  SPDLOG_INFO("Accept a{} {} ({}): {} at {}", r.node_type == NodeType::Admin ? "n" : "",
              protocol::to_string(r.node_type), protocol::to_string(state), to_string(*allocated),
              r.address ? node::format_address(r.address) : peer.address());
  if (r.node_type == NodeType::Storage) node->devpath = devpath_of(r);
  if (r.node_type == NodeType::Client) set_client_flags(*node, r);
  node->id_timestamp = nm_.next_timestamp();
  nm_.set_state(*node, state);
  broadcast_nodes({node});
  const std::vector<std::uint32_t> new_nid = *new_nid_of(r, pt_.num_partitions());  // checked
  if (!new_nid.empty()) {
    SPDLOG_INFO("{}: new clone, OUT_OF_DATE in {} partitions", to_string(*allocated),
                new_nid.size());
    std::vector<protocol::CellChange> cells;
    for (std::uint32_t offset : new_nid) {
      pt_.set_cell(offset, *allocated, pt::CellState::OutOfDate);
      cells.push_back({offset, *allocated, pt::CellState::OutOfDate});
    }
    broadcast_pt(cells);
  }
  node->identified = true;
  peers_[node->key()] = peer.shared_from_this();
  node_of_peer_[&peer] = node->key();
  peer.set_nid(*allocated);
  peer.answer(protocol::AcceptIdentification{NodeType::Master, nid_, *allocated});
  send_node_information(peer, *node);
  handler_switched(peer, *node, true);
}

// extra.read_only (default: whether extra has "backup").
bool MasterState::client_read_only(const protocol::RequestIdentification& r) {
  const bool backup = extra_value(r, "backup") != nullptr;
  const protocol::Value* ro = extra_value(r, "read_only");
  const bool* flag = ro ? ro->get_if<bool>() : nullptr;
  return ro ? (flag ? *flag : !ro->is_nil()) : backup;
}

// extra.read_only, extra.backup.
void MasterState::set_client_flags(const Node& node, const protocol::RequestIdentification& r) {
  const bool backup = extra_value(r, "backup") != nullptr;
  if (client_read_only(r))
    read_only_.insert(node.key());
  else
    read_only_.erase(node.key());
  if (backup)
    backup_clients_.insert(node.key());
  else
    backup_clients_.erase(node.key());
}

void MasterState::handler_switched(net::Peer& peer, Node& node, bool is_new) {
  if (node.type() == NodeType::Master) return;  // secondaries get no table
  if (node.type() == NodeType::Storage && phase_ == Phase::Recovery) {
    recovery_storage(peer, node);
    return;
  }
  if (is_new || node.type() == NodeType::Storage)
    peer.notify(protocol::SendPartitionTable{pt_.ptid(), pt_.num_replicas(), pt_.row_list()});
  if (node.type() == NodeType::Storage && phase_ == Phase::Running && node.is_running())
    start_storage(node);
}

// NEO/py remembers every master that identified; here, those at an
// address not configured (-m, -D) are at most kMaxUnknownMasters: the
// oldest DOWN one is forgotten (UNKNOWN broadcast) to make room for one at
// `address`; false if none can be.
bool MasterState::make_room_for_master(const protocol::Address& address) {
  auto configured = [&](const std::optional<protocol::Address>& a) {
    return a && std::ranges::find(config_.masters, net::Address{a->host, a->port}) !=
                    config_.masters.end();
  };
  if (configured(address)) return true;
  std::vector<Node*> unknown;
  for (Node* node : nm_.list(NodeType::Master))
    if (node != self_ && !configured(node->address())) unknown.push_back(node);
  if (unknown.size() < kMaxUnknownMasters) return true;
  for (Node* node : unknown) {
    if (node->identified || !node->is_down() || election_peers_.count(node->key())) continue;
    SPDLOG_INFO("{}: master at {} not configured, forgotten for {}", to_string(node->nid()),
                node::format_address(node->address()), node::format_address(address));
    protocol::NodeInfo info = node->info();
    info.state = NodeState::Unknown;
    nm_.set_state(*node, NodeState::Unknown);
    broadcast_infos({info});
    return true;
  }
  return false;
}

}  // namespace neo::master
