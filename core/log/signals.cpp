#include "core/log/signals.hpp"

#include <asio/io_context.hpp>
#include <asio/signal_set.hpp>

#include <csignal>

#include "core/log/log.hpp"

namespace neo::log {

struct LogSignals::Impl {
  explicit Impl(asio::io_context& io) : signals(io, SIGRTMIN, SIGRTMIN + 1) { wait(); }

  void wait() {
    signals.async_wait([this](const std::error_code& ec, int signo) {
      if (ec) return;  // cancelled: `this` may be gone
      if (signo == SIGRTMIN) {
        flush();
      } else {
        SPDLOG_DEBUG("reopening log file");
        reopen();
      }
      wait();
    });
  }

  asio::signal_set signals;
};

LogSignals::LogSignals(asio::io_context& io) : impl_(std::make_unique<Impl>(io)) {}

LogSignals::~LogSignals() {
  std::error_code ignored;
  impl_->signals.cancel(ignored);
}

}  // namespace neo::log
