// nodes/master/pack_manager.hpp
// Pack orders known to the master (NEO/py neo/master/pack.py, without the
// querying of old orders): created by a committing client's pack request,
// approved automatically (autosign) unless an order awaits approval,
// completed when every storage with readable cells says so.
// Pure logic; owned by the Master; use from one thread.
#pragma once

#include <map>
#include <optional>
#include <vector>

#include "core/protocol/packets.hpp"
#include "core/util/ids.hpp"

namespace neo::master {

class PackManager {
 public:
  void reset() { *this = PackManager{}; }
  // Adds an order read from the storages (verification); an existing one
  // only gets its approval if still undecided.
  void add(const protocol::PackOrder& order);
  // A pack requested by the transaction committed as `tid`: whether it is
  // approved right away (AskLockInformation's pack flag).
  bool create(Tid tid, std::optional<std::vector<Oid>> oids, Tid pack_tid);
  bool contains(Tid tid) const { return packs_.count(tid) != 0; }
  std::optional<bool> approved(Tid tid) const;
  // Backup mode: the upstream signed order `tid`; false if it is unknown.
  bool sign(Tid tid, bool approved);
  // Orders from `pack_id` on, by TID; only the first approved one if asked.
  std::vector<protocol::PackOrder> dump(Tid pack_id, bool only_first_approved) const;
  // NotifyPackSigned for a storage becoming ready: (approved, rejected).
  protocol::NotifyPackSigned approved_rejected(Tid min_tid = kZeroTid) const;
  // Every order up to `pack_id` is completed: forgotten, returned.
  std::vector<Tid> completed(Tid pack_id);
  std::optional<Tid> max_completed() const { return max_completed_; }
  void set_max_completed(std::optional<Tid> tid) { max_completed_ = tid; }

 private:
  std::map<Tid, protocol::PackOrder> packs_;
  std::optional<Tid> max_completed_;
};

}  // namespace neo::master
