// core/net/network.hpp
// Network: how a node opens and accepts connections. The nodes reach the
// network only through it, so that a test can run a whole cluster in one
// process on a simulated network (tests/sim); make_asio_network() gives the
// real one (TCP or TLS sockets on an io_context, see connection.hpp).
// Use from the thread that runs the network (the io_context's).
#pragma once

#include <memory>

#include "core/net/connection.hpp"

namespace asio {
class io_context;
}

namespace neo::net {

class Network {
 public:
  virtual ~Network() = default;
  // As Connection::connect: returns at once; the handler's on_connected()
  // or on_closed() tells the outcome.
  virtual std::shared_ptr<Connection> connect(const Address& to,
                                              std::shared_ptr<Handler> handler) = 0;
  // As Listener::listen: binds and starts accepting.
  virtual Result<std::shared_ptr<Listener>> listen(const Address& bind,
                                                   Listener::AcceptFn accept) = 0;
};

// Sockets on `io`, every connection with `options` (TLS, packet observer);
// without options.budget, the connections share a new default one (the
// node's bound on what they all hold for sending). `io` must outlive the
// network.
std::unique_ptr<Network> make_asio_network(asio::io_context& io, ConnectionOptions options);

}  // namespace neo::net
