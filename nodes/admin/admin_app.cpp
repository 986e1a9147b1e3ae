#include "nodes/admin/admin_app.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <stdexcept>

#include "core/log/log.hpp"
#include "nodes/admin/master_handler.hpp"

namespace neo::admin {

using namespace protocol;

AdminApp::AdminApp(daemon::Env& env, const AdminConfig& config)
    : env_(env),
      bind_(daemon::resolve(config.server.bind)),
      core_(config.server.cluster, config.monitor_backup) {
  if (config.server.cluster.empty()) throw std::runtime_error("cluster name must be non-empty");
  for (const config::Address& master : config.server.masters)
    masters_.push_back(daemon::resolve(master));
  if (!config.server.dynamic_master_list.empty()) {
    for (const net::Address& master :
         daemon::use_master_list(config.server.dynamic_master_list, core_.view().nodes()))
      if (std::find(masters_.begin(), masters_.end(), master) == masters_.end())
        masters_.push_back(master);
  }
  if (masters_.empty()) throw std::runtime_error("no master address given (-m)");
  if (config.nid) nid_ = NodeId{static_cast<std::int32_t>(*config.nid)};
  if (!config.monitor_email.empty())
    SPDLOG_WARN("email notifications (--monitor-email) are not implemented yet: ignored");
  if (!config.monitor_backup.empty())
    SPDLOG_WARN(
        "monitoring of backup clusters is not implemented yet: their reports are only "
        "logged");
}

std::shared_ptr<AdminApp> AdminApp::start(daemon::Env& env, const AdminConfig& config) {
  auto app = std::make_shared<AdminApp>(env, config);
  log::set_node(config.server.cluster, app->nid_);
  SPDLOG_DEBUG("IP address is {}, port is {}", app->bind_.host, app->bind_.port);
  app->neoctl_handler_ = std::make_shared<NeoctlHandler>(app->core_);
  std::weak_ptr<NeoctlHandler> handler = app->neoctl_handler_;
  Result<std::shared_ptr<net::Listener>> listener = env.network.listen(
      app->bind_,
      [handler](net::Connection& connection) -> std::shared_ptr<net::Handler> {
        SPDLOG_DEBUG("accepted a connection from {}", connection.address());
        return handler.lock();
      });
  if (!listener) {
    throw std::runtime_error("cannot listen on " + net::to_string(app->bind_) + ": " +
                             listener.error().message());
  }
  app->listener_ = *listener;
  env.dump = [weak = std::weak_ptr<AdminApp>(app)] {
    if (auto alive = weak.lock()) alive->dump();
  };
  app->connect_to_primary();
  return app;
}

AdminApp::~AdminApp() {
  if (bootstrap_) bootstrap_->cancel();
  if (master_) master_->close({});
  if (listener_) listener_->close();
}

void AdminApp::connect_to_primary() {
  SPDLOG_INFO("connecting to a primary master node");
  cluster::Bootstrap::Options options;
  options.masters = masters_;
  options.request = [this] {
    Value::Array backups;
    for (const auto& name : core_.backup_names()) backups.push_back(Value::bin(name));
    return RequestIdentification{.node_type = NodeType::Admin,
                                 .nid = nid_,
                                 .address = Address{bind_.host, bind_.port},
                                 .name = core_.cluster(),
                                 .id_timestamp = std::nullopt,
                                 .extra = {{"backup", Value::array(std::move(backups))}}};
  };
  std::weak_ptr<AdminApp> weak = weak_from_this();
  bootstrap_ = cluster::Bootstrap::start(
      env_.network, env_.scheduler, std::move(options),
      [weak](cluster::Bootstrap::Identified identified) {
        if (auto app = weak.lock()) app->identified(std::move(identified));
      },
      [weak](std::error_code code, std::string message) {
        auto app = weak.lock();
        if (!app) return;
        SPDLOG_ERROR("the primary master refused this admin node: {} ({})", message,
                     code.message());
        app->env_.exit(1);
      });
}

void AdminApp::identified(cluster::Bootstrap::Identified identified) {
  bootstrap_.reset();
  master_ = identified.connection;
  nid_ = identified.accept.your_nid;
  log::set_node(core_.cluster(), nid_);
  SPDLOG_INFO("connected to the primary master {} at {} as {}", to_string(identified.accept.nid),
              net::to_string(identified.master), to_string(nid_));
  std::weak_ptr<AdminApp> weak = weak_from_this();
  master_->set_handler(std::make_shared<MasterHandler>(core_, [weak](std::error_code reason) {
    if (auto app = weak.lock()) app->master_lost(reason);
  }));
  master_->set_nid(identified.accept.nid);
  core_.view().on_identified(identified.accept.nid, nid_);
  core_.set_master(master_);
  master_->ask(AskClusterState{},
               [weak](Result<AnswerClusterState> answer, std::string_view message) {
                 auto app = weak.lock();
                 if (!app || !answer) return;
                 SPDLOG_INFO("cluster state: {}",
                             answer->state ? std::string(to_string(*answer->state)) : "None");
                 app->core_.view().set_cluster_state(answer->state);
               });
}

void AdminApp::master_lost(std::error_code reason) {
  const bool stopping = core_.view().cluster_state() == ClusterState::Stopping;
  master_.reset();
  core_.master_lost();
  nid_.reset();
  SPDLOG_ERROR("primary master is down");
  if (stopping) {
    SPDLOG_INFO("the cluster was STOPPING: exiting");
    if (listener_) listener_->close();
    env_.exit(0);
    return;
  }
  connect_to_primary();
}

void AdminApp::dump() const {
  const ClusterView& view = core_.view();
  SPDLOG_INFO("dump: cluster {} state {}, primary {}, own id {}, master {}", core_.cluster(),
              view.cluster_state() ? std::string(to_string(*view.cluster_state())) : "None",
              to_string(view.primary()), to_string(view.own_nid()),
              master_ ? master_->describe() : std::string("not connected"));
  for (const std::string& line : node::format_node_list(view.node_list(std::nullopt), "node: "))
    SPDLOG_INFO("dump: {}", line);
  if (view.pt()) {
    for (const std::string& line :
         view.pt()->format([&view](NodeId nid) { return view.state_of(nid); }, "pt: "))
      SPDLOG_INFO("dump: {}", line);
  }
  SPDLOG_INFO("dump: summary: {}", format_summary(core_.monitor()));
}

}  // namespace neo::admin
