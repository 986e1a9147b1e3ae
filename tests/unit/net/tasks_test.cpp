// net::Tasks over a manual scheduler (a virtual clock, as a simulation
// has) and over the io_context's IoScheduler: nothing an application
// scheduled runs after it is gone; timers run in due order; cancel.
#include "core/net/tasks.hpp"

#include <asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/net/io_scheduler.hpp"
#include "tests/support/manual_scheduler.hpp"

using neo::net::IoScheduler;
using neo::net::Scheduler;
using neo::net::Tasks;
using neo::test::ManualScheduler;
using namespace std::chrono_literals;

namespace {

// An application: what it ran, in order.
struct App {
  explicit App(Scheduler& scheduler) : tasks(scheduler) {}
  std::vector<std::string> ran;
  Tasks tasks;  // last
};

}  // namespace

TEST_CASE("a task posted runs after the current handler, in posting order", "[net]") {
  ManualScheduler scheduler;
  App app(scheduler);
  app.tasks.post([&] { app.ran.push_back("first"); });
  app.tasks.post([&] { app.ran.push_back("second"); });
  CHECK(app.ran.empty());
  scheduler.run_posted();
  CHECK(app.ran == std::vector<std::string>{"first", "second"});
}

TEST_CASE("a task posted, then its application destroyed, never runs", "[net]") {
  ManualScheduler scheduler;
  bool ran = false;
  auto app = std::make_unique<App>(scheduler);
  app->tasks.post([&] { ran = true; });
  app->tasks.call_later(1.0, [&] { ran = true; });
  app.reset();
  scheduler.run_posted();
  scheduler.advance(10s);
  CHECK_FALSE(ran);
  CHECK(scheduler.pending() == 0);  // the timer was cancelled, not left behind
}

TEST_CASE("timers run in due order, on the scheduler's clock", "[net]") {
  ManualScheduler scheduler;
  App app(scheduler);
  const auto start = app.tasks.now();
  std::vector<Scheduler::Clock::duration> at;
  auto record = [&](std::string name) {
    return [&, name] {
      app.ran.push_back(name);
      at.push_back(app.tasks.now() - start);
    };
  };
  app.tasks.call_later(2.0, record("2s"));
  app.tasks.call_later(0.5, record("0.5s"));
  app.tasks.call_later(1s, record("1s"));
  app.tasks.call_later(1s, record("1s again"));
  app.tasks.post(record("posted"));
  scheduler.run_posted();
  scheduler.advance(1s);
  CHECK(app.ran == std::vector<std::string>{"posted", "0.5s", "1s", "1s again"});
  scheduler.advance(1s);
  CHECK(app.ran.back() == "2s");
  CHECK(at == std::vector<Scheduler::Clock::duration>{0s, 500ms, 1s, 1s, 2s});
}

TEST_CASE("a cancelled timer never runs; cancelling twice or after it ran is harmless", "[net]") {
  ManualScheduler scheduler;
  App app(scheduler);
  const Tasks::TimerId cancelled = app.tasks.call_later(1.0, [&] { app.ran.push_back("no"); });
  const Tasks::TimerId kept = app.tasks.call_later(1.0, [&] { app.ran.push_back("yes"); });
  CHECK(cancelled != kept);
  CHECK(app.tasks.pending(cancelled));
  CHECK(app.tasks.cancel(cancelled));
  CHECK_FALSE(app.tasks.pending(cancelled));
  CHECK_FALSE(app.tasks.cancel(cancelled));
  scheduler.advance(2s);
  CHECK(app.ran == std::vector<std::string>{"yes"});
  CHECK_FALSE(app.tasks.pending(kept));
  CHECK_FALSE(app.tasks.cancel(kept));
}

TEST_CASE("a timer may set another timer and cancel a sibling", "[net]") {
  ManualScheduler scheduler;
  App app(scheduler);
  Tasks::TimerId sibling = 0;
  app.tasks.call_later(1.0, [&] {
    app.ran.push_back("a");
    app.tasks.cancel(sibling);
    app.tasks.call_later(1.0, [&] { app.ran.push_back("c"); });
  });
  sibling = app.tasks.call_later(1.5, [&] { app.ran.push_back("b"); });
  scheduler.advance(5s);
  CHECK(app.ran == std::vector<std::string>{"a", "c"});
}

TEST_CASE("IoScheduler: posts, timers in due order, cancel, nothing after destruction", "[net]") {
  asio::io_context io;
  IoScheduler scheduler(io);
  std::vector<std::string> ran;
  {
    App app(scheduler);
    const auto start = scheduler.now();  // before the timers: their deadlines count from their call
    app.tasks.call_later(20ms, [&] { ran.push_back("20ms"); });
    app.tasks.call_later(5ms, [&] { ran.push_back("5ms"); });
    const auto cancelled = app.tasks.call_later(10ms, [&] { ran.push_back("cancelled"); });
    app.tasks.post([&] { ran.push_back("posted"); });
    app.tasks.cancel(cancelled);
    io.run();
    CHECK(scheduler.now() - start >= 20ms);
    CHECK(ran == std::vector<std::string>{"posted", "5ms", "20ms"});

    app.tasks.post([&] { ran.push_back("after"); });
    app.tasks.call_later(1.0, [&] { ran.push_back("after"); });
  }
  io.restart();
  const auto start = scheduler.now();
  io.run();  // returns at once: the timer was cancelled with the application
  CHECK(scheduler.now() - start < 500ms);
  CHECK(ran.size() == 3);
}
