// tests/sim/loop.hpp
// Loop: the simulation's event loop and clock. Every node, link and
// workload of a simulated cluster runs as tasks of one Loop, on one thread,
// in simulated time: a task runs at its time, tasks of the same time in the
// order they were queued. Everything random (latencies, faults, workload)
// draws from the Loop's generator, seeded once: a run is determined by its
// seed and replays exactly.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <random>
#include <unordered_map>
#include <utility>

namespace neo::sim {

using Time = std::chrono::nanoseconds;  // since the start of the simulation

class Loop {
 public:
  using TaskId = std::uint64_t;

  explicit Loop(std::uint64_t seed) : seed_(seed), rng_(seed) {}
  Loop(const Loop&) = delete;
  Loop& operator=(const Loop&) = delete;

  std::uint64_t seed() const { return seed_; }
  Time now() const { return now_; }

  // Queues `fn` to run now, after the tasks already queued for now.
  TaskId post(std::function<void()> fn) { return at(now_, std::move(fn)); }
  // Queues `fn` to run at `time` (now if `time` is past).
  TaskId at(Time time, std::function<void()> fn);
  TaskId after(Time delay, std::function<void()> fn) { return at(now_ + delay, std::move(fn)); }
  // Drops a queued task; nothing if it already ran.
  void cancel(TaskId id);

  // Runs the next task; false if none is queued.
  bool run_one();
  // Runs tasks until `done()` holds (checked after each), nothing is queued,
  // or the next task is later than `limit`. Returns done().
  bool run_until(const std::function<bool()>& done, Time limit);
  // Runs every task due within `duration` from now; the clock ends there.
  void run_for(Time duration);
  bool idle() const { return queue_.empty(); }
  std::uint64_t tasks_run() const { return tasks_run_; }

  // --- Randomness (the only source a simulation uses) ---------------------
  std::mt19937_64& rng() { return rng_; }
  // Uniform in [lo, hi].
  std::uint64_t uniform(std::uint64_t lo, std::uint64_t hi) {
    return std::uniform_int_distribution<std::uint64_t>(lo, hi)(rng_);
  }
  Time uniform(Time lo, Time hi) {
    return Time(static_cast<Time::rep>(
        uniform(static_cast<std::uint64_t>(lo.count()), static_cast<std::uint64_t>(hi.count()))));
  }
  bool chance(double p) { return std::bernoulli_distribution(p)(rng_); }

 private:
  using Key = std::pair<Time, TaskId>;

  std::uint64_t seed_;
  std::mt19937_64 rng_;
  Time now_{0};
  TaskId next_id_ = 1;
  std::uint64_t tasks_run_ = 0;
  std::map<Key, std::function<void()>> queue_;
  std::unordered_map<TaskId, Time> when_;  // queued tasks, for cancel()
};

}  // namespace neo::sim
