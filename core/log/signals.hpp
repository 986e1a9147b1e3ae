// Log signals of the daemons (spec/log-format.md 3): SIGRTMIN flushes the
// backlog, SIGRTMIN+1 reopens the log file after an external rotation.
// Handled on the thread running `io` (never inside a signal handler).
#pragma once

#include <memory>

namespace asio {
class io_context;
}

namespace neo::log {

// Installs the handlers; they stay until this object is destroyed.
class LogSignals {
 public:
  explicit LogSignals(asio::io_context& io);
  ~LogSignals();
  LogSignals(const LogSignals&) = delete;
  LogSignals& operator=(const LogSignals&) = delete;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace neo::log
