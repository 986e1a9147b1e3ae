#include "core/cluster/bootstrap.hpp"


#include <algorithm>
#include <chrono>
#include <map>

#include <spdlog/spdlog.h>

#include "core/net/dispatch.hpp"
#include "core/net/network.hpp"
#include "core/net/tasks.hpp"

namespace neo::cluster {
namespace {

using Clock = net::Scheduler::Clock;
// Between two attempts to one address: 50 ms doubling up to 1 s (NEO/py
// always waits 1 s; a node started with its master must not lose a second
// because the master was not listening yet).
constexpr auto kFirstRetryDelay = std::chrono::milliseconds(50);
constexpr auto kMaxRetryDelay = std::chrono::milliseconds(1000);
// The master's answer to a node of another cluster: retrying cannot help
// (other refusals, such as "already connected", may be transient).
constexpr std::string_view kAlienCluster = "invalid cluster name";

class BootstrapImpl;

// Receives what the master sends before answering the identification.
class BootstrapHandler : public net::Handler {
 public:
  static constexpr std::string_view kName = "BootstrapHandler";
  explicit BootstrapHandler(std::weak_ptr<BootstrapImpl> owner) : owner_(std::move(owner)) {}
  void on_packet(net::Peer& peer, const protocol::Frame& frame) override {
    net::dispatch(*this, peer, frame);
  }
  void on(net::Peer& peer, const protocol::NotPrimaryMaster& packet);

 private:
  std::weak_ptr<BootstrapImpl> owner_;
};

class BootstrapImpl : public Bootstrap, public std::enable_shared_from_this<BootstrapImpl> {
 public:
  BootstrapImpl(net::Network& network, net::Scheduler& scheduler, Options options,
                OnIdentified on_identified, OnRefused on_refused)
      : network_(network),
        options_(std::move(options)),
        on_identified_(std::move(on_identified)),
        on_refused_(std::move(on_refused)),
        tasks_(scheduler) {}

  void begin() { attempt(); }

  void cancel() override {
    cancelled_ = true;
    tasks_.cancel(timer_);
    if (connection_) connection_->close({});
    connection_.reset();
  }

  const std::vector<net::Address>& masters() const override { return options_.masters; }

  void not_primary(const protocol::NotPrimaryMaster& packet) {
    for (const protocol::Address& known : packet.known_master_list) learn({known.host, known.port});
    if (packet.primary && *packet.primary >= 0 &&
        static_cast<std::size_t>(*packet.primary) < packet.known_master_list.size()) {
      const protocol::Address& primary = packet.known_master_list[*packet.primary];
      next_ = net::Address{primary.host, primary.port};
      SPDLOG_INFO("{} is not the primary master; trying {}", net::to_string(current_),
                  net::to_string(*next_));
    }
  }

 private:
  void learn(const net::Address& address) {
    if (std::find(options_.masters.begin(), options_.masters.end(), address) ==
        options_.masters.end())
      options_.masters.push_back(address);
  }

  void attempt() {
    if (cancelled_) return;
    if (next_) {
      current_ = *next_;
      next_.reset();
    } else {
      current_ = options_.masters[index_++ % options_.masters.size()];
    }
    const auto last = last_attempt_.find(current_);
    const Clock::time_point now = tasks_.now();
    if (last != last_attempt_.end() && now < last->second.at + last->second.delay) {
      timer_ = tasks_.call_later(last->second.at + last->second.delay - now,
                                 [self = shared_from_this()] { self->connect(); });
      return;
    }
    connect();
  }

  void connect() {
    if (cancelled_) return;
    Attempt& last = last_attempt_[current_];
    last.delay = last.at == Clock::time_point{} ? kFirstRetryDelay
                                                : std::min(last.delay * 2, kMaxRetryDelay);
    last.at = tasks_.now();
    SPDLOG_DEBUG("connecting to master {}", net::to_string(current_));
    auto handler = std::make_shared<BootstrapHandler>(weak_from_this());
    connection_ = network_.connect(current_, handler);
    connection_->ask(options_.request(),
                     [self = shared_from_this(), connection = connection_](
                         Result<protocol::AcceptIdentification> answer, std::string_view message) {
                       self->answered(connection, std::move(answer), message);
                     });
  }

  void answered(const std::shared_ptr<net::Connection>& connection,
                Result<protocol::AcceptIdentification> answer, std::string_view message) {
    if (cancelled_ || connection != connection_) return;
    if (answer && answer->node_type == protocol::NodeType::Master && answer->your_nid) {
      connection_.reset();
      cancelled_ = true;  // done: no more attempts
      on_identified_(Identified{connection, *answer, current_});
      return;
    }
    connection_.reset();
    if (answer) {
      connection->close(make_error_code(errc::protocol_error));
      refuse(make_error_code(errc::protocol_error),
             "the node at " + net::to_string(current_) + " is not a master or gave no node id");
      return;
    }
    const std::error_code ec = answer.error();
    if (ec == errc::protocol_error && message == kAlienCluster) {
      connection->close(ec);
      refuse(ec, std::string(message));
      return;
    }
    if (ec == errc::not_ready) {
      SPDLOG_INFO("master {} not ready: {}", net::to_string(current_), message);
      connection->close(ec);
    } else if (ec == errc::protocol_error) {
      SPDLOG_ERROR("master {} refused the identification: {}; retrying", net::to_string(current_),
                   message);
      connection->close(ec);
    } else if (ec != errc::connection_closed) {
      SPDLOG_WARN("identification to {} failed: {} {}", net::to_string(current_), ec.message(),
                  message);
      connection->close(ec);
    }
    attempt();
  }

  void refuse(std::error_code ec, std::string message) {
    cancelled_ = true;
    SPDLOG_ERROR("master {} refused the identification: {}", net::to_string(current_), message);
    on_refused_(ec, std::move(message));
  }

  net::Network& network_;
  Options options_;
  OnIdentified on_identified_;
  OnRefused on_refused_;
  net::Tasks tasks_;
  net::Tasks::TimerId timer_ = 0;
  std::shared_ptr<net::Connection> connection_;
  net::Address current_;
  std::optional<net::Address> next_;
  std::size_t index_ = 0;
  struct Attempt {
    Clock::time_point at{};
    std::chrono::milliseconds delay{};  // before the next one
  };
  std::map<net::Address, Attempt> last_attempt_;
  bool cancelled_ = false;
};

void BootstrapHandler::on(net::Peer&, const protocol::NotPrimaryMaster& packet) {
  if (auto owner = owner_.lock()) owner->not_primary(packet);
}

}  // namespace

std::shared_ptr<Bootstrap> Bootstrap::start(net::Network& network, net::Scheduler& scheduler,
                                            Options options, OnIdentified on_identified,
                                            OnRefused on_refused) {
  auto bootstrap = std::make_shared<BootstrapImpl>(network, scheduler, std::move(options),
                                                   std::move(on_identified), std::move(on_refused));
  bootstrap->begin();
  return bootstrap;
}

}  // namespace neo::cluster
