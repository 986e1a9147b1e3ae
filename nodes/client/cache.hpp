// nodes/client/cache.hpp
// The client's cache of object revisions, bounded in bytes (least recently
// used revisions go first). A revision is valid from its serial until its
// next_serial; the current one (no next_serial) until an invalidation ends
// it. Pure data; used on the client's I/O thread.
#pragma once

#include <cstddef>
#include <list>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include "core/util/ids.hpp"

namespace neo::client {

class Cache {
 public:
  struct Entry {
    Tid serial{};
    std::optional<Tid> next_serial;
    std::string data;
  };

  explicit Cache(std::size_t max_bytes) : max_bytes_(max_bytes) {}

  // The current revision of `oid`.
  const Entry* current(Oid oid);
  // The revision current just before `before`; the current revision counts
  // only if `before` <= `known`, the next TID this client may not know of.
  const Entry* before(Oid oid, Tid before, Tid known);
  // Revision `serial`.
  const Entry* at(Oid oid, Tid serial);

  // Adds a revision (replacing one with the same serial). Revisions larger
  // than a quarter of the cache are not kept.
  void store(Oid oid, Tid serial, std::optional<Tid> next_serial, std::string data);
  // Transaction `tid` changed `oid`: its current revision ends at `tid`.
  void invalidate(Oid oid, Tid tid);
  void clear();

  std::size_t bytes() const { return bytes_; }
  std::size_t records() const { return lru_.size(); }

 private:
  struct Item {
    Entry entry;
    std::list<std::pair<Oid, Tid>>::iterator lru;
  };
  using Revisions = std::map<Tid, Item>;  // by serial
  const Entry* touch(Item& item);
  void erase(Oid oid, Revisions::iterator it);
  static std::size_t cost(const Entry& entry) { return entry.data.size() + 64; }

  std::size_t max_bytes_;
  std::size_t bytes_ = 0;
  std::map<Oid, Revisions> objects_;
  std::list<std::pair<Oid, Tid>> lru_;  // most recently used first
};

}  // namespace neo::client
