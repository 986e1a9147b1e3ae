// tests/support/log_capture.hpp
// While a LogCapture lives, the default spdlog logger writes to its `out`
// (tests that check what a node logs). One thread at a time; header-only.
#pragma once

#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <memory>
#include <sstream>

namespace neo::test {

struct LogCapture {
  LogCapture() : previous(spdlog::default_logger()) {
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out);
    spdlog::set_default_logger(std::make_shared<spdlog::logger>("capture", sink));
  }
  ~LogCapture() { spdlog::set_default_logger(previous); }
  std::ostringstream out;
  std::shared_ptr<spdlog::logger> previous;
};

}  // namespace neo::test
