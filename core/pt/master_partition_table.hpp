// core/pt/master_partition_table.hpp
// The primary master's partition table: creation, rebalancing (tweak),
// reactions to storage failures, replication and removals. Each operation
// returns the cell changes to broadcast in one NotifyPartitionChanges
// (with next_ptid()); the caller sends them. Deterministic: the same table
// and inputs give the same result, and the same cells as NEO/py's master
// (neo/master/pt.py), which the unit tests check on upstream's outputs.
// Pure data: no I/O, no logging. Use from one thread.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/pt/partition_table.hpp"

namespace neo::pt {

// The topology path of a storage node (RequestIdentification's
// extra.devpath: [hostname, device], or longer, e.g. [room, host, disk]);
// empty when unknown.
using Devpath = std::vector<std::string>;
using DevpathFn = std::function<Devpath(NodeId)>;

// What an operation did: the changes to broadcast, in order, or why it was
// refused (NEO/py's PartitionTableException text, answered as DENIED or
// PROTOCOL_ERROR by the caller; the table is then unchanged).
struct Changes {
  std::vector<protocol::CellChange> cells{};
  std::optional<std::string> refused{};
  bool ok() const { return !refused; }
};

class MasterPartitionTable : public PartitionTable {
 public:
  using PartitionTable::PartitionTable;

  // A new table (ptid 1, every cell UP_TO_DATE) spreading the partitions
  // over `storages` (RUNNING nodes with ids), num_replicas() + 1 cells per
  // partition when there are enough nodes, on distinct nodes, far apart in
  // the topology. Members left without cell are forgotten. Refused if the
  // table already has a ptid or `storages` is empty.
  Changes make(std::span<const NodeId> storages, const DevpathFn& devpath_of = {});

  // Rebalances cells over the members not in `excluded`: every such node
  // gets the same number of cells (off by one), partitions get
  // num_replicas() + 1 cells, far apart in the topology, moving as few
  // cells as possible (a second call without change in between does
  // nothing). New cells are OUT_OF_DATE; readable cells losing their place
  // become FEEDING until enough new cells are up to date (set_up_to_date),
  // others are DISCARDED. Cells of excluded nodes are left as they are and
  // do not count. Refused if every member is excluded.
  // The caller adds the storages to use first (add_nodes: AddPendingNodes)
  // and excludes the PENDING ones; NEO/py refuses to tweak while a non
  // excluded storage is DOWN.
  Changes tweak(std::span<const NodeId> excluded = {}, const DevpathFn& devpath_of = {});
  // What tweak() would do, and the rows it would leave (for
  // AnswerTweakPartitionTable); this table is not changed.
  struct DryRun {
    Changes changes{};
    protocol::RowList rows{};
  };
  DryRun tweak_dry_run(std::span<const NodeId> excluded = {},
                       const DevpathFn& devpath_of = {}) const;

  // After nodes went down: readable cells of non-RUNNING nodes become
  // OUT_OF_DATE (FEEDING ones are DISCARDED), except the cells of
  // `lost_node` in partitions where it was the last readable cell on a
  // running node (so that the cluster can restart).
  Changes outdate(const NodeStateFn& state_of, std::optional<NodeId> lost_node = {});

  // The storage asked for the unfinished transactions of these partitions
  // (AskUnfinishedTransactions): its non-readable cells there may now be
  // set up to date.
  void mark_updatable(NodeId nid, std::span<const std::int64_t> offsets);

  // NotifyReplicationDone: the OUT_OF_DATE (and updatable) cell becomes
  // UP_TO_DATE and FEEDING cells that are no longer needed are DISCARDED.
  // Empty changes if the cell is not in that state (late notification);
  // refused ("Non-assigned partition") if `nid` has no cell there.
  Changes set_up_to_date(NodeId nid, std::uint32_t offset);

  // Removes every cell of `nids` (neoctl drop); a FEEDING cell left alone
  // in its partition by the removal becomes UP_TO_DATE. Refused if a
  // partition would lose its last UP_TO_DATE cell. With `simulate`, only
  // checks and reports (neoctl kill).
  Changes drop_nodes(std::span<const NodeId> nids, bool simulate = false);

  // During recovery (all storages PENDING): the nodes holding readable
  // cells, or an empty set if some partition has no readable cell on a
  // PENDING node.
  std::set<NodeId> operational_nodes(const NodeStateFn& state_of) const;
};

}  // namespace neo::pt
