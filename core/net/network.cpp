#include "core/net/network.hpp"

#include <utility>

namespace neo::net {
namespace {

class AsioNetwork final : public Network {
 public:
  AsioNetwork(asio::io_context& io, ConnectionOptions options)
      : io_(io), options_(std::move(options)) {}

  std::shared_ptr<Connection> connect(const Address& to,
                                      std::shared_ptr<Handler> handler) override {
    return Connection::connect(io_, to, std::move(handler), options_);
  }
  Result<std::shared_ptr<Listener>> listen(const Address& bind,
                                           Listener::AcceptFn accept) override {
    return Listener::listen(io_, bind, options_, std::move(accept));
  }

 private:
  asio::io_context& io_;
  const ConnectionOptions options_;
};

}  // namespace

std::unique_ptr<Network> make_asio_network(asio::io_context& io, ConnectionOptions options) {
  if (!options.budget) options.budget = std::make_shared<MemoryBudget>();
  return std::make_unique<AsioNetwork>(io, std::move(options));
}

}  // namespace neo::net
