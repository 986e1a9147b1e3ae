#include "nodes/master/backup.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace neo::master {

namespace {
Tid minus_one(Tid tid) { return Tid{tid.value - 1}; }
}  // namespace

Backup::Backup(std::string upstream_name, Host host)
    : upstream_name_(std::move(upstream_name)), host_(std::move(host)) {}

std::vector<NodeId> Backup::readable(std::uint32_t offset) const {
  std::vector<NodeId> out;
  for (const pt::Cell& cell : host_.pt().cells(offset, true)) out.push_back(cell.nid);
  return out;
}

void Backup::set_backup_tids(const std::map<NodeId, Tid>& tids) {
  cells_.clear();
  const pt::PartitionTable& pt = host_.pt();
  for (std::uint32_t offset = 0; offset < pt.num_partitions(); ++offset)
    for (NodeId nid : readable(offset)) {
      auto it = tids.find(nid);
      cell(offset, nid).backup_tid = it == tids.end() ? kZeroTid : it->second;
    }
}

Tid Backup::cell_backup_tid(std::uint32_t offset, NodeId nid) const {
  auto it = cells_.find({offset, nid});
  return it == cells_.end() ? kZeroTid : it->second.backup_tid;
}

Tid Backup::backup_tid(bool use_min) const {
  const pt::PartitionTable& pt = host_.pt();
  std::optional<Tid> result;
  for (std::uint32_t offset = 0; offset < pt.num_partitions(); ++offset) {
    std::optional<Tid> row;
    for (NodeId nid : readable(offset)) {
      const Tid tid = cell_backup_tid(offset, nid);
      if (!row || (use_min ? tid < *row : *row < tid)) row = tid;
    }
    if (!row) return kZeroTid;  // a partition without readable cell
    if (!result || *row < *result) result = row;
  }
  return result.value_or(kZeroTid);
}

void Backup::cells_changed(std::span<const protocol::CellChange> cells) {
  for (const protocol::CellChange& c : cells)
    if (!pt::is_readable(c.state)) cells_.erase({static_cast<std::uint32_t>(c.offset), c.nid});
}

void Backup::reset() {
  primary_.clear();
  tids_.assign(host_.pt().num_partitions(), {});
  upstream_nm_.clear();
  upstream_pt_ = pt::PartitionTable{};
  upstream_pt_loaded_ = false;
}

void Backup::clear_replicating() {
  for (auto& [key, tids] : cells_) tids.replicating = kZeroTid;
}

std::optional<NodeId> Backup::primary(std::uint32_t offset) const {
  auto it = primary_.find(offset);
  return it == primary_.end() ? std::nullopt : std::optional(it->second);
}

void Backup::send_replicate(NodeId to, Tid tid, std::uint32_t offset, NodeId from) {
  SPDLOG_DEBUG("ask {} to replicate partition {} up to {} from {}", to_string(to), offset,
               to_string(tid), to_string(from));
  host_.send(to, protocol::Replicate{tid, "", {{offset, host_.address(from)}}});
}

void Backup::invalidate(Tid tid, Tid prev_tid, const std::set<std::uint32_t>& partitions) {
  std::set<NodeId> to_trigger;
  std::map<NodeId, std::vector<std::uint32_t>> untouched;
  const std::uint32_t np = host_.pt().num_partitions();
  if (tids_.size() != np) tids_.resize(np);
  for (std::uint32_t offset = 0; offset < np; ++offset) {
    const Tid last_max = tids_[offset].empty() ? prev_tid : tids_[offset].back();
    if (!partitions.count(offset)) {
      // Not modified: up-to-date cells move forward without replicating.
      for (NodeId nid : readable(offset)) {
        CellTids& c = cell(offset, nid);
        if (last_max <= c.backup_tid) {
          c.backup_tid = tid;
          untouched[nid].push_back(offset);
        } else if (last_max <= c.replicating) {
          c.replicating = tid;
        }
      }
      continue;
    }
    std::vector<NodeId> candidates, ready;
    for (NodeId nid : readable(offset)) {
      CellTids& c = cell(offset, nid);
      if (c.backup_tid == prev_tid) {
        if (prev_tid == tid) {
          // (Re)connecting: cells up to date with the upstream may be primary.
          if (host_.ready(nid)) candidates.push_back(nid);
          continue;
        }
        // All data up to the TID before this one (NEO/py's choice: the
        // highest possible, so that leaving backup loses the least).
        c.backup_tid = minus_one(tid);
      }
      if (host_.ready(nid)) ready.push_back(nid);
    }
    const std::vector<NodeId>& choice = candidates.empty() ? ready : candidates;
    if (!primary_.count(offset) && !choice.empty())
      primary_[offset] = choice[random_() % choice.size()];
    if (ready.empty()) continue;
    tids_[offset].push_back(tid);
    if (!candidates.empty())
      trigger_secondary(primary_.at(offset), offset, tid);
    else
      to_trigger.insert(ready.begin(), ready.end());
  }
  for (const auto& [nid, offsets] : untouched) {
    if (!host_.ready(nid)) continue;
    protocol::Replicate order{tid, "", {}};
    for (std::uint32_t offset : offsets) order.source_dict.emplace_back(offset, std::nullopt);
    host_.send(nid, order);
  }
  for (NodeId nid : to_trigger) trigger(nid);
}

std::optional<protocol::Address> Backup::upstream_source(
    std::uint32_t offset, std::set<std::pair<std::string, std::uint16_t>>& used) {
  if (!upstream_pt_loaded_ || offset >= upstream_pt_.num_partitions()) return std::nullopt;
  std::vector<protocol::Address> addresses;
  for (const pt::Cell& cell : upstream_pt_.cells(offset, true)) {
    const node::Node* node = upstream_nm_.by_nid(cell.nid);
    if (node && node->address() && node->is_running()) addresses.push_back(*node->address());
  }
  if (addresses.empty()) return std::nullopt;
  std::shuffle(addresses.begin(), addresses.end(), random_);
  // One already chosen for another partition if possible: one connection.
  for (const protocol::Address& a : addresses)
    if (used.count({a.host, a.port})) return a;
  used.insert({addresses.back().host, addresses.back().port});
  return addresses.back();
}

protocol::CheckSource Backup::check_source(std::uint32_t offset) {
  std::set<std::pair<std::string, std::uint16_t>> used;
  std::optional<protocol::Address> address = upstream_source(offset, used);
  if (!address) return {};
  return {upstream_name_, std::move(address)};
}

void Backup::trigger(NodeId nid) {
  const Tid tid = host_.last_tid();
  protocol::Replicate order{tid, upstream_name_, {}};
  std::set<std::pair<std::string, std::uint16_t>> used;
  for (const auto& [offset, c] : host_.pt().cells_of(nid)) {
    if (offset >= tids_.size() || tids_[offset].empty() || primary(offset) != nid) continue;
    CellTids& tids = cell(offset, nid);
    if (!(std::max(tids.backup_tid, tids.replicating) < tids_[offset].back())) continue;
    std::optional<protocol::Address> source = upstream_source(offset, used);
    if (!source) {
      SPDLOG_WARN("partition {}: no readable upstream cell to replicate from", offset);
      continue;
    }
    tids.replicating = tid;
    SPDLOG_DEBUG("ask {} to replicate partition {} up to {} from upstream {}:{}", to_string(nid),
                 offset, to_string(tid), source->host, source->port);
    order.source_dict.emplace_back(offset, std::move(source));
  }
  if (!order.source_dict.empty()) host_.send(nid, order);
}

void Backup::trigger_secondary(NodeId primary, std::uint32_t offset, Tid tid) {
  for (NodeId nid : readable(offset)) {
    CellTids& c = cell(offset, nid);
    if (!(std::max(c.backup_tid, c.replicating) < tid)) continue;
    c.replicating = tid;
    send_replicate(nid, tid, offset, primary);
  }
}

void Backup::replication_done(NodeId nid, std::uint32_t offset, Tid tid, bool backing_up) {
  if (tids_.size() <= offset) tids_.resize(offset + 1);
  std::vector<Tid>& tids = tids_[offset];
  CellTids& c = cell(offset, nid);
  if (!tids.empty()) {  // empty: out-of-date cell, or not following yet
    if (tid < tids.front()) {
      c.replicating = tid;
    } else if (auto it = std::upper_bound(tids.begin(), tids.end(), tid); it != tids.end()) {
      tid = minus_one(*it);
    } else if (const Tid last = host_.last_tid(); tid < last) {
      tid = last;
      host_.send(nid, protocol::Replicate{tid, "", {{offset, std::nullopt}}});
    }
  }
  SPDLOG_DEBUG("partition {}: backup_tid of {} -> {}", offset, to_string(nid), to_string(tid));
  c.backup_tid = tid;
  // The TIDs every readable cell has are not needed any more.
  std::optional<Tid> oldest;
  for (NodeId other : readable(offset)) {
    const Tid t = cell_backup_tid(offset, other);
    if (!oldest || t < *oldest) oldest = t;
  }
  if (oldest) tids.erase(tids.begin(), std::upper_bound(tids.begin(), tids.end(), *oldest));
  const std::optional<NodeId> primary_nid = primary(offset);
  const bool is_primary = primary_nid == nid;
  if (!is_primary && host_.set_up_to_date(nid, offset)) {
    // It was out of date: it catches up with the primary cell.
    if (!primary_nid) return;
    const Tid max_tid = cell_backup_tid(offset, *primary_nid);
    if (tid < max_tid) {
      cell(offset, nid).replicating = max_tid;
      send_replicate(nid, max_tid, offset, *primary_nid);
    }
    return;
  }
  if (backing_up) trigger(nid);
  if (is_primary) trigger_secondary(nid, offset, tid);
}

void Backup::node_lost(NodeId nid) {
  std::set<NodeId> to_trigger;
  for (auto it = primary_.begin(); it != primary_.end();) {
    const std::uint32_t offset = it->first;
    if (it->second != nid) {
      ++it;
      continue;
    }
    const std::vector<NodeId> cells = readable(offset);
    if (cells.empty()) {
      it = primary_.erase(it);
      continue;
    }
    NodeId best = cells.front();
    for (NodeId other : cells)
      if (cell_backup_tid(offset, best) < cell_backup_tid(offset, other)) best = other;
    const Tid tid = cell_backup_tid(offset, best);
    it->second = best;
    SPDLOG_INFO("partition {}: {} lost, {} is the primary cell now (backup_tid {})", offset,
                to_string(nid), to_string(best), to_string(tid));
    for (NodeId other : cells) {
      CellTids& c = cell(offset, other);
      c.replicating = tid;
      if (c.backup_tid < tid) send_replicate(other, tid, offset, best);
    }
    to_trigger.insert(best);
    ++it;
  }
  for (NodeId n : to_trigger) trigger(n);
}

std::vector<std::string> Backup::dump() const {
  std::vector<std::string> lines{"backup of " + upstream_name_ + ":"};
  for (const auto& [key, tids] : cells_) {
    const auto& [offset, nid] = key;
    std::string line = "  partition " + std::to_string(offset) + " " + to_string(nid) +
                       " backup_tid=" + to_string(tids.backup_tid) +
                       " replicating=" + to_string(tids.replicating);
    if (primary(offset) == nid) line += " (primary)";
    if (offset < tids_.size() && !tids_[offset].empty())
      line += " pending=" + std::to_string(tids_[offset].size());
    lines.push_back(std::move(line));
  }
  return lines;
}

}  // namespace neo::master
