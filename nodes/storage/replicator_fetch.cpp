// Replicator: the fetching of one partition (transactions, then objects,
// chunk by chunk) and its end.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

#include "core/util/record_data.hpp"
#include "nodes/storage/replicator.hpp"

namespace neo::storage {

namespace {

Tid add(Tid tid, std::int64_t delta) { return Tid{tid.value + static_cast<std::uint64_t>(delta)}; }

}  // namespace

template <class A>
net::AnswerCallback<A> Replicator::on_answer(void (Replicator::*fn)(const A&)) {
  return [this, fn, owner = std::weak_ptr<Replicator*>(self_), generation = generation_](
             Result<A> answer, std::string_view message) {
    if (owner.expired() || generation != generation_) return;
    if (!answer)
      return abort(
          "source message: " + std::string(message),
          answer.error() == errc::replication_error ? Failure::Source : Failure::Connection);
    (this->*fn)(*answer);
  };
}

void Replicator::fetch_transactions(std::optional<Tid> min_tid) {
  const std::uint32_t offset = *current_;
  Partition& p = partitions_.at(offset);
  bool ask_pack_info = false;
  const bool next_chunk = min_tid.has_value();
  if (min_tid) {
    p.next_trans = *min_tid;
  } else {
    min_tid = p.next_trans;
    replicate_tid_ = replicate_.at(offset);
    replicate_.erase(offset);
    ask_pack_info = true;
    if (sources_.count(offset))  // backup mode: one order per commit, logged in debug
      SPDLOG_DEBUG("replicating partition {} from {}:{} up to {} (from {})", offset,
                   source_.address.host, source_.address.port, to_string(replicate_tid_),
                   to_string(*min_tid));
    else
      SPDLOG_INFO("replicating partition {} from {} up to {} (from {})", offset,
                  to_string(source_.nid), to_string(replicate_tid_), to_string(*min_tid));
  }
  Result<std::vector<Tid>> have =
      state_.db().replication_tid_list(*min_tid, replicate_tid_, kFetchCount, offset);
  if (failed(have ? std::error_code{} : have.error(), "listing transactions")) return;
  const protocol::AskFetchTransactions ask{static_cast<std::int64_t>(offset),
                                           kFetchCount,
                                           *min_tid,
                                           replicate_tid_,
                                           std::move(*have),
                                           ask_pack_info};
  msg_id_ = source_.peer->ask(ask, on_answer(&Replicator::fetched_transactions));
  if (next_chunk) commit_due_ = true;
}

void Replicator::add_transaction(net::Peer& peer, const protocol::AddTransaction& p) {
  if (!current_request(peer, peer.msg_id())) {
    SPDLOG_DEBUG("ignored AddTransaction {} of another request", to_string(p.tid));
    return;
  }
  if (!commit_if_due()) return;
  const TransactionMeta meta{p.oid_list, p.user, p.description, p.extension, p.packed, p.ttid};
  if (failed(state_.db().store_transaction(p.tid, {}, &meta, false), "storing a transaction"))
    return;
  if (p.pack && failed(state_.db().store_pack_order(p.tid, p.pack->approved, p.pack->partial,
                                                    p.pack->oids, p.pack->pack_tid),
                       "storing a pack order"))
    return;
  ++transactions_;
  bytes_ += p.user.size() + p.description.size() + p.extension.size() + 8 * p.oid_list.size();
}

void Replicator::fetched_transactions(const protocol::AnswerFetchTransactions& answer) {
  if (!commit_if_due()) return;
  for (Tid tid : answer.tid_list)
    if (failed(state_.db().delete_transaction(tid), "deleting a transaction")) return;
  if (answer.completed_pack &&
      failed(state_.db().update_completed_pack_by_replication(*current_, *answer.completed_pack),
             "recording the completed pack"))
    return;
  if (answer.next_tid) return fetch_transactions(answer.next_tid);
  fetch_objects(std::nullopt, Oid{});
}

void Replicator::fetch_objects(std::optional<Tid> min_tid, Oid min_oid) {
  const std::uint32_t offset = *current_;
  Partition& p = partitions_.at(offset);
  const bool next_chunk = min_tid.has_value();
  if (min_tid) {
    p.next_obj = *min_tid;
    update_backup_tid(false);
  } else {
    min_tid = p.next_obj;
    p.next_trans = add(replicate_tid_, 1);
    if (!sign_pending(p)) return;
  }
  Result<std::vector<std::pair<Tid, Oid>>> have =
      state_.db().replication_object_list(*min_tid, replicate_tid_, kFetchCount, offset, min_oid);
  if (failed(have ? std::error_code{} : have.error(), "listing objects")) return;
  protocol::AskFetchObjects ask{
      static_cast<std::int64_t>(offset), kFetchCount, *min_tid, replicate_tid_, min_oid, {}};
  for (const auto& [serial, oid] : *have) {
    if (ask.object_dict.empty() || ask.object_dict.back().first != serial)
      ask.object_dict.emplace_back(serial, std::vector<Oid>{});
    ask.object_dict.back().second.push_back(oid);
  }
  msg_id_ = source_.peer->ask(ask, on_answer(&Replicator::fetched_objects));
  if (next_chunk &&
      failed(state_.db().update_cell_tid(offset, add(*min_tid, -1)), "recording progress"))
    return;
  commit_due_ = true;
}

// A chunk's commit need not wait for the disk: lost with the machine, it is
// fetched again. finish() commits with a sync before the replication is
// reported done.
bool Replicator::commit_if_due() {
  return !std::exchange(commit_due_, false) || !failed(state_.db().commit_unsynced(), "commit");
}

void Replicator::add_object(net::Peer& peer, const protocol::AddObject& p) {
  if (!current_request(peer, peer.msg_id())) {
    SPDLOG_DEBUG("ignored AddObject {}:{} of another request", to_string(Tid{p.oid.value}),
                 to_string(p.serial));
    return;
  }
  if (!commit_if_due()) return;
  std::optional<std::uint64_t> data_id;
  if (!is_no_data(p.data, p.checksum)) {
    Result<std::optional<std::uint64_t>> stored =
        state_.db().store_data(p.checksum, p.oid, p.data, p.compression, p.data_serial);
    if (failed(stored ? std::error_code{} : stored.error(), "storing object data")) return;
    data_id = *stored;
  }
  const ObjectRef object{p.oid, data_id, p.data_serial};
  if (failed(state_.db().store_transaction(p.serial, std::span(&object, 1), nullptr, false),
             "storing an object"))
    return;
  ++objects_;
  bytes_ += p.data.size();
}

void Replicator::fetched_objects(const protocol::AnswerFetchObjects& answer) {
  if (!commit_if_due()) return;
  for (const auto& [serial, oids] : answer.object_dict)
    for (Oid oid : oids)
      if (failed(state_.db().delete_object(oid, serial), "deleting an object")) return;
  if (answer.next_tid) return fetch_objects(answer.next_tid, answer.next_oid.value_or(Oid{}));
  finish();
}

void Replicator::finish() {
  const std::uint32_t offset = *current_;
  const Tid tid = replicate_tid_;
  current_.reset();
  msg_id_.reset();
  Partition& p = partitions_.at(offset);
  p.next_obj = add(tid, 1);
  update_backup_tid(false);
  if (failed(state_.db().update_cell_tid(offset, tid), "recording progress")) return;
  if (failed(state_.db().commit(), "commit")) return;
  const double seconds = std::chrono::duration<double>(tasks_.now() - started_).count() + 1e-9;
  if (sources_.count(offset)) {
    // Backup mode: each order is reported (NotifyReplicationDone).
    SPDLOG_DEBUG("partition {} replicated up to {} from {}:{}", offset, to_string(tid),
                 source_.address.host, source_.address.port);
    if (failed(state_.tm().replicated(offset, tid), "notifying a replication")) return;
  } else if (p.max_ttid || replicate_.count(offset)) {
    SPDLOG_INFO("partition {} replicated up to {}; waiting for {} unfinished transaction(s)",
                offset, to_string(tid), ttids_.size());
  } else {
    ++done_;
    SPDLOG_INFO(
        "partition {} replicated up to {} from {} ({}/{} done; {} transactions, {} objects, "
        "{:.1f} MB in {:.1f} s, {:.1f} MB/s)",
        offset, to_string(tid), to_string(source_.nid), done_, total_, transactions_, objects_,
        bytes_ / 1e6, seconds, bytes_ / 1e6 / seconds);
    if (failed(state_.tm().replicated(offset, tid), "notifying a replication")) return;
  }
  if (state_.nid() && !std::ranges::count(state_.pt().outdated_partitions(*state_.nid()), offset))
    hooks_.maybe_pack();
  next_partition();
}

// ---- Pack orders in backup mode (NEO/py's filterPackable and
// keepPendingSignedPackOrders) ----

void Replicator::keep_pending_signatures(const protocol::NotifyPackSigned& pending) {
  const std::uint32_t np = state_.pt().num_partitions();
  if (!np) return;
  for (auto [tids, approved] : {std::pair{&pending.approved, true}, {&pending.rejected, false}})
    for (Tid tid : *tids)
      if (auto it = partitions_.find(static_cast<std::uint32_t>(tid.value % np));
          it != partitions_.end())
        (approved ? it->second.pending.approved : it->second.pending.rejected).push_back(tid);
}

bool Replicator::sign_pending(Partition& p) {
  if (p.pending.approved.empty() && p.pending.rejected.empty()) return true;
  auto left = state_.sign_pack_orders(p.pending);
  if (failed(left ? std::error_code{} : left.error(), "signing pack orders")) return false;
  p.pending = std::move(*left);
  commit_due_ = true;
  return true;
}

bool Replicator::packable(std::uint32_t partition, Tid pack_id) const {
  if (!state_.db().backup_tid()) return true;
  auto it = partitions_.find(partition);
  return it == partitions_.end() ||
         (pack_id < it->second.next_trans && pack_id < it->second.next_obj);
}

}  // namespace neo::storage
