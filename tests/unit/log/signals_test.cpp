#include "core/log/signals.hpp"

#include <asio/io_context.hpp>
#include <catch2/catch.hpp>

#include <csignal>
#include <chrono>
#include <filesystem>

#include "core/log/log.hpp"
#include "tests/unit/log/log_test_support.hpp"

using namespace neo;
using neo::log::test::Reader;
using neo::log::test::TempDir;

TEST_CASE("SIGRTMIN flushes the backlog, SIGRTMIN+1 reopens the file", "[log]") {
  TempDir dir;
  std::string path = dir.file("node.log");
  log::Options options;
  options.logfile = path;
  options.console_level = log::Level::Critical;
  log::setup("neomaster", options);
  asio::io_context io;
  // The signal wakes the reactor first, which then runs our handler.
  auto run_until = [&io](auto done) {
    for (int i = 0; i < 200 && !done(); ++i) io.run_one_for(std::chrono::milliseconds(10));
    return done();
  };
  {
    log::LogSignals signals(io);
    SPDLOG_INFO("in the backlog");
    {
      Reader reader(path);
      CHECK(reader.count("log") == 0);
    }
    std::raise(SIGRTMIN);
    CHECK(run_until([&] { return Reader(path).count("log") == 1; }));
    std::filesystem::rename(path, path + ".1");
    std::raise(SIGRTMIN + 1);
    CHECK(run_until([&] { return std::filesystem::exists(path); }));
  }
  io.run();  // the cancelled wait completes
  log::shutdown();
}
