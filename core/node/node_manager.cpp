#include "core/node/node_manager.hpp"

#include <algorithm>
#include <chrono>
#include <set>

namespace neo::node {

protocol::NodeInfo Node::info() const {
  return {.node_type = type_,
          .address = address_,
          .nid = nid_,
          .state = state_,
          .id_timestamp = id_timestamp};
}

NodeManager::NodeManager(Clock clock) : clock_(std::move(clock)) {
  if (!clock_) {
    clock_ = [] {
      using namespace std::chrono;
      return duration<double>(system_clock::now().time_since_epoch()).count();
    };
  }
}

Node* NodeManager::by_nid(NodeId nid) {
  auto it = by_nid_.find(nid);
  return it == by_nid_.end() ? nullptr : it->second;
}

const Node* NodeManager::by_nid(NodeId nid) const {
  return const_cast<NodeManager*>(this)->by_nid(nid);
}

Node* NodeManager::by_address(const Address& address) {
  auto it = by_address_.find(key_of(address));
  return it == by_address_.end() ? nullptr : it->second;
}

const Node* NodeManager::by_address(const Address& address) const {
  return const_cast<NodeManager*>(this)->by_address(address);
}

NodeState NodeManager::state_of(NodeId nid) const {
  const Node* node = by_nid(nid);
  return node ? node->state() : NodeState::Unknown;
}

std::vector<Node*> NodeManager::list() const {
  std::vector<Node*> result;
  for (const auto& [key, node] : nodes_) result.push_back(node.get());
  return result;
}

std::vector<Node*> NodeManager::list(NodeType type) const {
  std::vector<Node*> result;
  for (const auto& [key, node] : nodes_) {
    if (node->type() == type) result.push_back(node.get());
  }
  return result;
}

std::vector<Node*> NodeManager::list(NodeType type, NodeState state) const {
  std::vector<Node*> result;
  for (const auto& [key, node] : nodes_) {
    if (node->type() == type && node->state() == state) result.push_back(node.get());
  }
  return result;
}

std::vector<Node*> NodeManager::by_state(NodeState state) const {
  std::vector<Node*> result;
  for (const auto& [key, node] : nodes_) {
    if (node->state() == state) result.push_back(node.get());
  }
  return result;
}

Node* NodeManager::find_key(std::uint64_t key) const {
  auto it = nodes_.find(key);
  return it == nodes_.end() ? nullptr : it->second.get();
}

Result<Node*> NodeManager::create(NodeType type, std::optional<NodeId> nid,
                                  std::optional<Address> address, NodeState state) {
  Node* by_addr = address ? by_address(*address) : nullptr;
  Node* by_id = nid ? by_nid(*nid) : nullptr;
  if (!by_addr && !by_id) {
    if (state == NodeState::Unknown) return errc::invalid_argument;
    const std::uint64_t key = next_key_++;
    Node* node =
        nodes_.emplace(key, std::unique_ptr<Node>(new Node(key, type))).first->second.get();
    node->state_ = state;
    node->nid_ = nid;
    node->address_ = address;
    if (nid) by_nid_[*nid] = node;
    if (address) by_address_[key_of(*address)] = node;
    master_address_changed(*node, std::nullopt);
    return node;
  }
  if (by_addr && by_id && by_addr != by_id) return errc::invalid_argument;
  Node* node = by_addr ? by_addr : by_id;
  if (node->type() != type) return errc::invalid_argument;
  if (nid && node->nid_ && node->nid_ != nid) return errc::invalid_argument;
  if (address && node->address_ && node->address_ != address) return errc::invalid_argument;
  if (nid && !node->nid_) (void)set_nid(*node, nid);
  if (address && !node->address_) (void)set_address(*node, address);
  return node;
}

std::error_code NodeManager::set_nid(Node& node, std::optional<NodeId> nid) {
  if (node.nid_ == nid) return {};
  if (nid) {
    Node* other = by_nid(*nid);
    if (other && other != &node) return errc::invalid_argument;
  }
  if (node.nid_) by_nid_.erase(*node.nid_);
  node.nid_ = nid;
  if (nid) by_nid_[*nid] = &node;
  return {};
}

std::error_code NodeManager::set_address(Node& node, std::optional<Address> address) {
  if (node.address_ == address) return {};
  if (address) {
    Node* other = by_address(*address);
    if (other && other != &node) return errc::invalid_argument;
  }
  if (node.address_) by_address_.erase(key_of(*node.address_));
  const std::optional<Address> old = std::move(node.address_);
  node.address_ = std::move(address);
  if (node.address_) by_address_[key_of(*node.address_)] = &node;
  master_address_changed(node, old);
  return {};
}

void NodeManager::master_address_changed(const Node& node, const std::optional<Address>& old) const {
  if (master_address_fn_ && node.type() == NodeType::Master && old != node.address_)
    master_address_fn_(old, node.address_);
}

void NodeManager::set_state(Node& node, NodeState state) {
  if (state == NodeState::Unknown) {
    remove(node);
  } else {
    node.state_ = state;
  }
}

void NodeManager::remove(Node& node) {
  if (node.nid_) by_nid_.erase(*node.nid_);
  if (node.address_) by_address_.erase(key_of(*node.address_));
  if (master_address_fn_ && node.type() == NodeType::Master && node.address_)
    master_address_fn_(node.address_, std::nullopt);
  nodes_.erase(node.key_);
}

void NodeManager::clear() {
  nodes_.clear();
  by_nid_.clear();
  by_address_.clear();
  last_received_ = 0;
}

Result<NodeManager::Applied> NodeManager::apply(double timestamp,
                                                std::span<const protocol::NodeInfo> nodes,
                                                const ApplyOptions& options) {
  if (!(last_received_ < timestamp)) return errc::protocol_error;
  last_received_ = timestamp;
  Applied applied;
  std::set<std::uint64_t> listed;
  for (const protocol::NodeInfo& info : nodes) {
    Node* node_by_nid = info.nid ? by_nid(*info.nid) : nullptr;
    Node* node_by_addr = info.address ? by_address(*info.address) : nullptr;
    Node* node = node_by_addr ? node_by_addr : node_by_nid;
    if (!node) {
      if (info.state == NodeState::Unknown) continue;  // forgetting a node we did not know
      node = create(info.node_type, info.nid, info.address, info.state).value();
    } else {
      if (node->type() != info.node_type) return errc::protocol_error;
      if (node_by_nid && node_by_addr && node_by_nid != node_by_addr) {
        // The id moved to the node at this address (a full list fixes
        // what an older connection left).
        if (!options.full) return errc::protocol_error;
        (void)set_nid(*node_by_nid, std::nullopt);
      }
      if (info.state == NodeState::Unknown) {
        applied.removed.push_back(node->info());
        remove(*node);
        continue;
      }
      (void)set_nid(*node, info.nid);
      (void)set_address(*node, info.address);
      node->state_ = info.state;
    }
    node->id_timestamp = info.id_timestamp;
    if (options.own_nid && info.nid == options.own_nid) {
      applied.own_listed = true;
      applied.own_id_timestamp = info.id_timestamp;
    }
    listed.insert(node->key());
  }
  if (options.full) {
    for (Node* node : list()) {
      if (listed.contains(node->key())) continue;
      if (node->type() == NodeType::Storage && node->nid() && options.forget_storage &&
          !options.forget_storage(*node->nid())) {
        continue;
      }
      applied.removed.push_back(node->info());
      remove(*node);
    }
  }
  return applied;
}

NodeManager::Check NodeManager::check_identification(NodeId nid, double id_timestamp) const {
  const Node* node = by_nid(nid);
  if (node && node->id_timestamp == id_timestamp) return Check::Known;
  return last_received_ < id_timestamp ? Check::Later : Check::Unknown;
}

Result<NodeId> NodeManager::allocate_nid(NodeType type, std::optional<NodeId> proposed,
                                         const std::optional<Address>& address,
                                         std::optional<NodeId> own) const {
  if (proposed && proposed != own) {
    const Node* node = by_nid(*proposed);
    if (!node || node->address() == address) return *proposed;
  }
  for (std::uint32_t counter = 1; counter <= 0xffffff; ++counter) {
    const NodeId nid = make_node_id(static_cast<int>(type), counter);
    const Node* node = by_nid(nid);
    if (!node || (address && node->address() == address)) return nid;
  }
  return errc::invalid_argument;
}

double NodeManager::next_timestamp() {
  const double now = clock_();
  if (last_generated_ < now) {
    last_generated_ = now;
  } else {
    last_generated_ += 1e-3;
  }
  return last_generated_;
}

std::vector<protocol::NodeInfo> NodeManager::infos(
    const std::function<bool(const Node&)>& filter) const {
  std::vector<protocol::NodeInfo> result;
  for (const auto& [key, node] : nodes_) {
    if (!filter || filter(*node)) result.push_back(node->info());
  }
  return result;
}

}  // namespace neo::node
