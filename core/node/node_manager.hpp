// core/node/node_manager.hpp
// The nodes a NEO node knows (masters, storages, clients, admins): id,
// listening address, state, identification timestamp, indexed by id and by
// address. The primary master owns the reference view and allocates ids;
// other nodes apply its NotifyNodeInformation broadcasts.
// Pure data: no I/O, no logging; connections are kept by the application
// (Node::key identifies a node for that). Use from one thread.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "core/protocol/enums.hpp"
#include "core/protocol/packets.hpp"
#include "core/util/error.hpp"
#include "core/util/ids.hpp"

namespace neo::node {

using protocol::Address;
using protocol::NodeState;
using protocol::NodeType;

class NodeManager;

class Node {
 public:
  // Unique in its manager, never reused: a handle for the application's
  // own maps (connections...), valid even for nodes without id.
  std::uint64_t key() const { return key_; }
  NodeType type() const { return type_; }
  const std::optional<NodeId>& nid() const { return nid_; }
  const std::optional<Address>& address() const { return address_; }
  NodeState state() const { return state_; }
  bool is_running() const { return state_ == NodeState::Running; }
  bool is_pending() const { return state_ == NodeState::Pending; }
  bool is_down() const { return state_ == NodeState::Down; }

  // The master's clock when the node identified (nil for the primary master
  // itself and for nodes that never identified).
  std::optional<double> id_timestamp;
  // Master: the storage's topology path (RequestIdentification extra.devpath).
  std::vector<std::string> devpath;
  // Set by the application while the node has an identified connection.
  bool identified = false;

  // The node_info of NotifyNodeInformation / AnswerNodeList.
  protocol::NodeInfo info() const;

 private:
  friend class NodeManager;
  Node(std::uint64_t key, NodeType type) : key_(key), type_(type) {}

  std::uint64_t key_;
  NodeType type_;
  std::optional<NodeId> nid_;
  std::optional<Address> address_;
  NodeState state_ = NodeState::Down;
};

class NodeManager {
 public:
  // Seconds since the epoch (time.time()); injected so tests control it.
  using Clock = std::function<double()>;

  // `clock` defaults to the system clock.
  explicit NodeManager(Clock clock = {});
  NodeManager(const NodeManager&) = delete;
  NodeManager& operator=(const NodeManager&) = delete;

  // ---- Lookups (pointers stay valid until the node is removed) ----------
  Node* by_nid(NodeId nid);
  const Node* by_nid(NodeId nid) const;
  Node* by_address(const Address& address);
  const Node* by_address(const Address& address) const;
  // The state of a node, NodeState::Unknown if it is not known (the
  // partition table's NodeStateFn).
  NodeState state_of(NodeId nid) const;
  // Nodes in the order they were added; optionally of one type / state.
  std::vector<Node*> list() const;
  std::vector<Node*> list(NodeType type) const;
  std::vector<Node*> list(NodeType type, NodeState state) const;
  std::vector<Node*> by_state(NodeState state) const;
  std::size_t size() const { return nodes_.size(); }

  // ---- Changes -----------------------------------------------------------
  // Returns the node known by `nid` or `address` (completing its missing id
  // or address), or a new one in `state` (not Unknown). errc::invalid_argument
  // if they designate two nodes, or a node with another id/address/type.
  Result<Node*> create(NodeType type, std::optional<NodeId> nid, std::optional<Address> address,
                       NodeState state = NodeState::Down);
  // Re-index a node. errc::invalid_argument (nothing changed) if another
  // node has this id / address.
  std::error_code set_nid(Node& node, std::optional<NodeId> nid);
  std::error_code set_address(Node& node, std::optional<Address> address);
  // NodeState::Unknown removes the node (`node` then dangles).
  void set_state(Node& node, NodeState state);
  void remove(Node& node);
  // Forgets every node and the last notification timestamp.
  void clear();
  // Called when a master's address appears (a master created with an
  // address), changes (set_address) or goes (removal): what keeps the
  // -D/--dynamic-master-list file up to date. clear() does not call it.
  using MasterAddressFn =
      std::function<void(const std::optional<Address>& old, const std::optional<Address>& now)>;
  void on_master_address(MasterAddressFn fn) { master_address_fn_ = std::move(fn); }

  // ---- Receiving NotifyNodeInformation -----------------------------------
  struct ApplyOptions {
    std::optional<NodeId> own_nid{};  // our id: its id_timestamp is reported
    // First notification after identifying to the master: it lists every
    // node we must know, the others are forgotten...
    bool full = false;
    // ...except storages still in our partition table: called for each
    // unlisted storage, forgotten if it returns true (pt.drop_node()).
    std::function<bool(NodeId)> forget_storage{};
  };
  struct Applied {
    // Nodes forgotten (UNKNOWN, or unlisted in a full notification), as they
    // were: close their connections; for UNKNOWN storages, drop them from
    // the partition table.
    std::vector<protocol::NodeInfo> removed{};
    std::optional<double> own_id_timestamp{};  // when own_nid was listed
    bool own_listed = false;
  };
  // errc::protocol_error if `timestamp` is not greater than the last one
  // (nothing changed) or an entry contradicts what is known (a node of
  // another type; ids and addresses of two nodes mixed outside a full
  // notification): entries before it are applied.
  Result<Applied> apply(double timestamp, std::span<const protocol::NodeInfo> nodes,
                        const ApplyOptions& options);
  double last_timestamp() const { return last_received_; }

  // A storage checking a peer that identifies with (nid, id_timestamp):
  // Known if the master announced it so; Later if the master's announcement
  // may not have arrived yet (delay the identification); Unknown otherwise
  // (NOT_READY "unknown by master").
  enum class Check { Known, Later, Unknown };
  Check check_identification(NodeId nid, double id_timestamp) const;

  // ---- Primary master ----------------------------------------------------
  // The id to give a node identifying with `proposed` and `address`
  // (spec 5.2): the proposed id if it is not `own` and is free or held by a
  // node with the same address; else the smallest free counter of the type's
  // namespace (or held by a node with the same non-nil address).
  // errc::invalid_argument if the namespace is full.
  Result<NodeId> allocate_nid(NodeType type, std::optional<NodeId> proposed,
                              const std::optional<Address>& address,
                              std::optional<NodeId> own) const;
  // The time for a notification or an id_timestamp: the clock, forced to
  // increase strictly (NEO/py adds 1 ms to the last value when the clock
  // did not advance).
  double next_timestamp();

  // node_info of the nodes accepted by `filter` (all when empty), in list() order.
  std::vector<protocol::NodeInfo> infos(const std::function<bool(const Node&)>& filter = {}) const;

 private:
  using AddressKey = std::pair<std::string, std::uint16_t>;
  static AddressKey key_of(const Address& address) { return {address.host, address.port}; }
  Node* find_key(std::uint64_t key) const;

  void master_address_changed(const Node& node, const std::optional<Address>& old) const;

  Clock clock_;
  MasterAddressFn master_address_fn_;
  std::uint64_t next_key_ = 1;
  std::map<std::uint64_t, std::unique_ptr<Node>> nodes_;  // by key = insertion order
  std::map<NodeId, Node*> by_nid_;
  std::map<AddressKey, Node*> by_address_;
  double last_received_ = 0;   // last NotifyNodeInformation timestamp applied
  double last_generated_ = 0;  // last next_timestamp()
};

// NEO/py's formatNodeList: one line per node, sorted by id (nodes without
// id last, by address), columns padded to their widest value:
// "S1 | STORAGE | 127.0.0.1:21110 | RUNNING | 2026-11-22 03:49:16.361737".
// Each line starts with `prefix`.
std::vector<std::string> format_node_list(std::span<const protocol::NodeInfo> nodes,
                                          std::string_view prefix = {});
// `neoctl print node` output: the lines joined by '\n', or "Empty list!".
std::string format_print_node(std::span<const protocol::NodeInfo> nodes);
// "host:port", "[host]:port" for IPv6, "" for none (formatAddress).
std::string format_address(const std::optional<Address>& address);
// str(datetime.utcfromtimestamp(t)): "2026-11-22 03:49:16.361737", or
// without the fraction when it rounds to 0 microseconds.
std::string format_utc(double unix_time);

}  // namespace neo::node
