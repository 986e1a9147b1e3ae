// nodes/storage/event_queue.hpp
// Requests that must wait (a store behind another transaction's write lock,
// a load of an object being committed), retried in key order when a lock is
// released, as NEO/py's EventQueue: an event returns true when it is done
// (answered, or dropped because its connection closed), false to stay
// queued. execute() is not reentrant: called again from inside an event, it
// makes the running pass restart from the first event once that event returns.
// Owned by the TransactionManager; io thread only.
#pragma once

#include <algorithm>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "core/util/ids.hpp"

namespace neo::storage {

class EventQueue {
 public:
  using Event = std::function<bool()>;

  // Queues `event`; events with a key are kept sorted by key (stable; keyless first).
  void queue(Event event, std::optional<Tid> key = std::nullopt) {
    events_.push_back({key, std::make_shared<Event>(std::move(event))});
    if (key)
      std::stable_sort(events_.begin(), events_.end(), [](const Entry& a, const Entry& b) {
        return std::pair(a.key.has_value(), a.key.value_or(Tid{})) <
               std::pair(b.key.has_value(), b.key.value_or(Tid{}));
      });
    if (executing_) rerun_ = true;
  }

  // Retries every queued event in order, dropping those that are done.
  void execute() {
    if (events_.empty()) return;
    if (executing_) {
      rerun_ = true;
      return;
    }
    executing_ = true;
    do {
      rerun_ = false;
      for (std::size_t i = 0; i < events_.size() && !rerun_;) {
        std::shared_ptr<Event> event = events_[i].event;
        if ((*event)()) {
          auto it = std::find_if(events_.begin(), events_.end(),
                                 [&](const Entry& e) { return e.event == event; });
          if (it != events_.end()) events_.erase(it);
          if (rerun_) break;
        } else {
          ++i;
        }
      }
    } while (rerun_);
    executing_ = false;
  }

  void clear() { events_.clear(); }
  std::size_t size() const { return events_.size(); }

 private:
  struct Entry {
    std::optional<Tid> key;
    std::shared_ptr<Event> event;
  };
  std::vector<Entry> events_;
  bool executing_ = false;
  bool rerun_ = false;
};

}  // namespace neo::storage
