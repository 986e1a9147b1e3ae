// What a ConnectionImpl holds, for sending and in a partial frame read: the
// bound per connection, the node's budget, reading paused while the outbox
// drains, memory given back after close.
#include <spdlog/spdlog.h>

#include <asio/experimental/as_tuple.hpp>
#include <asio/post.hpp>
#include <asio/use_awaitable.hpp>
#include <string>

#include "core/net/detail/connection_impl.hpp"
#include "core/net/detail/peer_log.hpp"

#ifdef __GLIBC__
#include <malloc.h>
#endif

namespace neo::net::detail {
namespace {

constexpr auto kNoThrow = asio::experimental::as_tuple(asio::use_awaitable);
// Freeing this much at once (a connection closed) gives memory back.
constexpr std::size_t kTrimAfter = std::size_t{4} << 20;

double mib(std::size_t bytes) { return static_cast<double>(bytes) / (1 << 20); }

}  // namespace

void schedule_trim(asio::io_context& io) {
#ifdef __GLIBC__
  thread_local bool scheduled = false;
  if (scheduled) return;
  scheduled = true;
  asio::post(io, [] {
    scheduled = false;
    malloc_trim(0);
  });
#endif
}

bool ConnectionImpl::over_bound(std::size_t args_size) {
  const std::size_t held = outbox_.held();
  if (held + outbox_.growth(args_size) <= options_.max_outgoing_bytes) return false;
  if (std::string more; allow_peer_line(PeerLine::kMemory, *this, more)) {
    spdlog::error(
        "{}: {:.1f} MiB held for sending, a packet of {} bytes more would exceed the "
        "bound of {:.1f} MiB: closing{}",
        describe(), mib(held), args_size, mib(options_.max_outgoing_bytes), more);
  }
  close(std::make_error_code(std::errc::no_buffer_space));
  return true;
}

void ConnectionImpl::account() {
  const std::size_t held = held_bytes();
  if (MemoryBudget* budget = options_.budget.get()) {
    if (held > accounted_) {
      budget->hold(held - accounted_);
    } else {
      budget->release(accounted_ - held);
    }
  }
  accounted_ = held;
}

void ConnectionImpl::enforce_budget() {
  if (!options_.budget || !options_.budget->over()) return;
  Connection* victim = options_.budget->sacrifice();  // logged
  if (victim == this) {
    close(std::make_error_code(std::errc::no_buffer_space));
  } else if (victim) {
    // Not from inside this send: its on_closed may change what the caller iterates.
    asio::post(io_, [victim = victim->weak_from_this()] {
      if (std::shared_ptr<Peer> peer = victim.lock()) {
        peer->close(std::make_error_code(std::errc::no_buffer_space));
      }
    });
  }
}

void ConnectionImpl::free_buffers() {
  if (options_.budget) options_.budget->leave(*this);
  const std::size_t before = held_bytes();
  outbox_.drop_unsent();  // a write in progress frees its part when it ends
  reader_.discard();
  account();
  if (before - held_bytes() >= kTrimAfter) schedule_trim(io_);
}

asio::awaitable<std::error_code> ConnectionImpl::wait_drained() {
  spdlog::debug("{}: {:.1f} MiB held for sending: reading paused", describe(), mib(outbox_.held()));
  while (state_ == State::kOpen && outbox_.held() > options_.pause_reading_bytes / 2) {
    resume_.expires_after(options_.stall_timeout);
    reader_paused_ = true;
    auto [ec] = co_await resume_.async_wait(kNoThrow);
    reader_paused_ = false;
    if (!ec && state_ == State::kOpen) {  // no write completed meanwhile
      if (std::string more; allow_peer_line(PeerLine::kMemory, *this, more)) {
        spdlog::error("{}: has read nothing for {} s while {:.1f} MiB wait for it: closing{}",
                      describe(), options_.stall_timeout.count() / 1000.0, mib(outbox_.held()),
                      more);
      }
      co_return make_error_code(errc::timed_out);
    }
  }
  spdlog::debug("{}: reading resumed", describe());
  co_return std::error_code{};
}

}  // namespace neo::net::detail
