// nodes/master/backup.hpp
// The bookkeeping of a backup cluster's master (NEO/py's
// neo/master/backup_app.py; spec/flows.md 12): what the upstream cluster
// looks like (its nodes and partition table, as its master sends them to
// us, a read-only "backup" client), and for each readable cell of our own
// table the TID up to which it holds all the upstream's data (backup_tid)
// and the TID it was last told to replicate up to (replicating). From the
// upstream's commits (InvalidatePartitions) and our storages' reports
// (NotifyReplicationDone), it decides the Replicate orders: the primary
// cell of each partition fetches from an upstream storage, the other cells
// from that primary cell, and cells of partitions without new data just
// move their backup_tid forward. The backup TID of the cluster is the
// minimum over partitions.
// No I/O: orders go out through Host; decisions are logged with node ids. Owned by MasterState; use
// from one thread.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "core/node/node_manager.hpp"
#include "core/protocol/packets.hpp"
#include "core/pt/partition_table.hpp"
#include "core/util/ids.hpp"

namespace neo::master {

class Backup {
 public:
  // What the bookkeeping needs of the master.
  struct Host {
    std::function<const pt::PartitionTable&()> pt;  // our own table
    std::function<bool(NodeId)> ready;              // NotifyReady received
    std::function<std::optional<protocol::Address>(NodeId)> address;
    std::function<Tid()> last_tid;  // the last upstream TID we heard of
    std::function<void(NodeId, const protocol::Replicate&)> send;
    // Marks an OUT_OF_DATE cell UP_TO_DATE (and broadcasts it): false if
    // it was not out of date.
    std::function<bool(NodeId, std::uint32_t offset)> set_up_to_date;
  };

  Backup(std::string upstream_name, Host host);

  const std::string& upstream_name() const { return upstream_name_; }

  // --- Our cells -----------------------------------------------------------
  // Every readable cell: backup_tid from `tids` (ZERO_TID if absent).
  void set_backup_tids(const std::map<NodeId, Tid>& tids);
  // min over partitions of max (or min) over the readable cells.
  Tid backup_tid_max() const { return backup_tid(false); }
  Tid backup_tid_min() const { return backup_tid(true); }
  Tid cell_backup_tid(std::uint32_t offset, NodeId nid) const;
  // Our table changed: cells no longer readable forget their TIDs.
  void cells_changed(std::span<const protocol::CellChange> cells);

  // --- One connection to the upstream -----------------------------------
  // Begins following the upstream (again): primary cells and TIDs in
  // flight are forgotten, and so is the upstream's table.
  void reset();
  // Leaves: replicating orders forgotten (NEO/py's clearReplicating).
  void clear_replicating();
  node::NodeManager& upstream_nodes() { return upstream_nm_; }
  pt::PartitionTable& upstream_pt() { return upstream_pt_; }
  bool upstream_pt_loaded() const { return upstream_pt_loaded_; }
  void set_upstream_pt_loaded() { upstream_pt_loaded_ = true; }

  // The upstream committed `tid` in `partitions` (the last TID known before
  // was `prev_tid`; equal when we (re)connect: every partition is then
  // replicated up to `tid`).
  void invalidate(Tid tid, Tid prev_tid, const std::set<std::uint32_t>& partitions);
  // `nid` reports it has replicated `offset` up to `tid`.
  void replication_done(NodeId nid, std::uint32_t offset, Tid tid, bool backing_up);
  // A storage was lost: its primary partitions get another primary cell.
  void node_lost(NodeId nid);
  // Orders `nid` to replicate from the upstream the partitions it is the
  // primary cell of and that are behind.
  void trigger(NodeId nid);

  std::optional<NodeId> primary(std::uint32_t offset) const;
  // CheckReplicas' reference for `offset`: a readable upstream cell (none
  // if the upstream's table is unknown).
  protocol::CheckSource check_source(std::uint32_t offset);
  std::vector<std::string> dump() const;

 private:
  struct CellTids {
    Tid backup_tid{};
    Tid replicating{};
  };
  using Key = std::pair<std::uint32_t, NodeId>;

  Tid backup_tid(bool use_min) const;
  CellTids& cell(std::uint32_t offset, NodeId nid) { return cells_[{offset, nid}]; }
  std::vector<NodeId> readable(std::uint32_t offset) const;
  void trigger_secondary(NodeId primary, std::uint32_t offset, Tid tid);
  void send_replicate(NodeId to, Tid tid, std::uint32_t offset, NodeId from);
  std::optional<protocol::Address> upstream_source(
      std::uint32_t offset, std::set<std::pair<std::string, std::uint16_t>>& used);

  std::string upstream_name_;
  Host host_;
  std::map<Key, CellTids> cells_;
  std::map<std::uint32_t, NodeId> primary_;  // partition -> primary cell's node
  // Per partition, the upstream TIDs that modified it and that some cell
  // has not replicated yet (NEO/py's tid_list).
  std::vector<std::vector<Tid>> tids_;
  node::NodeManager upstream_nm_;
  pt::PartitionTable upstream_pt_;
  bool upstream_pt_loaded_ = false;
  std::mt19937_64 random_{0x6e656f};
};

}  // namespace neo::master
