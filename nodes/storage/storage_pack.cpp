// StorageState's pack steps (NEO/py's maybePack + BackgroundWorker._task_pack,
// simplified; MasterHandler::maybe_pack drives them): the next pack order
// to process is the master's first one after the smallest completed pack id
// of the own UP_TO_DATE cells; each such partition is packed (whole, by
// chunks of oids, or only the order's oids for a partial pack) and recorded
// packed; a rejected order is only recorded. Each chunk is a step of its own
// on the io thread, committed, so that clients are served between chunks.
#include <spdlog/spdlog.h>

#include <algorithm>

#include "nodes/storage/database/database_logic.hpp"
#include "nodes/storage/storage_state.hpp"

namespace neo::storage {

namespace {
constexpr std::uint64_t kPackChunk = 1000;  // oids per pack_partition call
}

Result<bool> StorageState::pack_step(PackJob& job) {
  if (job.partitions.empty()) return true;
  const protocol::PackOrder& order = job.order;
  const std::uint32_t partition = job.partitions.front();
  const auto next_partition = [&job] {
    job.partitions.erase(job.partitions.begin());
    job.next_oid = Oid{0};
    return job.partitions.empty();
  };
  // Between two steps the cell may have been dropped or become out of date.
  auto packed = db_.packed_ids(true);
  if (!packed) return packed.error();
  if (std::none_of(packed->begin(), packed->end(),
                   [&](const auto& entry) { return entry.first == partition; }))
    return next_partition();
  if (order.approved.value_or(false)) {
    if (order.partial) {
      std::vector<Oid> oids;
      const std::uint32_t np = pt_.num_partitions();
      for (Oid oid : order.oids.value_or(std::vector<Oid>{}))
        if (np && oid.value % np == partition) oids.push_back(oid);
      SPDLOG_INFO("partial pack {} @{}: partition {} ({} oids)", dump_tid(order.pack_id),
                  dump_tid(order.pack_tid), partition, oids.size());
      auto done = db_.pack_oids(partition, oids, order.pack_tid);
      if (!done) return done.error();
    } else {
      if (job.next_oid == Oid{0})
        SPDLOG_INFO("pack {} @{}: partition {}", dump_tid(order.pack_id), dump_tid(order.pack_tid),
                    partition);
      auto done = db_.pack_partition(partition, job.next_oid, order.pack_tid, kPackChunk);
      if (!done) return done.error();
      if (done->last_oid) {  // more of this partition
        job.next_oid = Oid{done->last_oid->value + 1};
        if (std::error_code ec = db_.commit()) return ec;
        return false;
      }
    }
  }
  if (std::error_code ec = db_.set_partition_packed(partition, order.pack_id)) return ec;
  if (std::error_code ec = db_.commit()) return ec;
  return next_partition();
}

Result<std::optional<Tid>> StorageState::next_pack() {
  if (!operational_ || config_.disable_pack) return std::optional<Tid>{};
  auto packed = db_.packed_ids(true);
  if (!packed) return packed.error();
  if (packed->empty()) return std::optional<Tid>{};
  Tid min_packed = packed->front().second;
  for (const auto& [partition, id] : *packed) min_packed = std::min(min_packed, id);
  if (!(min_packed < last_pack_id_)) return std::optional<Tid>{};
  return std::optional<Tid>{Tid{min_packed.value + 1}};
}

Result<std::optional<StorageState::PackJob>> StorageState::start_pack(
    const protocol::PackOrder& order) {
  if (!order.approved)
    return std::optional<PackJob>{};  // not signed yet: wait for NotifyPackSigned
  auto packed = db_.packed_ids(true);
  if (!packed) return packed.error();
  std::vector<std::uint32_t> partitions;
  for (const auto& [partition, id] : *packed)
    if (id < order.pack_id) partitions.push_back(partition);
  if (partitions.empty()) return std::optional<PackJob>{};
  return std::optional<PackJob>{PackJob{order, std::move(partitions), Oid{0}}};
}

Result<std::optional<Tid>> StorageState::pack_completed() {
  auto all = db_.packed_ids(false);
  if (!all) return all.error();
  if (all->empty()) return std::optional<Tid>{};
  Tid completed = all->front().second;
  for (const auto& [partition, id] : *all) completed = std::min(completed, id);
  if (completed_pack_id_ == completed) return std::optional<Tid>{};
  completed_pack_id_ = completed;
  return std::optional<Tid>{completed};
}

}  // namespace neo::storage
