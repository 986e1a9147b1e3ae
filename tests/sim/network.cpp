#include "tests/sim/network.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <deque>

#include "core/net/pending_answers.hpp"

namespace neo::sim {

namespace {

std::error_code closed_error() { return make_error_code(errc::connection_closed); }
std::error_code reset_error() { return std::make_error_code(std::errc::connection_reset); }

}  // namespace

// One end of a simulated connection.
class SimConnection final : public net::Connection {
 public:
  enum class State { Connecting, Open, Aborted, Closed };

  SimConnection(Network& network, std::string node, std::string remote_address, bool server,
                std::shared_ptr<net::Handler> handler)
      : network_(network), node_(std::move(node)), server_(server), handler_(std::move(handler)) {
    address_ = std::move(remote_address);
  }

  // --- net::Peer -----------------------------------------------------------
  std::uint32_t ask_raw(std::uint16_t code, std::uint16_t answer_code, std::string args,
                        net::RawAnswerCallback on_answer) override {
    const std::uint32_t msg_id = next_id_++;
    if (!send(msg_id, code, std::move(args))) {
      network_.loop_.post([callback = std::move(on_answer)] { callback(closed_error()); });
      return msg_id;
    }
    pending_.add(msg_id, answer_code, std::move(on_answer));
    return msg_id;
  }
  std::uint32_t notify_raw(std::uint16_t code, std::string args) override {
    const std::uint32_t msg_id = next_id_++;
    send(msg_id, code, std::move(args));
    return msg_id;
  }
  void send_raw(std::uint32_t msg_id, std::uint16_t code, std::string_view args) override {
    send(msg_id, code, std::string(args));
  }
  void abort(std::error_code reason) override {
    if (closed()) return;
    if (state_ == State::Connecting) return close(reason);
    state_ = State::Aborted;
    // Closes once what was sent has arrived.
    network_.loop_.at(last_arrival_, [self = shared(), reason] { self->close(reason); });
  }
  void close(std::error_code reason) override {
    if (state_ == State::Closed) return;
    state_ = State::Closed;
    outbox_.clear();
    tell_other_closed();
    for (net::RawAnswerCallback& callback : pending_.take_all()) callback(closed_error());
    if (std::shared_ptr<net::Handler> handler = std::move(handler_))
      handler->on_closed(*this, reason);
  }
  bool closed() const override { return state_ == State::Aborted || state_ == State::Closed; }

  // --- net::Connection -------------------------------------------------------
  void set_handler(std::shared_ptr<net::Handler> handler) override {
    handler_ = std::move(handler);
  }
  bool is_server() const override { return server_; }
  bool connected() const override { return state_ == State::Open || state_ == State::Aborted; }
  bool aborted() const override { return state_ == State::Aborted; }
  std::size_t queued_bytes() const override { return in_flight_bytes_; }
  std::size_t pending_requests() const override { return pending_.size(); }

  // --- For the network ---------------------------------------------------
  const std::string& node() const { return node_; }
  std::string remote_node() const {
    auto other = other_.lock();
    return other ? other->node_ : std::string();
  }
  State state() const { return state_; }
  void pair(const std::shared_ptr<SimConnection>& other) { other_ = other; }
  // Transport up: queued packets leave, then the handler hears of it.
  void opened() {
    if (state_ != State::Connecting) return;
    state_ = State::Open;
    for (auto& [msg_id, code, args] : std::exchange(outbox_, {}))
      transmit(msg_id, code, std::move(args));
    if (std::shared_ptr<net::Handler> handler = handler_) handler->on_connected(*this);
  }
  // Nothing more is delivered either way; both ends close after `timeout`.
  void break_link(Time timeout) {
    broken_ = true;
    network_.loop_.after(timeout,
                         [self = shared()] { self->close(make_error_code(errc::timed_out)); });
  }
  // The node crashed: closed without calling into its code.
  void vanish() {
    handler_.reset();
    pending_.take_all();
    close(reset_error());
  }

 private:
  struct Outgoing {
    std::uint32_t msg_id;
    std::uint16_t code;
    std::string args;
  };

  std::shared_ptr<SimConnection> shared() {
    return std::static_pointer_cast<SimConnection>(shared_from_this());
  }

  bool send(std::uint32_t msg_id, std::uint16_t code, std::string args) {
    if (closed()) return false;
    if (state_ == State::Connecting)
      outbox_.push_back({msg_id, code, std::move(args)});
    else
      transmit(msg_id, code, std::move(args));
    return true;
  }

  void transmit(std::uint32_t msg_id, std::uint16_t code, std::string args) {
    const Time at = next_arrival();
    const std::size_t bytes = args.size() + 10;
    in_flight_bytes_ += bytes;
    network_.loop_.at(at, [self = shared(), frame = protocol::Frame{msg_id, code, std::move(args)},
                           bytes]() mutable {
      self->in_flight_bytes_ -= bytes;
      auto other = self->other_.lock();
      if (!other || self->broken_ || other->broken_ || other->state_ != State::Open) {
        ++self->network_.dropped_;
        return;
      }
      ++self->network_.delivered_;
      other->receive(std::move(frame));
    });
  }

  // After the packets already sent, as TCP.
  Time next_arrival() {
    const std::string remote = remote_node();
    last_arrival_ =
        std::max(network_.loop_.now() + network_.latency(node_, remote), last_arrival_ + Time(1));
    return last_arrival_;
  }

  void tell_other_closed() {
    auto other = other_.lock();
    if (!other || other->state_ == State::Closed) return;
    network_.loop_.at(next_arrival(), [other] { other->close(reset_error()); });
  }

  void receive(protocol::Frame frame) {
    std::shared_ptr<net::Handler> handler = handler_;  // on_packet may replace handler_
    net::deliver_frame(*this, pending_, handler, frame);
  }

  Network& network_;
  const std::string node_;
  const bool server_;
  std::shared_ptr<net::Handler> handler_;
  std::weak_ptr<SimConnection> other_;
  State state_ = State::Connecting;
  bool broken_ = false;
  std::uint32_t next_id_ = 0;
  net::PendingAnswers pending_;
  std::vector<Outgoing> outbox_;  // sent while connecting
  Time last_arrival_{0};
  std::size_t in_flight_bytes_ = 0;
};

class SimListener final : public net::Listener {
 public:
  SimListener(Network& network, std::string node, net::Address address, AcceptFn accept)
      : network_(network),
        node_(std::move(node)),
        address_(std::move(address)),
        accept_(std::move(accept)) {}
  net::Address local_address() const override { return address_; }
  void close() override { closed_ = true; }
  bool open() const { return !closed_; }
  const std::string& node() const { return node_; }
  std::shared_ptr<net::Handler> accept(net::Connection& connection) { return accept_(connection); }

 private:
  Network& network_;
  std::string node_;
  net::Address address_;
  AcceptFn accept_;
  bool closed_ = false;
};

class Network::NodeView final : public net::Network {
 public:
  NodeView(sim::Network& world, std::string name, std::string host)
      : world_(world), name_(std::move(name)), host_(std::move(host)) {}
  std::shared_ptr<net::Connection> connect(const net::Address& to,
                                           std::shared_ptr<net::Handler> handler) override {
    return world_.connect(name_, host_, to, std::move(handler));
  }
  Result<std::shared_ptr<net::Listener>> listen(const net::Address& bind,
                                                net::Listener::AcceptFn accept) override {
    return world_.listen(name_, bind, std::move(accept));
  }

 private:
  sim::Network& world_;
  std::string name_;
  std::string host_;
};

Network::Network(Loop& loop, Options options) : loop_(loop), options_(options) {}

Network::~Network() = default;

net::Network& Network::node(const std::string& name, const std::string& host) {
  auto& view = nodes_[name];
  if (!view) view = std::make_unique<NodeView>(*this, name, host);
  return *view;
}

Time Network::latency(const std::string& a, const std::string& b) {
  double factor = 1;
  if (auto it = slow_.find(a); it != slow_.end()) factor *= it->second;
  if (auto it = slow_.find(b); it != slow_.end()) factor *= it->second;
  const Time base = loop_.uniform(options_.min_latency, options_.max_latency);
  return Time(static_cast<Time::rep>(static_cast<double>(base.count()) * factor));
}

bool Network::is_cut(const std::string& a, const std::string& b) const {
  return cut_.count(link(a, b)) > 0;
}

std::shared_ptr<net::Connection> Network::connect(const std::string& from, const std::string& host,
                                                  const net::Address& to,
                                                  std::shared_ptr<net::Handler> handler) {
  const std::string local = host + ":" + std::to_string(next_port_++);
  auto client =
      std::make_shared<SimConnection>(*this, from, net::to_string(to), false, std::move(handler));
  prune();
  connections_.push_back(client);
  loop_.after(latency(from, from), [this, client, local] { establish(client, local); });
  return client;
}

void Network::establish(const std::shared_ptr<SimConnection>& client, const std::string& local) {
  if (client->state() != SimConnection::State::Connecting) return;
  auto it = listeners_.find(client->address());
  std::shared_ptr<SimListener> listener = it == listeners_.end() ? nullptr : it->second.lock();
  if (!listener || !listener->open())
    return client->close(std::make_error_code(std::errc::connection_refused));
  if (is_cut(client->node(), listener->node())) {
    loop_.after(loop_.uniform(options_.min_timeout, options_.max_timeout),
                [client] { client->close(make_error_code(errc::timed_out)); });
    return;
  }
  auto server = std::make_shared<SimConnection>(*this, listener->node(), local, true, nullptr);
  connections_.push_back(server);
  client->pair(server);
  server->pair(client);
  std::shared_ptr<net::Handler> handler = listener->accept(*server);
  if (!handler) {
    server->close(make_error_code(errc::denied));
    return;
  }
  server->set_handler(std::move(handler));
  server->opened();
  client->opened();
}

Result<std::shared_ptr<net::Listener>> Network::listen(const std::string& name,
                                                       const net::Address& bind,
                                                       net::Listener::AcceptFn accept) {
  net::Address address = bind;
  if (address.port == 0) address.port = next_port_++;
  const std::string key = net::to_string(address);
  if (auto it = listeners_.find(key); it != listeners_.end()) {
    auto existing = it->second.lock();
    if (existing && existing->open()) return std::make_error_code(std::errc::address_in_use);
  }
  auto listener = std::make_shared<SimListener>(*this, name, address, std::move(accept));
  listeners_[key] = listener;
  return std::shared_ptr<net::Listener>(listener);
}

std::vector<std::shared_ptr<SimConnection>> Network::between(const std::string& a,
                                                             const std::string& b) const {
  std::vector<std::shared_ptr<SimConnection>> out;
  for (const auto& c : connections_) {
    if (c->state() == SimConnection::State::Closed) continue;
    const std::string remote = c->remote_node();
    if ((c->node() == a && (b.empty() || remote == b)) ||
        (!b.empty() && c->node() == b && remote == a))
      out.push_back(c);
  }
  return out;
}

void Network::cut(const std::string& a, const std::string& b) {
  cut_.insert(link(a, b));
  for (auto& c : between(a, b))
    c->break_link(loop_.uniform(options_.min_timeout, options_.max_timeout));
}

void Network::heal(const std::string& a, const std::string& b) { cut_.erase(link(a, b)); }

void Network::reset(const std::string& a, const std::string& b) {
  for (auto& c : between(a, b)) c->close(std::make_error_code(std::errc::connection_reset));
}

void Network::crash(const std::string& name) {
  for (auto& [address, weak] : listeners_)
    if (auto listener = weak.lock(); listener && listener->node() == name) listener->close();
  for (const auto& c : between(name, "")) c->vanish();
  prune();
}

std::size_t Network::open_connections() const {
  return static_cast<std::size_t>(
      std::count_if(connections_.begin(), connections_.end(),
                    [](auto& c) { return c->state() != SimConnection::State::Closed; }));
}

void Network::prune() {
  std::erase_if(connections_, [](auto& c) { return c->state() == SimConnection::State::Closed; });
}

}  // namespace neo::sim
