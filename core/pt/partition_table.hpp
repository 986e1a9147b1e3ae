// core/pt/partition_table.hpp
// Maps each partition to the cells (storage node + state) holding a replica.
// The primary master owns the reference copy (MasterPartitionTable); other
// nodes load its SendPartitionTable and apply its NotifyPartitionChanges.
// Pure data: no I/O, no logging. Use from one thread.
//
// Besides cells, the table has a set of member nodes (NEO/py's count_dict
// keys): every node that got a cell, plus nodes added with add_nodes() (a
// storage added to the cluster before it gets cells). Members are what
// format() prints and what the master's tweak() distributes cells to.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "core/protocol/enums.hpp"
#include "core/protocol/packets.hpp"
#include "core/util/error.hpp"
#include "core/util/ids.hpp"

namespace neo::pt {

using protocol::CellState;
using protocol::NodeState;
using Ptid = std::int64_t;  // incremented by one for each change; absent: no table yet

// What the table asks about nodes (the node manager answers): the state of
// a node, NodeState::Unknown if it is not known.
using NodeStateFn = std::function<NodeState(NodeId)>;

// UP_TO_DATE or FEEDING: the cell can serve reads.
bool is_readable(CellState state);
// OUT_OF_DATE, UP_TO_DATE or FEEDING: the cell receives new writes.
bool is_writable(CellState state);
// One-letter codes of logs and neoctl: U O F C D, and R D U P for nodes.
char cell_state_letter(CellState state);
char node_state_letter(NodeState state);

struct Cell {
  NodeId nid{};
  CellState state = CellState::UpToDate;
  // Master only: the storage asked for the unfinished transactions of this
  // non-readable cell (AskUnfinishedTransactions), so its replication may
  // complete it. Reset whenever the cell becomes non-readable.
  bool updatable = false;

  bool readable() const { return is_readable(state); }
  bool writable() const { return is_writable(state); }
};

class PartitionTable {
 public:
  // How NotifyPartitionChanges' ptid is checked: storages want exactly the
  // next one, other nodes any greater one (spec 8.3).
  enum class PtidRule { Next, Greater };

  PartitionTable() = default;
  PartitionTable(std::uint32_t partitions, std::uint32_t replicas);

  std::uint32_t num_partitions() const { return static_cast<std::uint32_t>(rows_.size()); }
  std::uint32_t num_replicas() const { return replicas_; }
  void set_num_replicas(std::uint32_t replicas) { replicas_ = replicas; }
  std::optional<Ptid> ptid() const { return ptid_; }
  void set_ptid(std::optional<Ptid> ptid) { ptid_ = ptid; }
  // Increments the ptid (the master does it for each broadcast change) and
  // returns the new one. Precondition: ptid() is set.
  Ptid next_ptid() { return *ptid_ += 1; }

  // Forgets the cells, the ptid and the members; keeps the sizes.
  void clear();

  // u64(id) % num_partitions(). Precondition: num_partitions() > 0.
  std::uint32_t partition_of(std::uint64_t id) const;
  std::uint32_t partition_of(Oid oid) const { return partition_of(oid.value); }
  std::uint32_t partition_of(Tid tid) const { return partition_of(tid.value); }

  // Cells of a partition, in the order they were added.
  // Precondition for all `offset` arguments: offset < num_partitions().
  const std::vector<Cell>& row(std::uint32_t offset) const { return rows_[offset]; }
  std::vector<Cell> cells(std::uint32_t offset, bool readable_only = false) const;
  // The cell of `nid` in partition `offset`, or nullptr.
  const Cell* find_cell(std::uint32_t offset, NodeId nid) const;
  // True if `offset` is a partition that has at least one cell.
  bool has_offset(std::int64_t offset) const;
  // True if `nid` has a cell (any state) in `oid`'s partition.
  bool is_assigned(Oid oid, NodeId nid) const;
  // True if `nid` has a readable cell in `oid`'s (`tid`'s) partition.
  bool is_readable(Oid oid, NodeId nid) const;
  bool is_readable(Tid tid, NodeId nid) const;
  bool is_readable_at(std::uint32_t offset, NodeId nid) const;
  // Partitions where `nid` has a cell / a readable cell / an OUT_OF_DATE cell.
  std::vector<std::uint32_t> partitions_of(NodeId nid) const;
  std::vector<std::uint32_t> readable_partitions(NodeId nid) const;
  std::vector<std::uint32_t> outdated_partitions(NodeId nid) const;
  // The cells of a node: (partition, cell), ascending partitions.
  std::vector<std::pair<std::uint32_t, Cell>> cells_of(NodeId nid) const;
  // Nodes having a cell (a readable one), ascending ids.
  std::set<NodeId> node_set(bool readable_only = false) const;
  // True if every partition has at least one cell.
  bool filled() const;
  // True if the table is filled and every partition has a readable cell on
  // a RUNNING node that is not in `exclude`.
  bool operational(const NodeStateFn& state_of, std::span<const NodeId> exclude = {}) const;

  // Members (see the top of this file), ascending ids.
  const std::set<NodeId>& members() const { return members_; }
  // Makes nodes members; returns those that were not (in the given order).
  std::vector<NodeId> add_nodes(std::span<const NodeId> nids);
  // Number of cells of `nid` that are not FEEDING.
  std::uint32_t cell_count(NodeId nid) const;
  // Forgets a member with no cell other than FEEDING ones; true if done
  // (or it was not a member), false if it still has such cells.
  bool drop_node(NodeId nid);

  // Sets the state of a cell, adding it if needed (the node becomes a
  // member); DISCARDED removes it. Precondition: offset < num_partitions().
  void set_cell(std::uint32_t offset, NodeId nid, CellState state);
  void remove_cell(std::uint32_t offset, NodeId nid);

  // Loads a full table (SendPartitionTable, AnswerPartitionTable): the
  // number of partitions becomes rows.size(); previous cells and members
  // are forgotten. errc::protocol_error (table unchanged) if a cell is
  // DISCARDED or num_replicas is negative.
  std::error_code load(std::optional<Ptid> ptid, std::int64_t num_replicas,
                       const protocol::RowList& rows);
  // Applies NotifyPartitionChanges (cells in order; DISCARDED removes).
  // errc::protocol_error (table unchanged) if the ptid breaks `rule` (for
  // Greater, a table without ptid accepts any; for Next it needs one), an
  // offset is out of range or num_replicas is negative. The caller checks
  // that the nodes are known (NEO/py asserts it).
  std::error_code apply(Ptid ptid, std::int64_t num_replicas,
                        std::span<const protocol::CellChange> changes, PtidRule rule);

  // The rows as sent on the wire.
  protocol::RowList row_list() const;
  // AskPartitionList's rows min_offset <= i < max_offset (max_offset 0:
  // up to the end); errc::protocol_error if a row does not exist.
  Result<protocol::RowList> row_list(std::int64_t min_offset, std::int64_t max_offset) const;

  // The table as NEO/py logs it and neoctl prints it, one line per member
  // ("S1 R UU.O"), ascending ids, preceded when there are more than 10
  // partitions by a line marking every 10th partition ("      10v").
  // Every line starts with `prefix` ("pt: " in logs, "" for neoctl).
  // Empty if there is no member. State letters come from `state_of`.
  std::vector<std::string> format(const NodeStateFn& state_of, std::string_view prefix = {}) const;

 protected:
  // Changes a cell's state the way every path must (resets `updatable`).
  static void assign_state(Cell& cell, CellState state);
  Cell* find_mutable(std::uint32_t offset, NodeId nid);

  std::uint32_t replicas_ = 0;
  std::optional<Ptid> ptid_;             // id of the last change applied
  std::vector<std::vector<Cell>> rows_;  // rows_[partition]
  std::set<NodeId> members_;
};

}  // namespace neo::pt
