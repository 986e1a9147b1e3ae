// MasterState: checking replicas (NEO/py neo/master/handlers/
// administration.py checkReplicas, handlers/storage.py
// notifyPartitionCorrupted; spec/flows.md 11). The master only picks, for
// each partition, the storage that compares the replicas (CheckPartition)
// and logs what that storage reports. In backup mode, up to what every cell
// has (the smallest backup_tid of the partitions checked), and against a
// storage of the upstream unless a reference is given.
#include <spdlog/spdlog.h>

#include <set>

#include "nodes/master/master_state.hpp"

namespace neo::master {

void MasterState::check_replicas(net::Peer& peer, const protocol::CheckReplicas& p) {
  // Checked before anything is sent (NEO/py fails in the middle, with an
  // exception, on an offset out of range or an unknown reference node).
  for (const auto& [offset, source] : p.partition_dict) {
    if (offset < 0 || offset >= static_cast<std::int64_t>(pt_.num_partitions()))
      return peer.answer_error(errc::protocol_error, "invalid partition table offset");
    if (!source) continue;
    const node::Node* node = nm_.by_nid(*source);
    if (!node || node->type() != NodeType::Storage || !node->address())
      return peer.answer_error(errc::denied, "invalid storage node " + to_string(*source));
  }
  const bool backing_up = backup_tid_ && backup_;
  Tid max_tid = last_transaction();
  if (p.max_tid) {
    max_tid = *p.max_tid;
  } else if (backing_up) {
    std::optional<Tid> check_tid;
    for (const auto& [offset, source] : p.partition_dict)
      for (const pt::Cell& cell : pt_.cells(static_cast<std::uint32_t>(offset), true)) {
        const Tid tid = backup_->cell_backup_tid(static_cast<std::uint32_t>(offset), cell.nid);
        if (!check_tid || tid < *check_tid) check_tid = tid;
      }
    max_tid = check_tid.value_or(kZeroTid);
  }
  if (p.min_tid > max_tid) {
    SPDLOG_WARN("nothing to check: min_tid={} > max_tid={}", to_string(p.min_tid),
                to_string(max_tid));
    return peer.answer_error(errc::ack, "");
  }
  std::set<NodeId> chosen;  // NEO/py's node_set: spread the checks over few nodes
  for (const auto& [offset, source] : p.partition_dict) {
    const auto partition = static_cast<std::uint32_t>(offset);
    const std::vector<pt::Cell> cells = pt_.cells(partition, true);
    if (cells.size() + (backing_up && !source ? 1 : 0) <= 1) continue;
    NodeId checker = cells.back().nid;
    bool reused = false;
    for (const pt::Cell& cell : cells)
      if (chosen.count(cell.nid)) {
        checker = cell.nid;
        reused = true;
        break;
      }
    if (!reused) chosen.insert(checker);
    protocol::CheckSource reference;
    if (source) {
      reference.address = nm_.by_nid(*source)->address();
    } else if (backing_up) {
      reference = backup_->check_source(partition);
      if (!reference.address) {
        SPDLOG_WARN("partition {}: no readable upstream cell to check against", partition);
        if (cells.size() <= 1) continue;
      }
    }
    const node::Node* node = nm_.by_nid(checker);
    if (!node) continue;
    SPDLOG_INFO("{}: checking partition {} from {} to {}", to_string(checker), partition,
                to_string(p.min_tid), to_string(max_tid));
    send_to(
        *node,
        protocol::CheckPartition{
            .partition = offset, .source = reference, .min_tid = p.min_tid, .max_tid = max_tid});
  }
  peer.answer_error(errc::ack, "");
}

void MasterState::partition_corrupted(const protocol::NotifyPartitionCorrupted& p) {
  std::string cells;
  for (NodeId nid : p.nid_list) cells += (cells.empty() ? "" : ", ") + to_string(nid);
  SPDLOG_ERROR("Partition {} corrupted in: {}", p.partition, cells);
}

}  // namespace neo::master
