// nodes/client/io_lead.hpp
// IoLead: which thread runs the client library's io_context, one at a time
// (leader/followers). A blocking call of the public API does its I/O itself
// when no other thread does: it runs its work inline, sends the request and
// waits for the answer in the context's own epoll (after a short spin of
// non-blocking polls), so a round trip wakes no other thread. Meanwhile the
// library's I/O thread is parked; it takes the lead back once no call has
// led for `handover` (to follow the cluster between calls: invalidations,
// pings, reconnections) or at once when work was posted that no caller will
// run. A call arriving while another thread leads posts its work and waits
// (a follower) until it is done, or until the lead is free and it takes it.
//
// So everything run by the context (ClientState and the connections) runs
// on one thread at a time, handed over under `mutex_`: the single-thread
// rule of client_core.hpp holds, whichever thread it is.
//
// Owned by Client::Core. Thread-safe; run() is the I/O thread's body.
#pragma once

#include <asio/io_context.hpp>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>

namespace neo::client {

class IoLead {
 public:
  using Clock = std::chrono::steady_clock;
  explicit IoLead(asio::io_context& context,
                  std::chrono::microseconds handover = std::chrono::milliseconds(2));
  IoLead(const IoLead&) = delete;
  IoLead& operator=(const IoLead&) = delete;

  // The I/O thread's body: leads whenever no call does; returns once the
  // context has stopped (out of work, or stop()).
  void run();
  // Queues `fn`; whichever thread leads runs it (the I/O thread if none).
  // wake false: the I/O thread is not woken for it (the caller's next call()
  // runs it first), it runs within `handover` at the latest.
  void post(std::function<void()> fn, bool wake = true);
  // Has the I/O thread lead now if no thread does and work is waiting.
  void wake();
  // Runs `fn` (inline when this thread can lead at once, else posted) and
  // waits until `done` is true: `fn` or what it starts sets it, then calls
  // completed(). spin > 0: a leader polls that long before blocking. False:
  // `deadline` passed or the context stopped first.
  bool call(std::function<void()> fn, const std::atomic<bool>& done, Clock::time_point deadline,
            std::chrono::microseconds spin);
  // To call (on the leading thread) after setting a call's `done`.
  void completed();

 private:
  enum class Leader { none, io_thread, caller };

  // Runs the context on this thread, which leads, until `done` or the
  // deadline.
  bool lead(const std::atomic<bool>& done, Clock::time_point deadline,
            std::chrono::microseconds spin);
  // Hands the lead over.
  void release();
  struct Releaser {
    IoLead& lead;
    ~Releaser() { lead.release(); }
  };
  // True when the I/O thread should lead now (mutex_ held).
  bool io_thread_due(Clock::time_point now) const;
  void post_locked(std::function<void()> fn);

  asio::io_context& context_;
  const std::chrono::microseconds handover_;
  std::mutex mutex_;
  std::condition_variable followers_cv_;  // a call done, or the lead free
  std::condition_variable io_cv_;         // the I/O thread may have to lead
  Leader leader_ = Leader::none;          // GUARDED_BY(mutex_)
  Clock::time_point released_at_{};       // GUARDED_BY(mutex_): last hand-over by a call
  std::atomic<int> followers_{0};         // calls waiting for another leader
  std::atomic<int> unrun_{0};             // post()ed functions not run yet
};

}  // namespace neo::client
