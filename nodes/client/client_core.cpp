#include "nodes/client/client_core.hpp"

#include <spdlog/spdlog.h>

#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>
#include <asio/post.hpp>
#include <future>
#include <random>

#include "core/net/tls.hpp"

namespace neo::client {

using namespace protocol;

namespace {

// Forwards a connection's events to the client's functions.
class CallbackHandler final : public net::Handler {
 public:
  using PacketFn = std::function<void(net::Peer&, const Frame&)>;
  using ClosedFn = std::function<void(net::Peer&, std::error_code)>;
  CallbackHandler(PacketFn on_packet, ClosedFn on_closed)
      : packet_(std::move(on_packet)), closed_(std::move(on_closed)) {}
  void on_packet(net::Peer& peer, const Frame& frame) override { packet_(peer, frame); }
  void on_closed(net::Peer& peer, std::error_code reason) override { closed_(peer, reason); }

 private:
  PacketFn packet_;
  ClosedFn closed_;
};

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
};

Client::Core::Core(Options options)
    : options_(std::move(options)),
      io_(std::make_unique<Io>()),
      state_(state_config(options_), *this) {}

Client::Core::~Core() { stop(); }

std::error_code Client::Core::start() {
  if (options_.masters.empty() || options_.cluster.empty())
    return make_error_code(errc::invalid_argument);
  for (const std::string& text : options_.masters) {
    Result<net::Address> address = net::parse_address(text);
    if (!address) return address.error();
    masters_.push_back(*address);
  }
  if (!options_.ca.empty() || !options_.cert.empty() || !options_.key.empty()) {
    auto tls = net::TlsContext::load({options_.ca, options_.cert, options_.key});
    if (!tls) return tls.error();
    connection_.tls = *tls;
  }
  thread_ = std::thread([io = io_.get()] {
    io->context.run();
    io->exited.set_value();
  });
  post([this] { find_master(); });
  return {};
}

bool Client::Core::post(std::function<void()> fn) {
  if (stopped_) return false;
  asio::post(io_->context, std::move(fn));
  return true;
}

void Client::Core::stop() {
  if (!thread_.joinable()) return;
  std::future<void> exited = io_->exited.get_future();
  post([this] {
    state_.shut_down();
    if (bootstrap_) bootstrap_->cancel();
    bootstrap_.reset();
    io_->guard.reset();  // run() returns once the aborts are flushed
  });
  stopped_ = true;
  if (exited.wait_for(std::chrono::seconds(2)) != std::future_status::ready) io_->context.stop();
  thread_.join();
}

// ---- Master -----------------------------------------------------------------

void Client::Core::find_master() {
  if (state_.shutting_down() || bootstrap_) return;
  cluster::Bootstrap::Options options;
  options.masters = masters_;
  options.connection = connection_;
  options.request = [this] { return state_.master_identification(); };
  bootstrap_ = cluster::Bootstrap::start(
      io_->context, std::move(options),
      [this](cluster::Bootstrap::Identified identified) {
        this->identified(std::move(identified));
      },
      [this](std::error_code code, std::string message) {
        SPDLOG_ERROR("the primary master refused this client: {} ({})", message, code.message());
        bootstrap_.reset();
        state_.refused(code);
      });
}

void Client::Core::identified(cluster::Bootstrap::Identified identified) {
  bootstrap_.reset();
  identified.connection->set_handler(std::make_shared<CallbackHandler>(
      [this](net::Peer& peer, const Frame& frame) { state_.master_packet(peer, frame); },
      [this](net::Peer& peer, std::error_code reason) {
        if (!state_.master_closed(peer)) return;
        SPDLOG_WARN("{}: connection to the primary master lost ({})", peer.describe(),
                    reason.message());
        find_master();
      }));
  SPDLOG_INFO("connected to the primary master {} at {} as {}", to_string(identified.accept.nid),
              net::to_string(identified.master), to_string(identified.accept.your_nid));
  state_.master_identified(std::move(identified.connection), identified.accept);
}

// ---- Storages ---------------------------------------------------------------

std::shared_ptr<net::Peer> Client::Core::connect_storage(NodeId nid, const Address& address) {
  auto handler = std::make_shared<CallbackHandler>(
      [this, nid](net::Peer& peer, const Frame& frame) { state_.storage_packet(nid, peer, frame); },
      [this, nid](net::Peer& peer, std::error_code) { state_.storage_closed(nid, peer); });
  return net::Connection::connect(io_->context, net::Address{address.host, address.port}, handler,
                                  connection_);
}

}  // namespace neo::client
