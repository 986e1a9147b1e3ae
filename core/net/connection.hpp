// Connection: one TCP (or TLS) socket to another node, full duplex. Sends
// the 6-byte NEO handshake at once, checks the peer's, then exchanges
// packets: a reader feeding a FrameReader and dispatching frames (answers to
// their ask() callback, the rest to the Handler), and a writer draining a
// bounded outbox. Every end goes through close(reason), which fails pending
// requests with errc::connection_closed and calls Handler::on_closed once.
//
// Memory: the outbox is bounded by what it really holds (Outbox::held()),
// per connection (max_outgoing_bytes: closed beyond) and, with the partial
// frame being read, per node (a MemoryBudget shared by the connections of a
// Network). An accepted connection whose outbox holds more than
// pause_reading_bytes stops reading (and handling) what its peer sends
// until it drains to half: a peer that sends requests and never reads the
// answers only fills the socket buffers, and is closed after stall_timeout
// without a byte read.
//
// Owned by shared_ptr (its coroutines hold one while running). Not thread
// safe: use it on its io_context's thread only (other threads post there).
// Asio stays out of this header; the implementation is in connection.cpp.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>

#include "core/net/address.hpp"
#include "core/net/memory_budget.hpp"
#include "core/net/peer.hpp"
#include "core/net/tls.hpp"
#include "core/protocol/frame_reader.hpp"

namespace asio {
class io_context;
}

namespace neo::net {

enum class Direction { kSent, kReceived };

// Sees every packet sent (when queued) and received (before dispatch),
// handshakes excepted; the nodes wire it to the packet log.
using PacketObserver =
    std::function<void(Direction direction, const Peer& peer, std::uint32_t msg_id,
                       std::uint16_t code, std::string_view args)>;

inline constexpr std::size_t kDefaultMaxOutgoingBytes = std::size_t{256} << 20;
inline constexpr std::size_t kDefaultPauseReadingBytes = std::size_t{16} << 20;
inline constexpr std::chrono::milliseconds kDefaultStallTimeout{60000};

struct ConnectionOptions {
  std::shared_ptr<const TlsContext> tls;  // null: plain TCP
  // Memory held by the outbox beyond which the connection is closed
  // (std::errc::no_buffer_space) instead of growing.
  std::size_t max_outgoing_bytes = kDefaultMaxOutgoingBytes;
  // Accepted connections only (0: never): held outbox memory beyond which
  // the connection stops reading until it drains to half.
  std::size_t pause_reading_bytes = kDefaultPauseReadingBytes;
  // Reading paused and no write completed for this long: closed
  // (errc::timed_out).
  std::chrono::milliseconds stall_timeout = kDefaultStallTimeout;
  // Shared by the connections of a node; null: no bound across them.
  std::shared_ptr<MemoryBudget> budget;
  std::size_t max_frame = protocol::kMaxFrameSize;  // largest incoming packet
  PacketObserver observer;                          // may be empty
};

class Connection : public Peer {
 public:
  // Starts connecting to `to` (family from the literal host) and returns at
  // once. Packets may be sent right away: they are queued until the
  // transport is up. The handler's on_connected() or on_closed() tells the
  // outcome (an invalid host closes with errc::invalid_argument).
  static std::shared_ptr<Connection> connect(asio::io_context& io, const Address& to,
                                             std::shared_ptr<Handler> handler,
                                             const ConnectionOptions& options);

  // Installs the handler for the next packets (state change).
  virtual void set_handler(std::shared_ptr<Handler> handler) = 0;
  // True for a connection accepted by a Listener.
  virtual bool is_server() const = 0;
  // True once TCP (and TLS) is established and until closed.
  virtual bool connected() const = 0;
  // True once aborted (flushing before closing).
  virtual bool aborted() const = 0;
  std::size_t queued_bytes() const override = 0;
  // Memory held by what is queued for sending (bounded by the options) and
  // by the frame being read.
  virtual std::size_t held_bytes() const { return queued_bytes(); }
  // True while reading is paused until the outbox drains.
  virtual bool reading_paused() const { return false; }
  // Requests waiting for their answer.
  virtual std::size_t pending_requests() const = 0;
};

// Accepts connections on a bound address. `accept` is called for each new
// connection (before any packet is read) and returns its handler; nullptr
// refuses the connection (closed at once).
class Listener {
 public:
  using AcceptFn = std::function<std::shared_ptr<Handler>(Connection& connection)>;

  // Binds (SO_REUSEADDR) and starts accepting. Port 0 picks a free port
  // (see local_address()). An error (e.g. address in use) is logged.
  static Result<std::shared_ptr<Listener>> listen(asio::io_context& io, const Address& bind,
                                                  const ConnectionOptions& options,
                                                  AcceptFn accept);

  virtual ~Listener() = default;
  virtual Address local_address() const = 0;
  // Stops accepting; connections already accepted are not affected.
  virtual void close() = 0;
};

}  // namespace neo::net
