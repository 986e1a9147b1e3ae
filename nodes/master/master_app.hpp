// nodes/master/master_app.hpp
// neomaster's application: binds a Master (master.hpp) to a listening
// socket, hands it every connection's packets and closures, and implements
// its hooks (stop listening, exit once connections are flushed, flush the
// log). Created by main.cpp through daemon::run; owned by it; runs on the
// daemon's io_context thread.
#pragma once

#include <memory>

#include "core/daemon/daemon.hpp"
#include "nodes/master/master_config.hpp"

namespace neo::master {

class Master;

// Starts the master node: listens on config.bind and begins recovery.
// Throws std::runtime_error if it cannot listen.
std::shared_ptr<void> start_master(daemon::Env& env, const MasterConfig& config);

}  // namespace neo::master
