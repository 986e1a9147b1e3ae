// nodes/master/recovery.hpp
// The bookkeeping and decisions of the RECOVERING state (NEO/py's
// RecoveryManager): which storage to ask for its partition table (the one
// with the highest ptid; the next one with that ptid if it leaves), when
// the cluster may leave recovery and with which storages, and (truncating)
// which storages did not record the truncation.
// Pure logic: no I/O, no logging. Owned by Master; use from one thread.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include "core/protocol/packets.hpp"
#include "core/util/ids.hpp"

namespace neo::master {

class Recovery {
 public:
  // Forgets everything (a new recovery begins).
  void reset();

  // A storage answered AskRecovery: true if it must now be asked for its
  // partition table (AskPartitionTable).
  bool answered(NodeId nid, const protocol::AnswerRecovery& answer);
  // AnswerPartitionTable with `ptid`: true if it is the table awaited (load
  // it); the recovery then asks no other node.
  bool take_table(std::optional<std::int64_t> ptid);
  // A storage left. If it was the one asked for the table, returns the next
  // node to ask (none: `waiting_lost` tells whether nobody has that table).
  std::optional<NodeId> lost(NodeId nid);
  bool waiting_lost() const { return ask_pt_ && ask_pt_->empty() && target_ptid_ > 0; }
  std::int64_t target_ptid() const { return target_ptid_; }
  std::optional<Tid> backup_tid(NodeId nid) const;
  // The backup TIDs recorded by the storages that answered (with one).
  std::map<NodeId, Tid> backup_tids() const;
  std::optional<Tid> truncate_tid(NodeId nid) const;
  // The nodes that answered AskRecovery without recording a truncation at
  // `tid` (none, or a later one): they must be sent Truncate again.
  std::vector<NodeId> untruncated(Tid tid) const;

  // What the decision needs to know.
  struct Input {
    bool pt_filled = false;
    // A storage announced a newer table than the one loaded (or none is
    // loaded yet): it is being fetched, or its holder is awaited.
    bool table_awaited = false;
    // getOperationalNodeSet: nodes with readable cells, empty if some
    // partition has no readable cell on a PENDING (connected) node.
    std::set<NodeId> operational{};
    // Truncating (after this TID): every node with cells must be back.
    std::optional<Tid> truncate_tid{};
    std::set<NodeId> pt_nodes{};                    // the nodes with cells (any state)
    std::function<bool(NodeId)> is_pending{};       // node state PENDING (connected)
    bool startup_allowed = false;                   // neoctl start
    std::optional<std::int64_t> autostart{};        // -A
    std::vector<NodeId> identified_storages{};      // connected storages, node-manager order
    std::function<bool(NodeId)> has_outstanding{};  // a request to it is unanswered
    std::vector<NodeId> connected_members{};        // pt members that are connected
  };
  // The storages to start the cluster with, or nothing if recovery must go on.
  static std::optional<std::vector<NodeId>> decide(const Input& in);

 private:
  std::int64_t target_ptid_ = 0;
  // Nodes having the target table, the first being asked; nullopt once the
  // table is loaded.
  std::optional<std::deque<NodeId>> ask_pt_ = std::deque<NodeId>{};
  std::map<NodeId, std::optional<Tid>> backup_tids_, truncate_tids_;
};

}  // namespace neo::master
