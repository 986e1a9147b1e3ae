// nodes/master/master_app.hpp
// neomaster's application: binds a Master (master.hpp) to a listener of
// the environment's network, hands it every connection's packets and
// closures, and implements its hooks (connect, timers, stop listening, exit
// once connections are flushed, flush the log) with the environment
// (daemon::Env: real sockets, or the simulation's). Created by main.cpp
// through daemon::run (or by the simulation); owned by it; runs on the
// environment's thread.
#pragma once

#include <memory>
#include <vector>

#include "core/daemon/daemon.hpp"
#include "core/net/tasks.hpp"
#include "nodes/master/master_config.hpp"

namespace neo::master {

class Master;

class MasterApp {
 public:
  explicit MasterApp(daemon::Env& env) : env_(env) {}
  MasterApp(const MasterApp&) = delete;
  MasterApp& operator=(const MasterApp&) = delete;
  // Listens on config.bind and begins recovery. Throws std::runtime_error
  // if it cannot listen.
  void start(const MasterConfig& config);
  const Master& master() const { return *master_; }
  Master& master() { return *master_; }

 private:
  void exit_when_flushed(int status, int polls);

  daemon::Env& env_;
  std::shared_ptr<Master> master_;
  std::shared_ptr<net::Listener> listener_;
  std::vector<std::weak_ptr<net::Connection>> connections_;
  net::Tasks tasks_{env_.scheduler};  // last: no timer runs after us
};

// Starts the master node (MasterApp::start).
std::shared_ptr<MasterApp> start_master(daemon::Env& env, const MasterConfig& config);

}  // namespace neo::master
