// IoLead (nodes/client/io_lead.hpp): calls from many threads doing their
// own I/O, the I/O thread taking over between them, never two threads in the
// context at once. No sockets: the work is chains of posted handlers.
#include "nodes/client/io_lead.hpp"

#include <asio/executor_work_guard.hpp>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>
#include <atomic>
#include <catch2/catch.hpp>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

using neo::client::IoLead;
using namespace std::chrono_literals;

namespace {

struct Fixture {
  asio::io_context context;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> guard{
      context.get_executor()};
  IoLead lead{context, 200us};
  std::atomic<bool> inside{false};  // a thread is running a handler
  std::atomic<int> overlaps{0};
  long steps = 0;  // only touched by handlers: no lock, no atomic
  std::thread io{[this] { lead.run(); }};

  ~Fixture() {
    lead.post([this] { guard.reset(); });
    io.join();
  }
  // A handler: checks that it runs alone.
  void enter() {
    if (inside.exchange(true)) ++overlaps;
    ++steps;
  }
  void leave() { inside.store(false); }
  // `hops` handlers in a row, then `done` is set.
  void chain(int hops, std::atomic<bool>& done) {
    enter();
    if (hops == 0) {
      done.store(true);
      lead.completed();
    } else {
      asio::post(context, [this, hops, &done] { chain(hops - 1, done); });
    }
    leave();
  }
  bool call(int hops, std::atomic<bool>& done, std::chrono::microseconds spin = 0us) {
    return lead.call([this, hops, &done] { chain(hops, done); }, done, IoLead::Clock::now() + 10s,
                     spin);
  }
};

}  // namespace

TEST_CASE("a call runs its work to the end and returns", "[client]") {
  Fixture f;
  std::atomic<bool> done{false};
  CHECK(f.call(5, done));
  CHECK(done);
  std::atomic<bool> spun{false};
  CHECK(f.call(3, spun, 50us));
}

TEST_CASE("calls from many threads never run two handlers at once", "[client]") {
  Fixture f;
  constexpr int kThreads = 6, kCalls = 300;
  std::atomic<int> failed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&f, &failed, t] {
      for (int i = 0; i < kCalls; ++i) {
        std::atomic<bool> done{false};
        if (!f.call(i % 7, done, t % 2 ? 20us : 0us) || !done) ++failed;
        if (i % 50 == 0)
          f.lead.post([&f] {
            f.enter();
            f.leave();
          });
      }
    });
  }
  // Meanwhile the context has work of its own (as invalidations would be).
  std::atomic<bool> timers_done{false};
  asio::steady_timer timer(f.context);
  std::function<void(int)> tick = [&](int left) {
    f.enter();
    f.leave();
    if (left == 0) return timers_done.store(true);
    timer.expires_after(100us);
    timer.async_wait([&, left](std::error_code) { tick(left - 1); });
  };
  f.lead.post([&] { tick(200); });
  for (auto& thread : threads) thread.join();
  CHECK(failed == 0);
  CHECK(f.overlaps == 0);
  // Nobody calls any more: the I/O thread runs the rest alone.
  for (int i = 0; i < 2000 && !timers_done; ++i) std::this_thread::sleep_for(1ms);
  CHECK(timers_done);
  CHECK(f.overlaps == 0);
}

TEST_CASE("a call whose answer never comes times out; posts still run", "[client]") {
  Fixture f;
  std::atomic<bool> never{false};
  const auto start = IoLead::Clock::now();
  CHECK_FALSE(f.lead.call([] {}, never, start + 20ms, 10us));
  CHECK(IoLead::Clock::now() - start >= 20ms);
  // Work posted with nobody calling: the I/O thread runs it.
  std::atomic<bool> ran{false};
  f.lead.post([&] { ran.store(true); });
  for (int i = 0; i < 2000 && !ran; ++i) std::this_thread::sleep_for(1ms);
  CHECK(ran);
}
