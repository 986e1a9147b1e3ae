#include "nodes/storage/storage_app.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <stdexcept>
#include <utility>

#include "core/log/log.hpp"
#include "nodes/storage/master_handler.hpp"
#include "nodes/storage/storage_link.hpp"

namespace neo::storage {

namespace {
constexpr std::uint64_t kDropChunk = 1000;  // object rows per background step
}

std::shared_ptr<StorageApp> StorageApp::start(daemon::Env& env, const StorageOptions& options) {
  std::unique_ptr<Database> db = open_database(options);
  auto app = std::make_shared<StorageApp>(env, options, std::move(db));
  if (options.reset) {
    SPDLOG_INFO("database {} reset", options.database);
    env.exit(0);
    return app;
  }
  for (const config::Address& address : options.server.masters)
    app->masters_.push_back(daemon::resolve(address));  // once, as NEO/py
  if (!options.server.dynamic_master_list.empty()) {
    for (const net::Address& master :
         daemon::use_master_list(options.server.dynamic_master_list, app->state_.nodes()))
      app->add_master(master);
  }
  if (app->masters_.empty()) throw std::runtime_error("no master address (-m or -D)");
  app->listen();
  app->connect_to_primary();
  return app;
}

StorageApp::StorageApp(daemon::Env& env, const StorageOptions& options,
                       std::unique_ptr<Database> db)
    : env_(env),
      options_(options),
      db_(std::move(db)),
      state_(*db_, {.cluster = options.server.cluster,
                    .disable_pack = options.disable_pack || options.adapter == "Importer"}) {
  importer_ = dynamic_cast<ImporterDatabase*>(db_.get());
  state_.load_configuration(option_nid(options));
  log::set_node(options.server.cluster, state_.nid());
  state_.log_configuration();
  if (options.reset) return;
  if (options.new_nid) {
    auto cells = db_->assigned_cells();
    if (cells)
      for (const auto& [partition, tid] : *cells) new_nid_.push_back(partition);
    if (new_nid_.empty()) throw std::runtime_error("database is empty");
  }
  if (auto path = db_->topology_path()) devpath_ = {path->first, path->second};
  identification_handler_ = std::make_shared<IdentificationHandler>(*this);
  checker_ = std::make_unique<Checker>(state_, checker_host());
  state_.tm().on_deadlock = [this](NodeId client, const protocol::NotifyDeadlock& packet) {
    notify_deadlock(client, packet);
  };
  // Group commit: the votes and locks of the events at hand (posted after
  // them) share one commit.
  state_.tm().set_commit_scheduler([this] {
    run_later([this] {
      if (std::error_code ec = state_.tm().commit_round())
        fatal("commit: " + ec.message() + " " + db_->last_error());
    });
  });
  state_.tm().on_replication_done = [this](const protocol::NotifyReplicationDone& packet) {
    if (master_) master_->notify(packet);
  };
  replicator_ = std::make_unique<Replicator>(
      state_, env_.scheduler,
      Replicator::Hooks{
          .connect =
              [this](const protocol::Address& address, std::shared_ptr<net::Handler> handler) {
                return std::static_pointer_cast<net::Peer>(env_.network.connect(
                    net::Address{address.host, address.port},
                    std::make_shared<OutgoingLinkHandler>(*this, std::move(handler))));
              },
          .master = [this]() -> net::Peer* { return master_.get(); },
          .fatal = [this](const std::string& what) { fatal(what); },
          .server =
              [this] {
                return protocol::Address{server_.host, server_.port};
              },
          .maybe_pack =
              [this] {
                if (auto handler = master_handler_.lock(); handler && master_)
                  handler->maybe_pack(*master_);
              }});
  env_.dump = [this] {
    for (const std::string& line : state_.dump()) SPDLOG_INFO("{}", line);
    for (const std::string& line : replicator_->dump()) SPDLOG_INFO("{}", line);
  };
  env_.on_stop = [this] {
    stopping_ = true;
    SPDLOG_INFO("{}: stopping", log::node_label());
  };
}

StorageApp::~StorageApp() {
  stopping_ = true;
  if (replicator_) replicator_->stop();
  if (checker_) checker_->reset();
  if (bootstrap_) bootstrap_->cancel();
  if (listener_) listener_->close();
  close_peers();
  close_master();
  if (db_) db_->close();
}

void StorageApp::listen() {
  const net::Address bind = daemon::resolve(options_.server.bind);
  auto listener = env_.network.listen(bind, [this](net::Connection& connection) {
    add_peer(connection);
    return std::static_pointer_cast<net::Handler>(identification_handler_);
  });
  if (!listener)
    throw std::runtime_error("cannot listen on " + net::to_string(bind) + ": " +
                             listener.error().message());
  listener_ = *listener;
  server_ = listener_->local_address();
  SPDLOG_INFO("listening on {}", net::to_string(server_));
}

protocol::RequestIdentification StorageApp::identification_request() const {
  protocol::RequestIdentification request{.node_type = protocol::NodeType::Storage,
                                          .nid = new_nid_.empty() ? state_.nid() : std::nullopt,
                                          .name = options_.server.cluster};
  if (new_nid_.empty()) request.address = protocol::Address{server_.host, server_.port};
  protocol::Value::Array devpath, new_nid;
  for (const std::string& part : devpath_) devpath.push_back(protocol::Value::bin(part));
  for (std::int64_t partition : new_nid_) new_nid.push_back(protocol::Value::integer(partition));
  request.extra.emplace_back("devpath", protocol::Value::array(std::move(devpath)));
  request.extra.emplace_back("new_nid", protocol::Value::array(std::move(new_nid)));
  return request;
}

void StorageApp::add_master(const net::Address& address) {
  if (std::find(masters_.begin(), masters_.end(), address) == masters_.end())
    masters_.push_back(address);
}

void StorageApp::connect_to_primary() {
  if (stopping_) return;
  // Also try the masters learnt from the cluster (NEO/py keeps them in its
  // node manager): the one we knew may be the primary that just died.
  for (const node::Node* master : state_.nodes().list(protocol::NodeType::Master))
    if (master->address())
      add_master(net::Address{master->address()->host, master->address()->port});
  SPDLOG_INFO("connecting to a primary master node");
  cluster::Bootstrap::Options options{.masters = masters_,
                                      .request = [this] { return identification_request(); }};
  bootstrap_ = cluster::Bootstrap::start(
      env_.network, env_.scheduler, std::move(options),
      [this](cluster::Bootstrap::Identified identified) {
        master_ = identified.connection;
        master_->set_nid(identified.accept.nid);
        auto handler = std::make_shared<MasterHandler>(
            state_, *this, [this](std::error_code reason) { master_lost(reason); });
        master_handler_ = handler;
        master_->set_handler(std::move(handler));
        if (std::error_code ec = state_.identified(*identified.accept.your_nid))
          return fatal("saving the node id: " + ec.message() + " " + db_->last_error());
        log::set_node(options_.server.cluster, state_.nid());
        SPDLOG_INFO("connected to a primary master node {} ({}), I am {}",
                    to_string(identified.accept.nid), net::to_string(identified.master),
                    to_string(state_.nid()));
      },
      [this](std::error_code, std::string message) {
        SPDLOG_CRITICAL("the primary master refused this storage node: {}", message);
        env_.exit(1);
      });
}

void StorageApp::master_lost(std::error_code reason) {
  const std::string who = master_ ? master_->describe() : std::string("?");
  master_.reset();
  if (checker_) checker_->reset();
  close_peers();
  if (stopping_) return;
  SPDLOG_ERROR("primary master is down: {} ({}), looking for it again", who,
               reason ? reason.message() : std::string("connection closed"));
  tasks_.post([this] { connect_to_primary(); });
}

void StorageApp::shutdown(bool erase) {
  stopping_ = true;
  close_peers();
  if (erase) {
    SPDLOG_INFO("erasing the database (node dropped from the cluster)");
    if (std::error_code ec = db_->reset())
      SPDLOG_ERROR("cannot erase the database: {} {}", ec.message(), db_->last_error());
  }
  SPDLOG_INFO("Application has been asked to shut down");
  close_master();  // nothing more from the master is applied
  env_.exit(0);
}

void StorageApp::fatal(const std::string& what) {
  SPDLOG_CRITICAL("database failure: {}", what);
  stopping_ = true;
  close_peers();
  close_master();
  env_.exit(1);
}

void StorageApp::nodes_changed(const std::vector<protocol::NodeInfo>& removed) {
  for (const protocol::NodeInfo& info : removed) {
    for (auto& weak : peers_) {
      auto peer = weak.lock();
      if (peer && info.nid && peer->nid() == info.nid) {
        SPDLOG_INFO("{} forgotten by the master: closing its connection", to_string(*info.nid));
        peer->close({});
        break;
      }
    }
  }
  std::vector<Delayed> delayed;
  delayed.swap(delayed_);
  for (Delayed& d : delayed) {
    auto peer = d.peer.lock();
    if (peer && !peer->closed() && !decide(*peer, d.msg_id, d.request))
      delayed_.push_back(std::move(d));
  }
}

void StorageApp::identify(net::Peer& peer, const protocol::RequestIdentification& request) {
  if (!decide(peer, peer.msg_id(), request))
    delayed_.push_back({peer.weak_from_this(), peer.msg_id(), request});
}

bool StorageApp::decide(net::Peer& peer, std::uint32_t msg_id,
                        const protocol::RequestIdentification& request) {
  using Kind = StorageState::Identification::Kind;
  const StorageState::Identification decision = state_.identify(request);
  const std::string who = std::string(protocol::to_string(request.node_type)) + " " +
                          to_string(request.nid) + " (" + peer.address() + ")";
  std::string more;  // a flood of them costs a few lines
  if (decision.kind == Kind::Delay) {
    if (delayed_log_.allow(more))
      SPDLOG_INFO("identification of {} delayed until the master announces it{}", who, more);
    return false;
  }
  if (decision.kind == Kind::Reject) {
    if (refused_log_.allow(more))
      SPDLOG_INFO("refusing {}: {} {}{}", who, errc_name(decision.code), decision.message, more);
    peer.answer_error(msg_id, decision.code, decision.message);
    peer.abort(make_error_code(decision.code));
    return true;
  }
  SPDLOG_INFO("accepted {}", who);
  peer.set_nid(request.nid);
  add_peer(peer);
  if (auto connection = std::dynamic_pointer_cast<net::Connection>(peer.shared_from_this()))
    connection->set_handler(std::make_shared<OperationHandler>(*this, decision.peer));
  peer.answer(msg_id, decision.answer);
  return true;
}

void StorageApp::peer_closed(net::Peer& peer) {
  for (auto& [weak, incoming] : std::exchange(lent_, {})) {
    auto lent = weak.lock();
    if (lent && incoming == &peer && checker_) checker_->connection_lost(*lent);
    if (lent && incoming != &peer) lent_.emplace_back(weak, incoming);
  }
  std::erase_if(peers_, [&](const std::weak_ptr<net::Peer>& weak) {
    auto p = weak.lock();
    return !p || p.get() == &peer;
  });
  std::erase_if(delayed_, [&](const Delayed& d) {
    auto p = d.peer.lock();
    return !p || p.get() == &peer;
  });
}

void StorageApp::add_peer(net::Peer& peer) {
  for (const auto& weak : peers_)
    if (weak.lock().get() == &peer) return;
  peers_.push_back(peer.weak_from_this());
}

void StorageApp::close_peers() {
  auto peers = std::move(peers_);
  peers_.clear();
  delayed_.clear();
  for (auto& weak : peers)
    if (auto peer = weak.lock()) peer->close({});
}

void StorageApp::operation_stopped() {
  if (checker_) checker_->reset();
  close_peers();
}

void StorageApp::close_master() {
  // A local reference: closing calls master_lost(), which resets master_.
  std::shared_ptr<net::Connection> master = master_;
  if (master) master->close({});
}

void StorageApp::drop_partitions(const std::vector<std::uint32_t>& partitions) {
  if (partitions.empty()) return;
  if (options_.disable_drop_partitions) {
    SPDLOG_INFO("keeping the data of {} discarded partitions (--disable-drop-partitions)",
                partitions.size());
    return;
  }
  for (std::uint32_t p : partitions) {
    SPDLOG_INFO("dropping the data of partition {}", p);
    to_drop_.push_back(p);
  }
  if (!dropping_) {
    dropping_ = true;
    tasks_.post([this] { drop_step(); });
  }
}

void StorageApp::drop_step() {
  while (!to_drop_.empty()) {
    const std::uint32_t partition = to_drop_.front();
    if (state_.nid() && partition < state_.pt().num_partitions() &&
        state_.pt().find_cell(partition, *state_.nid())) {
      to_drop_.pop_front();  // assigned again meanwhile: keep it
      continue;
    }
    Result<bool> more = db_->drop_partition(partition, kDropChunk);
    if (!more)
      return fatal("dropping partition " + std::to_string(partition) + ": " +
                   more.error().message() + " " + db_->last_error());
    if (std::error_code ec = db_->commit())
      return fatal("commit: " + ec.message() + " " + db_->last_error());
    if (*more) {
      tasks_.post([this] { drop_step(); });
      return;
    }
    SPDLOG_INFO("partition {} dropped", partition);
    to_drop_.pop_front();
  }
  dropping_ = false;
}

void StorageApp::notify_deadlock(NodeId client, const protocol::NotifyDeadlock& packet) {
  for (auto& weak : peers_) {
    auto peer = weak.lock();
    if (peer && !peer->closed() && peer->nid() == client) {
      peer->notify(packet);
      return;
    }
  }
  SPDLOG_INFO("cannot notify deadlock to {}: not connected", to_string(client));
}

void StorageApp::run_later(std::function<void()> fn) { tasks_.post(std::move(fn)); }

void StorageApp::run_after(double seconds, std::function<void()> fn) {
  tasks_.call_later(seconds, std::move(fn));
}

void StorageApp::commit_later() {
  if (commit_pending_) return;
  commit_pending_ = true;
  tasks_.call_later(1.0, [this] {
    commit_pending_ = false;
    if (std::error_code ec = db_->commit_deferred())
      fatal("deferred commit: " + ec.message() + " " + db_->last_error());
  });
}

Checker::Host StorageApp::checker_host() {
  return {
      .open =
          [this](const protocol::Address& address, const protocol::RequestIdentification& request,
                 net::AnswerCallback<protocol::AcceptIdentification> on_identified) {
            // NEO/py refuses a second connection ("already connected"): the
            // one that storage opened to us is used, as NEO/py does.
            if (std::shared_ptr<net::Peer> incoming = incoming_storage(address)) {
              std::shared_ptr<net::Peer> lent = borrow_storage_link(incoming);
              lent_.emplace_back(lent, incoming.get());
              tasks_.post([on_identified = std::move(on_identified), nid = incoming->nid(),
                           own = state_.nid()] {
                on_identified(protocol::AcceptIdentification{protocol::NodeType::Storage, nid, own},
                              {});
              });
              return lent;
            }
            return std::static_pointer_cast<net::Peer>(open_storage_link(
                env_.network, net::Address{address.host, address.port}, request,
                {.on_identified = std::move(on_identified),
                 .on_closed =
                     [this](net::Peer& peer, std::error_code) {
                       if (checker_) checker_->connection_lost(peer);
                     },
                 .wrap_handler =
                     [this](std::shared_ptr<net::Handler> link) {
                       return std::make_shared<OutgoingLinkHandler>(*this, std::move(link));
                     }}));
          },
      .identification =
          [this] {
            const node::Node* self = state_.nid() ? state_.nodes().by_nid(*state_.nid()) : nullptr;
            return protocol::RequestIdentification{
                .node_type = protocol::NodeType::Storage,
                .nid = state_.nid(),
                .address = protocol::Address{server_.host, server_.port},
                .name = options_.server.cluster,
                .id_timestamp = self ? self->id_timestamp : std::nullopt,
                .extra = {}};
          },
      .notify_master =
          [this](const protocol::NotifyPartitionCorrupted& p) {
            if (master_) master_->notify(p);
          },
      .fatal = [this](const std::string& what) { fatal(what); }};
}

std::shared_ptr<net::Peer> StorageApp::incoming_storage(const protocol::Address& address) const {
  const node::Node* node = state_.nodes().by_address(address);
  if (!node || !node->nid() || node->type() != protocol::NodeType::Storage) return nullptr;
  for (const auto& weak : peers_) {
    std::shared_ptr<net::Peer> peer = weak.lock();
    if (peer && !peer->closed() && peer->nid() == node->nid()) return peer;
  }
  return nullptr;
}

}  // namespace neo::storage
