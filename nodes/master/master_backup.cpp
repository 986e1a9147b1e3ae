// MasterState: backup mode (NEO/py neo/master/backup_app.py,
// handlers/backup.py and the backup parts of app.py; spec/flows.md 12):
// STARTING_BACKUP -> BACKINGUP -> STOPPING_BACKUP, the connection to the
// upstream's primary master as a read-only "backup" client, and what its
// packets change. The bookkeeping of the cells is Backup's (backup.hpp).
#include <spdlog/spdlog.h>

#include "nodes/master/master_state.hpp"

namespace neo::master {

using node::Node;
using node::NodeState;

namespace {
constexpr double kUpstreamRetry = 1.0;  // seconds before following the upstream again
constexpr double kLagPeriod = 10.0;     // seconds between two lag reports
}  // namespace

Backup::Host MasterState::backup_host() {
  Backup::Host host;
  host.pt = [this]() -> const pt::PartitionTable& { return pt_; };
  host.ready = [this](NodeId nid) { return ready_.count(nid) > 0; };
  host.address = [this](NodeId nid) -> std::optional<protocol::Address> {
    const Node* node = nm_.by_nid(nid);
    return node ? node->address() : std::nullopt;
  };
  host.last_tid = [this] { return tm_.last_transaction(); };
  host.send = [this](NodeId nid, const protocol::Replicate& p) {
    if (Node* node = nm_.by_nid(nid)) send_to(*node, p);
  };
  host.set_up_to_date = [this](NodeId nid, std::uint32_t offset) {
    pt::Changes changes = pt_.set_up_to_date(nid, offset);
    if (changes.cells.empty()) return false;
    SPDLOG_INFO("{} is up for partition {}", to_string(nid), offset);
    broadcast_pt(changes.cells);
    return true;
  };
  return host;
}

std::optional<Tid> MasterState::backup_tid() const {
  if (!backup_tid_) return std::nullopt;
  return backup_ ? backup_->backup_tid_max() : *backup_tid_;
}

Tid MasterState::backup_tid_min() const {
  return backup_ ? backup_->backup_tid_min() : backup_tid_.value_or(kZeroTid);
}

bool MasterState::backing_up() const {
  return cluster_state_ == ClusterState::StartingBackup ||
         cluster_state_ == ClusterState::BackingUp ||
         cluster_state_ == ClusterState::StoppingBackup;
}

// RUNNING -> STARTING_BACKUP: everything up to the last TID is there.
void MasterState::start_backup() {
  const Tid tid = tm_.last_transaction();
  backup_tid_ = tid;
  std::map<NodeId, Tid> tids;
  for (Node* node : identified(NodeType::Storage)) {
    tids[*node->nid()] = tid;
    if (node->is_running()) send_to(*node, protocol::StartOperation{true});
  }
  backup_->set_backup_tids(tids);
  SPDLOG_INFO("backing up {} from {}", backup_->upstream_name(), to_string(tid));
  follow_upstream();
}

// STARTING_BACKUP (again): connect to the upstream once every node with
// readable cells is ready.
void MasterState::follow_upstream(const std::function<void(Node&)>& switch_storage) {
  stopping_backup_at_.reset();
  backup_->reset();
  ignore_invalidations_ = true;
  change_cluster_state(ClusterState::StartingBackup, switch_storage);
  connect_upstream_if_ready();
}

void MasterState::connect_upstream_if_ready() {
  if (cluster_state_ != ClusterState::StartingBackup || upstream_peer_ || cancel_upstream_) return;
  for (NodeId nid : pt_.node_set(true))
    if (!ready_.count(nid)) return;  // set_storage_ready calls again
  SPDLOG_INFO("connecting to the primary master of {}", backup_->upstream_name());
  auto request = [this] {
    protocol::RequestIdentification r{.node_type = NodeType::Client,
                                      .nid = upstream_nid_,
                                      .address = std::nullopt,
                                      .name = backup_->upstream_name(),
                                      .id_timestamp = std::nullopt,
                                      .extra = {{"backup", protocol::Value::bin(config_.cluster)}}};
    return r;
  };
  auto identified = [weak = weak_from_this(), generation = upstream_generation_](
                        std::shared_ptr<net::Peer> peer,
                        const protocol::AcceptIdentification& accept) {
    auto self = weak.lock();
    if (!self || generation != self->upstream_generation_) {
      if (peer) peer->close({});
      return;
    }
    self->upstream_identified(std::move(peer), accept);
  };
  cancel_upstream_ = hooks_.connect_upstream(config_.upstream_masters, request, identified);
}

void MasterState::upstream_identified(std::shared_ptr<net::Peer> peer,
                                      const protocol::AcceptIdentification& accept) {
  cancel_upstream_ = {};
  if (cluster_state_ != ClusterState::StartingBackup) {
    peer->close({});
    return;
  }
  if (accept.your_nid != upstream_nid_)
    SPDLOG_INFO("Upstream Node ID: {}", to_string(accept.your_nid));
  upstream_nid_ = accept.your_nid;
  upstream_peer_ = std::move(peer);
  change_cluster_state(ClusterState::BackingUp);
  log_backup_lag(upstream_generation_);
  // The pack orders from our backup TID on, or from the first one not signed yet.
  ignore_pack_notifications_ = true;
  Tid min_tid{backup_->backup_tid_min().value + 1};
  for (const protocol::PackOrder& order : pm_.dump(kZeroTid, false)) {
    if (!(order.pack_id < min_tid)) break;
    if (!order.approved) {
      min_tid = order.pack_id;
      break;
    }
  }
  ask_upstream_pack_orders(min_tid, min_tid);
  upstream_peer_->ask(protocol::AskLastTransaction{},
                      [weak = weak_from_this(), generation = upstream_generation_](
                          Result<protocol::AnswerLastTransaction> answer, std::string_view) {
                        auto self = weak.lock();
                        if (!self || generation != self->upstream_generation_ || !answer) return;
                        self->upstream_last_tid(answer->tid);
                      });
}

// AnswerLastTransaction: what the upstream committed while we did not
// listen is replicated in every partition.
void MasterState::upstream_last_tid(Tid tid) {
  const Tid prev = tm_.last_transaction();
  if (tid < prev) {
    SPDLOG_CRITICAL(
        "Upstream DB truncated (its last TID {} is before ours {}). Leaving backup mode in case "
        "this backup DB needs to be truncated.",
        to_string(tid), to_string(prev));
    leave_upstream("upstream truncated", false);
    stopping_backup_at_ = backup_tid_ = backup_->backup_tid_max();
    change_cluster_state(ClusterState::StoppingBackup);
    return check_backup_stopped();
  }
  if (!backup_->upstream_pt_loaded() ||
      backup_->upstream_pt().num_partitions() != pt_.num_partitions()) {
    SPDLOG_CRITICAL("the upstream's partition table has not {} partitions as ours",
                    pt_.num_partitions());
    return leave_upstream("inconsistent number of partitions", true);
  }
  SPDLOG_INFO("upstream last TID {} (ours {})", to_string(tid), to_string(prev));
  tm_.set_last_transaction(tid);
  std::set<std::uint32_t> all;
  for (std::uint32_t offset = 0; offset < pt_.num_partitions(); ++offset) all.insert(offset);
  ignore_invalidations_ = false;
  backup_->invalidate(tid, tid, all);
}

void MasterState::upstream_invalidate(const protocol::InvalidatePartitions& p) {
  if (ignore_invalidations_ || cluster_state_ != ClusterState::BackingUp) return;
  const Tid prev = tm_.last_transaction();
  if (!(prev < p.tid)) {
    SPDLOG_WARN("upstream commit {} not after {}: ignored", to_string(p.tid), to_string(prev));
    return;
  }
  std::set<std::uint32_t> partitions{pt_.partition_of(p.tid)};
  for (std::int64_t offset : p.partition_list)
    if (offset >= 0 && offset < pt_.num_partitions())
      partitions.insert(static_cast<std::uint32_t>(offset));
  tm_.set_last_transaction(p.tid);
  backup_->invalidate(p.tid, prev, partitions);
}

// NotifyPackSigned from the upstream: its signatures are ours; orders not
// known yet are asked first.
void MasterState::upstream_pack_signed(const protocol::NotifyPackSigned& p) {
  if (ignore_pack_notifications_) return;
  std::optional<Tid> ask_tid, min_tid;
  for (const auto& [tids, approved] : {std::pair{&p.approved, true}, std::pair{&p.rejected, false}})
    for (Tid tid : *tids) {
      std::optional<Tid>& first = pm_.sign(tid, approved) ? min_tid : ask_tid;
      if (!first || tid < *first) first = tid;
    }
  if (ask_tid)
    return ask_upstream_pack_orders(*ask_tid, std::min(*ask_tid, min_tid.value_or(*ask_tid)));
  if (min_tid) broadcast_signed_packs(*min_tid);
}

void MasterState::ask_upstream_pack_orders(Tid ask_tid, Tid min_tid) {
  upstream_peer_->ask(protocol::AskPackOrders{ask_tid},
                      [weak = weak_from_this(), generation = upstream_generation_, min_tid](
                          Result<protocol::AnswerPackOrders> answer, std::string_view) {
                        auto self = weak.lock();
                        if (!self || generation != self->upstream_generation_ || !answer) return;
                        for (const protocol::PackOrder& order : answer->pack_list)
                          self->pm_.add(order);
                        self->broadcast_signed_packs(min_tid);
                        self->ignore_pack_notifications_ = false;
                      });
}

void MasterState::broadcast_signed_packs(Tid min_tid) {
  const protocol::NotifyPackSigned signed_packs = pm_.approved_rejected(min_tid);
  if (signed_packs.approved.empty() && signed_packs.rejected.empty()) return;
  for (NodeId nid : storage_ready_set())
    if (Node* node = nm_.by_nid(nid)) send_to(*node, signed_packs);
}

void MasterState::upstream_nodes(const protocol::NotifyNodeInformation& p) {
  if (Result<node::NodeManager::Applied> applied = backup_->upstream_nodes().apply(
          p.timestamp, p.node_list, node::NodeManager::ApplyOptions{.own_nid = upstream_nid_});
      !applied)
    SPDLOG_WARN("upstream node notification: {}", applied.error().message());
}

void MasterState::upstream_pt(const protocol::SendPartitionTable& p) {
  if (std::error_code ec = backup_->upstream_pt().load(p.ptid, p.num_replicas, p.row_list)) {
    SPDLOG_ERROR("invalid upstream partition table: {}", ec.message());
    return leave_upstream("invalid partition table", true);
  }
  backup_->set_upstream_pt_loaded();
  if (backup_->upstream_pt().num_partitions() != pt_.num_partitions()) {
    SPDLOG_CRITICAL("inconsistent number of partitions: upstream {}, ours {}",
                    backup_->upstream_pt().num_partitions(), pt_.num_partitions());
    leave_upstream("inconsistent number of partitions", true);
  }
}

void MasterState::upstream_pt_changes(const protocol::NotifyPartitionChanges& p) {
  if (std::error_code ec = backup_->upstream_pt().apply(p.ptid, p.num_replicas, p.cell_list,
                                                        pt::PartitionTable::PtidRule::Next)) {
    SPDLOG_ERROR("invalid upstream partition changes: {}", ec.message());
    leave_upstream("invalid partition changes", true);
  }
}

// The upstream connection ends. With `again` (lost, refused data), the
// backup goes on: STARTING_BACKUP, connecting again a second later.
void MasterState::leave_upstream(const std::string& why, bool again) {
  ++upstream_generation_;
  if (cancel_upstream_) std::exchange(cancel_upstream_, {})();
  if (std::shared_ptr<net::Peer> peer = std::move(upstream_peer_)) {
    SPDLOG_ERROR("upstream master: {}", why);
    peer->close({});
  }
  if (backup_tid_) backup_tid_ = backup_->backup_tid_max();
  for (Node* node : identified(NodeType::Client))
    if (net::Peer* peer = peer_of(*node)) peer->abort({});
  if (!again || stopping_ || !backing_up()) return;
  cancel_upstream_ = [] {};  // no attempt until the delay is over
  follow_upstream();
  hooks_.call_later(kUpstreamRetry, [weak = weak_from_this(), generation = upstream_generation_] {
    auto self = weak.lock();
    if (!self || generation != self->upstream_generation_) return;
    self->cancel_upstream_ = {};
    self->connect_upstream_if_ready();
  });
}

// Every kLagPeriod while following the upstream: how far behind we are.
void MasterState::log_backup_lag(std::uint64_t generation) {
  if (generation != upstream_generation_ || cluster_state_ != ClusterState::BackingUp) return;
  const Tid last = tm_.last_transaction();
  const Tid backup = backup_->backup_tid_min();
  const double seconds =
      last == kZeroTid || !(backup < last) ? 0.0 : time_from_tid(last) - time_from_tid(backup);
  SPDLOG_INFO("backup of {}: backup_tid {} (upstream last TID {}): {:.1f} s behind",
              backup_->upstream_name(), to_string(backup), to_string(last), seconds);
  hooks_.call_later(kLagPeriod, [weak = weak_from_this(), generation] {
    if (auto self = weak.lock()) self->log_backup_lag(generation);
  });
}

// STOPPING_BACKUP: leave the upstream, wait until every readable cell has
// what the most advanced one of its partition has, then truncate there.
void MasterState::stop_backup(net::Peer& peer) {
  peer.answer_error(errc::ack, "Cluster state changed");
  leave_upstream("leaving backup mode", false);
  backup_->clear_replicating();
  stopping_backup_at_ = backup_tid_ = backup_->backup_tid_max();
  change_cluster_state(ClusterState::StoppingBackup);
  SPDLOG_INFO("STOPPING_BACKUP: waiting for every cell to reach {}",
              to_string(*stopping_backup_at_));
  check_backup_stopped();
}

void MasterState::check_backup_stopped() {
  if (cluster_state_ != ClusterState::StoppingBackup || !stopping_backup_at_) return;
  const Tid tid = *stopping_backup_at_;
  if (backup_->backup_tid_min() < tid) return;
  const Tid last = tm_.last_transaction();
  const bool truncating = tid < last;
  if (truncating)
    SPDLOG_WARN("Truncating at {} (last_tid was {})", to_string(tid), to_string(last));
  else
    SPDLOG_INFO("leaving backup mode at {}", to_string(tid));
  stopping_backup_at_.reset();
  backup_tid_.reset();
  backup_->clear_replicating();
  // Nothing to truncate: a dummy truncation, the cluster may start with
  // any storage missing.
  stop_operation(tid, !truncating);
}

}  // namespace neo::master
