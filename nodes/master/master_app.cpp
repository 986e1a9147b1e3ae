#include "nodes/master/master_app.hpp"

#include <spdlog/spdlog.h>

#include <chrono>
#include <stdexcept>
#include <vector>

#include "core/cluster/bootstrap.hpp"
#include "core/log/log.hpp"
#include "nodes/master/master.hpp"

namespace neo::master {
namespace {

constexpr auto kExitPoll = std::chrono::milliseconds(20);
constexpr int kExitPolls = 250;  // give up flushing after 5 s

// Forwards a connection's events to the master.
class ConnectionHandler : public net::Handler {
 public:
  explicit ConnectionHandler(std::weak_ptr<Master> master) : master_(std::move(master)) {}
  void on_packet(net::Peer& peer, const protocol::Frame& frame) override {
    if (auto master = master_.lock()) master->on_packet(peer, frame);
  }
  void on_closed(net::Peer& peer, std::error_code reason) override {
    SPDLOG_DEBUG("{}: connection closed: {}", peer.describe(), reason.message());
    if (auto master = master_.lock()) master->on_closed(peer);
  }

 private:
  std::weak_ptr<Master> master_;
};

}  // namespace

void MasterApp::start(const MasterConfig& config) {
  Hooks hooks;
  hooks.close_listener = [this] {
    if (listener_) listener_->close();
  };
  hooks.exit = [this](int status) { exit_when_flushed(status, 0); };
  hooks.flush_log = [] { log::flush(); };
  hooks.connect = [this](const net::Address& to) -> std::shared_ptr<net::Peer> {
    auto connection = env_.network.connect(to, std::make_shared<ConnectionHandler>(master_));
    std::erase_if(connections_, [](auto& c) { return c.expired(); });
    connections_.push_back(connection);
    return connection;
  };
  hooks.call_later = [this](double seconds, std::function<void()> fn) {
    tasks_.call_later(std::chrono::milliseconds(static_cast<long>(seconds * 1000)), std::move(fn));
  };
  hooks.connect_upstream = [this](const std::vector<net::Address>& masters,
                                  std::function<protocol::RequestIdentification()> request,
                                  Hooks::UpstreamIdentified identified) {
    auto on_identified = [this, identified](cluster::Bootstrap::Identified id) {
      id.connection->set_handler(std::make_shared<ConnectionHandler>(master_));
      std::erase_if(connections_, [](auto& c) { return c.expired(); });
      connections_.push_back(id.connection);
      identified(id.connection, id.accept);
    };
    auto on_refused = [](std::error_code ec, std::string message) {
      SPDLOG_CRITICAL("the upstream cluster refused us: {} {}", ec.message(), message);
    };
    std::shared_ptr<cluster::Bootstrap> bootstrap = cluster::Bootstrap::start(
        env_.network, env_.scheduler, {.masters = masters, .request = std::move(request)},
        std::move(on_identified), std::move(on_refused));
    return std::function<void()>([bootstrap] { bootstrap->cancel(); });
  };
  auto unix_time = [&scheduler = env_.scheduler] { return scheduler.unix_time(); };
  master_ = std::make_shared<Master>(config, std::move(hooks), unix_time, unix_time);
  Result<std::shared_ptr<net::Listener>> listener =
      env_.network.listen(config.bind, [this](net::Connection& connection) {
        std::erase_if(connections_, [](auto& c) { return c.expired(); });
        connections_.push_back(
            std::static_pointer_cast<net::Connection>(connection.shared_from_this()));
        return std::make_shared<ConnectionHandler>(master_);
      });
  if (!listener)
    throw std::runtime_error("cannot listen on " + net::to_string(config.bind) + ": " +
                             listener.error().message());
  listener_ = *listener;
  env_.dump = [this] {
    for (const std::string& line : master_->dump()) SPDLOG_INFO("{}", line);
  };
  master_->start();
}

void MasterApp::exit_when_flushed(int status, int polls) {
  std::erase_if(connections_, [](const std::weak_ptr<net::Connection>& c) {
    auto connection = c.lock();
    return !connection || !(connection->connected() || connection->queued_bytes() > 0);
  });
  if (connections_.empty() || polls >= kExitPolls) {
    SPDLOG_INFO("exiting");
    env_.exit(status);
    return;
  }
  for (auto& c : connections_)
    if (auto connection = c.lock(); connection && !connection->closed()) connection->abort({});
  tasks_.call_later(kExitPoll, [this, status, polls] { exit_when_flushed(status, polls + 1); });
}

std::shared_ptr<MasterApp> start_master(daemon::Env& env, const MasterConfig& config) {
  auto app = std::make_shared<MasterApp>(env);
  app->start(config);
  return app;
}

}  // namespace neo::master
