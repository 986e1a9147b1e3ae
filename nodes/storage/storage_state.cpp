#include "nodes/storage/storage_state.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <stdexcept>

namespace neo::storage {

using protocol::CellChange;
using protocol::NodeState;
using protocol::NodeType;

StorageState::StorageState(Database& db, Config config) : db_(db), config_(std::move(config)) {}

void StorageState::load_configuration(std::optional<NodeId> forced_nid) {
  const std::optional<std::string> name = db_.name();
  if (!name) {
    if (db_.set_name(config_.cluster))
      throw std::runtime_error("cannot save the cluster name: " + db_.last_error());
  } else if (*name != config_.cluster) {
    throw std::runtime_error("name '" + config_.cluster + "' does not match with the database: '" +
                             *name + "' (this database belongs to another cluster)");
  }
  nid_ = forced_nid ? forced_nid : db_.nid();
}

void StorageState::log_configuration() const {
  const std::optional<std::int64_t> ptid = db_.ptid();
  SPDLOG_INFO("Configuration loaded: PTID {}, Name {}, NID {}",
              ptid ? std::to_string(*ptid) : "None", config_.cluster, to_string(nid_));
}

std::error_code StorageState::identified(NodeId your_nid) {
  if (nid_ != your_nid) SPDLOG_INFO("node id {} -> {}", to_string(nid_), to_string(your_nid));
  nid_ = your_nid;
  if (db_.nid() != your_nid) {
    if (std::error_code ec = db_.set_nid(your_nid)) return ec;
  }
  nm_.clear();
  id_timestamp_known_ = false;
  operational_ = false;
  cluster_state_.reset();
  load_partition_table_from_db();
  return {};
}

void StorageState::primary_lost() {
  operational_ = false;
  tm_.reset();
  completed_pack_id_.reset();
  cluster_state_.reset();
}

void StorageState::load_partition_table_from_db() {
  pt_ = pt::PartitionTable();
  const std::optional<std::int64_t> ptid = db_.ptid();
  if (!ptid) return;
  Result<std::vector<CellRow>> cells = db_.partition_table();
  if (!cells) return;
  protocol::RowList rows(db_.num_partitions());
  for (const CellRow& cell : *cells) {
    if (cell.partition >= rows.size()) rows.resize(cell.partition + 1);
    rows[cell.partition].push_back({cell.nid, cell.state});
    if (!nm_.by_nid(cell.nid)) (void)nm_.create(NodeType::Storage, cell.nid, std::nullopt);
  }
  (void)pt_.load(ptid, db_.num_replicas().value_or(0), rows);
  log_pt();
}

void StorageState::log_pt() const {
  const auto state_of = [this](NodeId nid) { return nm_.state_of(nid); };
  for (const std::string& line : pt_.format(state_of, "pt: ")) SPDLOG_INFO("{}", line);
}

Result<StorageState::NodesApplied> StorageState::apply_nodes(
    const protocol::NotifyNodeInformation& packet) {
  for (const protocol::NodeInfo& info : packet.node_list) {
    if (!info.nid) continue;
    const NodeState before = nm_.state_of(*info.nid);
    if (before != info.state)
      SPDLOG_INFO("{} {} -> {}", to_string(*info.nid), protocol::to_string(before),
                  protocol::to_string(info.state));
  }
  node::NodeManager::ApplyOptions options{
      .own_nid = nid_, .full = !id_timestamp_known_, .forget_storage = [this](NodeId nid) {
        return pt_.drop_node(nid);
      }};
  Result<node::NodeManager::Applied> applied =
      nm_.apply(packet.timestamp, packet.node_list, options);
  if (!applied) return applied.error();
  id_timestamp_known_ = true;
  NodesApplied result;
  for (const protocol::NodeInfo& info : packet.node_list) {
    if (info.nid != nid_ || !nid_) continue;
    SPDLOG_INFO("I was told I'm {}", protocol::to_string(info.state));
    if (info.state == NodeState::Down) result.own = Own::Down;
    if (info.state == NodeState::Unknown) result.own = Own::Unknown;
  }
  for (const protocol::NodeInfo& info : applied->removed) {
    if (info.node_type == NodeType::Storage && info.nid && info.nid != nid_)
      pt_.drop_node(*info.nid);
  }
  result.removed = std::move(applied->removed);
  return result;
}

protocol::AnswerRecovery StorageState::recovery() const {
  return {.ptid = pt_.ptid(), .backup_tid = db_.backup_tid(), .truncate_tid = db_.truncate_tid()};
}

protocol::AnswerPartitionTable StorageState::partition_table() const {
  return {.ptid = pt_.ptid(), .num_replicas = pt_.num_replicas(), .row_list = pt_.row_list()};
}

Result<std::vector<std::uint32_t>> StorageState::load_partition_table(
    const protocol::SendPartitionTable& p, std::string& message) {
  pt::PartitionTable table;
  if (table.load(p.ptid, p.num_replicas, p.row_list) || !table.filled()) {
    message = "Partial partition table received";
    return make_error_code(errc::protocol_error);
  }
  std::vector<CellChange> cells;
  for (std::uint32_t offset = 0; offset < table.num_partitions(); ++offset) {
    for (const pt::Cell& cell : table.row(offset)) {
      cells.push_back({offset, cell.nid, cell.state});
      if (!nm_.by_nid(cell.nid)) (void)nm_.create(NodeType::Storage, cell.nid, std::nullopt);
    }
  }
  Result<std::vector<std::uint32_t>> dropped =
      db_.change_partition_table(p.ptid.value_or(0), p.num_replicas, cells, true, last_pack_id_);
  if (!dropped) return dropped.error();
  if (std::error_code ec = db_.commit()) return ec;
  pt_ = std::move(table);
  SPDLOG_INFO("partition table loaded: ptid {}, {} partitions, {} replicas", p.ptid.value_or(0),
              pt_.num_partitions(), pt_.num_replicas());
  log_pt();
  return dropped;
}

Result<std::vector<std::uint32_t>> StorageState::change_partitions(
    const protocol::NotifyPartitionChanges& p, std::string& message) {
  if (!pt_.ptid() || p.ptid != *pt_.ptid() + 1) {
    message = "wrong partition table id";
    return make_error_code(errc::protocol_error);
  }
  if (pt_.apply(p.ptid, p.num_replicas, p.cell_list, pt::PartitionTable::PtidRule::Next)) {
    message = "invalid partition table change";
    return make_error_code(errc::protocol_error);
  }
  for (const CellChange& cell : p.cell_list) {
    SPDLOG_INFO("partition {}: {} {}", cell.offset, to_string(cell.nid),
                protocol::to_string(cell.state));
    if (!nm_.by_nid(cell.nid)) (void)nm_.create(NodeType::Storage, cell.nid, std::nullopt);
  }
  Result<std::vector<std::uint32_t>> dropped =
      db_.change_partition_table(p.ptid, p.num_replicas, p.cell_list, false, last_pack_id_);
  if (!dropped) return dropped.error();
  if (std::error_code ec = db_.commit()) return ec;
  return dropped;
}

Result<protocol::AnswerLockedTransactions> StorageState::locked_transactions() {
  auto locked = db_.locked_transactions();
  if (!locked) return locked.error();
  return protocol::AnswerLockedTransactions{std::move(*locked)};
}

Result<protocol::AnswerFinalTID> StorageState::final_tid(Tid ttid) {
  Result<std::optional<Tid>> tid = db_.final_tid(ttid);
  if (!tid) return tid.error();
  return protocol::AnswerFinalTID{*tid};
}

std::error_code StorageState::validate_transaction(Tid ttid, Tid tid) {
  SPDLOG_INFO("validating transaction {} (ttid {})", to_string(tid), to_string(ttid));
  if (std::error_code ec = db_.lock_transaction(tid, ttid, true)) return ec;
  if (std::error_code ec = db_.unlock_transaction(tid, ttid, true, true, true)) return ec;
  return db_.commit();
}

Result<StorageState::LastIds> StorageState::last_ids() {
  if (const std::optional<Tid> tid = db_.truncate_tid())
    SPDLOG_INFO("truncating the database after {}", to_string(*tid));
  if (std::error_code ec = db_.truncate()) return ec;
  LastIds result;
  if (!config_.disable_pack) {
    auto packed = db_.packed_ids(false);
    if (!packed) return packed.error();
    for (const auto& [partition, pack_id] : *packed)
      if (!result.pack_completed || pack_id < *result.pack_completed)
        result.pack_completed = pack_id;
  }
  Result<neo::storage::LastIds> last = db_.last_ids();
  if (!last) return last.error();
  Result<Tid> first = db_.first_tid();
  if (!first) return first.error();
  result.answer = {.last_tid = last->tid, .last_oid = last->oid, .first_tid = *first};
  return result;
}

Result<protocol::AnswerPackOrders> StorageState::pack_orders(Tid min_completed) {
  auto orders = db_.pack_orders(min_completed);
  if (!orders) return orders.error();
  return protocol::AnswerPackOrders{std::move(*orders)};
}

std::error_code StorageState::truncate(Tid tid) {
  SPDLOG_INFO("truncation after {} requested by the master", to_string(tid));
  if (std::error_code ec = db_.set_backup_tid(std::nullopt)) return ec;
  if (std::error_code ec = db_.set_truncate_tid(tid)) return ec;
  return db_.commit();
}

Result<protocol::NotifyPackSigned> StorageState::sign_pack_orders(
    const protocol::NotifyPackSigned& p) {
  auto signed_ids = db_.sign_pack_orders(p.approved, p.rejected);
  if (!signed_ids) return signed_ids.error();
  const auto missing = [&](const std::vector<Tid>& tids) {
    std::vector<Tid> out;
    for (Tid tid : tids)
      if (std::find(signed_ids->begin(), signed_ids->end(), tid) == signed_ids->end())
        out.push_back(tid);
    return out;
  };
  return protocol::NotifyPackSigned{missing(p.approved), missing(p.rejected)};
}

Result<StorageState::PackSigned> StorageState::pack_signed(const protocol::NotifyPackSigned& p) {
  PackSigned result;
  if (!config_.disable_pack) {
    auto pending = sign_pack_orders(p);
    if (!pending) return pending.error();
    if (std::error_code ec = db_.commit()) return ec;
    result.pending = std::move(*pending);
  }
  if (p.approved.empty()) return result;
  const Tid pack_id = *std::max_element(p.approved.begin(), p.approved.end());
  if (!(last_pack_id_ < pack_id)) return result;
  last_pack_id_ = pack_id;
  if (operational_ && config_.disable_pack) result.completed = pack_id;
  return result;
}

std::error_code StorageState::start_operation() {
  SPDLOG_INFO("{}: operational", to_string(nid_));
  operational_ = true;
  return db_.drop_unfinished_data();
}

Result<std::size_t> StorageState::repair(bool dry_run) {
  auto orphans = db_.orphan_data_ids();
  if (!orphans) return orphans.error();
  if (dry_run) {
    SPDLOG_INFO("repair (dry run): {} orphan data records", orphans->size());
    return orphans->size();
  }
  auto pruned = db_.prune_data(*orphans);
  if (!pruned) return pruned.error();
  if (std::error_code ec = db_.commit()) return ec;
  SPDLOG_INFO("repair: {} orphan data records deleted", *pruned);
  return *pruned;
}

void StorageState::set_cluster_state(protocol::ClusterState state) {
  SPDLOG_INFO("cluster state {}", protocol::to_string(state));
  cluster_state_ = state;
}

std::vector<std::string> StorageState::dump() const {
  std::vector<std::string> lines;
  lines.push_back("storage " + to_string(nid_) + " of cluster " + config_.cluster +
                  (operational_ ? ", operational" : ", not operational") + ", cluster state " +
                  (cluster_state_ ? std::string(protocol::to_string(*cluster_state_)) : "None"));
  const std::vector<protocol::NodeInfo> infos = nm_.infos();
  lines.push_back("Node manager : " + std::to_string(infos.size()) + " nodes");
  for (std::string& line : node::format_node_list(infos, " * ")) lines.push_back(std::move(line));
  const auto state_of = [this](NodeId nid) { return nm_.state_of(nid); };
  lines.push_back("partition table: ptid " +
                  (pt_.ptid() ? std::to_string(*pt_.ptid()) : std::string("None")));
  for (std::string& line : pt_.format(state_of, "pt: ")) lines.push_back(std::move(line));
  for (std::string& line : tm_.dump()) lines.push_back(std::move(line));
  return lines;
}

}  // namespace neo::storage
