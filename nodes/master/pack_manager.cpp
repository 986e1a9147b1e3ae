#include "nodes/master/pack_manager.hpp"

#include <algorithm>

namespace neo::master {

void PackManager::add(const protocol::PackOrder& order) {
  auto it = packs_.find(order.pack_id);
  if (it == packs_.end()) {
    packs_[order.pack_id] = order;
    if (max_completed_ && *max_completed_ > order.pack_id)
      max_completed_ = Tid{order.pack_id.value - 1};
  } else if (!it->second.approved) {
    it->second.approved = order.approved;
  }
}

bool PackManager::create(Tid tid, std::optional<std::vector<Oid>> oids, Tid pack_tid) {
  const bool autosign = std::none_of(packs_.begin(), packs_.end(),
                                     [](auto& p) { return !p.second.approved.has_value(); });
  const bool partial = oids && !oids->empty();
  packs_[tid] = protocol::PackOrder{tid, autosign ? std::optional<bool>(true) : std::nullopt,
                                    partial, std::move(oids), pack_tid};
  return autosign;
}

std::optional<bool> PackManager::approved(Tid tid) const {
  auto it = packs_.find(tid);
  return it == packs_.end() ? std::nullopt : it->second.approved;
}

bool PackManager::sign(Tid tid, bool approved) {
  auto it = packs_.find(tid);
  if (it == packs_.end()) return false;
  it->second.approved = approved;
  return true;
}

std::vector<protocol::PackOrder> PackManager::dump(Tid pack_id, bool only_first_approved) const {
  std::vector<protocol::PackOrder> out;
  for (auto it = packs_.lower_bound(pack_id); it != packs_.end(); ++it) {
    if (only_first_approved) {
      if (it->second.approved.value_or(false)) return {it->second};
      continue;
    }
    out.push_back(it->second);
  }
  return out;
}

protocol::NotifyPackSigned PackManager::approved_rejected(Tid min_tid) const {
  protocol::NotifyPackSigned out;
  if (max_completed_ && min_tid <= *max_completed_) out.approved.push_back(*max_completed_);
  for (auto it = packs_.lower_bound(min_tid); it != packs_.end(); ++it)
    if (it->second.approved)
      (*it->second.approved ? out.approved : out.rejected).push_back(it->first);
  return out;
}

std::vector<Tid> PackManager::completed(Tid pack_id) {
  std::vector<Tid> out;
  while (!packs_.empty() && packs_.begin()->first <= pack_id) {
    out.push_back(packs_.begin()->first);
    if (!max_completed_ || *max_completed_ < out.back()) max_completed_ = out.back();
    packs_.erase(packs_.begin());
  }
  return out;
}

}  // namespace neo::master
