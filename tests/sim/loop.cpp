#include "tests/sim/loop.hpp"

#include <algorithm>

namespace neo::sim {

Loop::TaskId Loop::at(Time time, std::function<void()> fn) {
  const TaskId id = next_id_++;
  time = std::max(time, now_);
  queue_.emplace(Key{time, id}, std::move(fn));
  when_.emplace(id, time);
  return id;
}

void Loop::cancel(TaskId id) {
  auto it = when_.find(id);
  if (it == when_.end()) return;
  queue_.erase(Key{it->second, id});
  when_.erase(it);
}

bool Loop::run_one() {
  if (queue_.empty()) return false;
  auto first = queue_.begin();
  now_ = first->first.first;
  std::function<void()> fn = std::move(first->second);
  when_.erase(first->first.second);
  queue_.erase(first);
  ++tasks_run_;
  fn();
  return true;
}

bool Loop::run_until(const std::function<bool()>& done, Time limit) {
  while (!done()) {
    if (queue_.empty() || queue_.begin()->first.first > limit) return false;
    run_one();
  }
  return true;
}

void Loop::run_for(Time duration) {
  const Time end = now_ + duration;
  while (!queue_.empty() && queue_.begin()->first.first <= end) run_one();
  now_ = std::max(now_, end);
}

}  // namespace neo::sim
