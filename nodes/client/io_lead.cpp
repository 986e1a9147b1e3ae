#include "nodes/client/io_lead.hpp"

#include <algorithm>
#include <asio/post.hpp>
#include <thread>

namespace neo::client {

namespace {

// Most answers come back within a loopback round trip: the leader waits for
// them awake (polling the sockets), as waking a sleeping thread can cost
// more than the trip itself (~75 us on a VM whose idle vCPUs halt). At most
// one spinning thread per two cores, so that spinning callers do not take
// the CPU from the servers; and while spins keep failing (a loaded cluster,
// a slow network), only one call in 32 tries, to notice when answers are
// quick again.
class Spinner {
 public:
  template <class Ready>
  void wait(std::chrono::microseconds spin, Ready ready) {
    const bool probe = probes_.fetch_add(1, std::memory_order_relaxed) % 32 == 0;
    if (credit_.load(std::memory_order_relaxed) <= 0 && !probe) return;
    if (spinning_.fetch_add(1, std::memory_order_relaxed) < max_spinning_) {
      const auto end = std::chrono::steady_clock::now() + spin;
      bool answered = false;
      while (!(answered = ready()) && std::chrono::steady_clock::now() < end) {
      }
      const int credit = credit_.load(std::memory_order_relaxed);
      credit_.store(answered ? std::min(credit + 1, 16) : std::max(credit - 1, 0),
                    std::memory_order_relaxed);
    }
    spinning_.fetch_sub(1, std::memory_order_relaxed);
  }

 private:
  std::atomic<unsigned> spinning_{0};
  const unsigned max_spinning_ = std::max(1u, std::thread::hardware_concurrency() / 2);
  std::atomic<int> credit_{16};
  std::atomic<unsigned> probes_{0};
};

Spinner spinner;

}  // namespace

IoLead::IoLead(asio::io_context& context, std::chrono::microseconds handover)
    : context_(context), handover_(handover) {}

bool IoLead::io_thread_due(Clock::time_point now) const {
  if (leader_ != Leader::none || followers_.load() > 0) return false;
  return unrun_.load() > 0 || now >= released_at_ + handover_;
}

void IoLead::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    while (!context_.stopped() && !io_thread_due(Clock::now())) {
      // Bounded waits: a call may lead for long, and stop() does not notify.
      const bool idle = leader_ == Leader::none && followers_.load() == 0;
      io_cv_.wait_until(lock, idle ? released_at_ + handover_ : Clock::now() + handover_);
    }
    if (context_.stopped()) return;
    leader_ = Leader::io_thread;
    lock.unlock();
    std::size_t ran = 1;
    while (ran != 0 && followers_.load() == 0) ran = context_.run_one();
    lock.lock();
    leader_ = Leader::none;
    released_at_ = Clock::now();  // a follower takes the lead meanwhile
    if (followers_.load() > 0) followers_cv_.notify_all();
    if (ran == 0) return;  // stopped
  }
}

void IoLead::post_locked(std::function<void()> fn) {
  unrun_.fetch_add(1);
  asio::post(context_, [this, fn = std::move(fn)] {
    unrun_.fetch_sub(1);
    fn();
  });
}

void IoLead::post(std::function<void()> fn, bool wake) {
  std::lock_guard lock(mutex_);
  post_locked(std::move(fn));
  if (wake && leader_ == Leader::none) io_cv_.notify_one();
}

void IoLead::wake() {
  std::lock_guard lock(mutex_);
  if (leader_ == Leader::none) io_cv_.notify_one();
}

bool IoLead::call(std::function<void()> fn, const std::atomic<bool>& done,
                  Clock::time_point deadline, std::chrono::microseconds spin) {
  std::unique_lock lock(mutex_);
  if (leader_ == Leader::none) {
    leader_ = Leader::caller;
    lock.unlock();
    Releaser releaser{*this};  // also if a handler throws
    // Run by the context, as any handler (asio::dispatch and co_spawn behave
    // differently outside it), after what was posted before (a transaction's
    // stores) and what has arrived (invalidations).
    asio::post(context_, std::move(fn));
    context_.poll();
    return lead(done, deadline, spin);
  }
  // Another thread leads (its epoll is woken by the post): wait for it to
  // finish the work, or to hand the lead over.
  followers_.fetch_add(1);
  post_locked(std::move(fn));
  for (;;) {
    if (done.load()) break;
    if (leader_ == Leader::none) {
      leader_ = Leader::caller;
      followers_.fetch_sub(1);
      lock.unlock();
      Releaser releaser{*this};
      return lead(done, deadline, spin);
    }
    if (followers_cv_.wait_until(lock, deadline) == std::cv_status::timeout && !done.load() &&
        leader_ != Leader::none)
      break;
  }
  followers_.fetch_sub(1);
  if (leader_ == Leader::none && followers_.load() == 0 && unrun_.load() > 0) io_cv_.notify_one();
  return done.load();
}

bool IoLead::lead(const std::atomic<bool>& done, Clock::time_point deadline,
                  std::chrono::microseconds spin) {
  if (spin.count() > 0 && !done.load()) {
    spinner.wait(spin, [&] {
      context_.poll();
      return done.load();
    });
  }
  while (!done.load() && !context_.stopped() && Clock::now() < deadline)
    context_.run_one_until(deadline);
  return done.load();
}

void IoLead::release() {
  std::lock_guard lock(mutex_);
  leader_ = Leader::none;
  released_at_ = Clock::now();
  if (followers_.load() > 0) {
    followers_cv_.notify_all();
  } else if (unrun_.load() > 0) {
    io_cv_.notify_one();
  }
}

void IoLead::completed() {
  if (followers_.load() == 0) return;
  { std::lock_guard lock(mutex_); }  // a follower between its check and its wait
  followers_cv_.notify_all();
}

}  // namespace neo::client
