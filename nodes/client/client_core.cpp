#include "nodes/client/client_core.hpp"

#include <spdlog/spdlog.h>

#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>
#include <asio/post.hpp>
#include <future>
#include <random>

#include "core/net/io_scheduler.hpp"
#include "core/net/network.hpp"
#include "core/net/tls.hpp"
#include "nodes/client/io_lead.hpp"

namespace neo::client {

using namespace protocol;

namespace {

ClientState::Config state_config(const Options& options) {
  return ClientState::Config{.cluster = options.cluster,
                             .read_only = options.read_only,
                             .compress = options.compress,
                             .cache_bytes = options.cache_bytes,
                             .seed = std::random_device{}()};
}

}  // namespace

struct Client::Core::Io {
  asio::io_context context;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> guard{
      context.get_executor()};
  std::promise<void> exited;
  net::IoScheduler scheduler{context};
  IoLead lead{context};
  std::unique_ptr<net::Network> network;
};

Client::Core::Core(Options options) : options_(std::move(options)), io_(std::make_unique<Io>()) {}

Client::Core::~Core() { stop(); }

std::error_code Client::Core::start() {
  if (options_.masters.empty() || options_.cluster.empty())
    return make_error_code(errc::invalid_argument);
  std::vector<net::Address> masters;
  for (const std::string& text : options_.masters) {
    Result<net::Address> address = net::parse_address(text);
    if (!address) return address.error();
    masters.push_back(*address);
  }
  net::ConnectionOptions connection;
  if (!options_.ca.empty() || !options_.cert.empty() || !options_.key.empty()) {
    auto tls = net::TlsContext::load({options_.ca, options_.cert, options_.key});
    if (!tls) return tls.error();
    connection.tls = *tls;
  }
  io_->network = net::make_asio_network(io_->context, connection);
  node_ = std::make_unique<ClientNode>(state_config(options_), std::move(masters), *io_->network,
                                       io_->scheduler);
  thread_ = std::thread([io = io_.get()] {
    io->lead.run();
    io->exited.set_value();
  });
  post([this] { node_->start(); });
  return {};
}

bool Client::Core::post(std::function<void()> fn, bool wake) {
  if (stopped_) return false;
  io_->lead.post(std::move(fn), wake);
  return true;
}

void Client::Core::wake() { io_->lead.wake(); }

std::error_code Client::Core::call(std::function<void()> fn, const std::atomic<bool>& done,
                                   bool spin) {
  if (stopped_) return make_error_code(errc::connection_closed);
  const auto deadline = std::chrono::steady_clock::now() + options_.timeout;
  if (io_->lead.call(std::move(fn), done, deadline,
                     spin ? options_.spin : std::chrono::microseconds(0)))
    return {};
  return make_error_code(io_->context.stopped() ? errc::connection_closed : errc::timed_out);
}

void Client::Core::completed() { io_->lead.completed(); }

void Client::Core::stop() {
  if (!thread_.joinable()) return;
  std::future<void> exited = io_->exited.get_future();
  post([this] {
    node_->shut_down();
    io_->guard.reset();  // run() returns once the aborts are flushed
  });
  stopped_ = true;
  if (exited.wait_for(std::chrono::seconds(2)) != std::future_status::ready) io_->context.stop();
  thread_.join();
}

}  // namespace neo::client
