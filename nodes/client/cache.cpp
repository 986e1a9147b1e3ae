#include "nodes/client/cache.hpp"

namespace neo::client {

const Cache::Entry* Cache::touch(Item& item) {
  lru_.splice(lru_.begin(), lru_, item.lru);
  return &item.entry;
}

const Cache::Entry* Cache::current(Oid oid) {
  auto object = objects_.find(oid);
  if (object == objects_.end() || object->second.empty()) return nullptr;
  Item& newest = object->second.rbegin()->second;
  return newest.entry.next_serial ? nullptr : touch(newest);
}

const Cache::Entry* Cache::before(Oid oid, Tid before, Tid known) {
  auto object = objects_.find(oid);
  if (object == objects_.end()) return nullptr;
  auto it = object->second.lower_bound(before);  // first serial >= before
  if (it == object->second.begin()) return nullptr;
  Item& item = (--it)->second;
  const auto& next = item.entry.next_serial;
  if (next ? before <= *next : before <= known) return touch(item);
  return nullptr;
}

const Cache::Entry* Cache::at(Oid oid, Tid serial) {
  auto object = objects_.find(oid);
  if (object == objects_.end()) return nullptr;
  auto it = object->second.find(serial);
  return it == object->second.end() ? nullptr : touch(it->second);
}

void Cache::store(Oid oid, Tid serial, std::optional<Tid> next_serial, std::string data) {
  Entry entry{serial, next_serial, std::move(data)};
  if (cost(entry) > max_bytes_ / 4) return;
  // Drop a revision with the same serial first: erase() may remove the
  // object's map when it was its only revision.
  if (auto object = objects_.find(oid); object != objects_.end()) {
    if (auto old = object->second.find(serial); old != object->second.end()) erase(oid, old);
  }
  Revisions& revisions = objects_[oid];
  lru_.emplace_front(oid, serial);
  bytes_ += cost(entry);
  revisions.emplace(serial, Item{std::move(entry), lru_.begin()});
  while (bytes_ > max_bytes_) {
    auto [victim_oid, victim_serial] = lru_.back();
    auto& victims = objects_[victim_oid];
    erase(victim_oid, victims.find(victim_serial));
  }
}

void Cache::invalidate(Oid oid, Tid tid) {
  auto object = objects_.find(oid);
  if (object == objects_.end() || object->second.empty()) return;
  Entry& newest = object->second.rbegin()->second.entry;
  if (!newest.next_serial && newest.serial < tid) newest.next_serial = tid;
}

void Cache::erase(Oid oid, Revisions::iterator it) {
  auto object = objects_.find(oid);
  bytes_ -= cost(it->second.entry);
  lru_.erase(it->second.lru);
  object->second.erase(it);
  if (object->second.empty()) objects_.erase(object);
}

void Cache::clear() {
  objects_.clear();
  lru_.clear();
  bytes_ = 0;
}

}  // namespace neo::client
