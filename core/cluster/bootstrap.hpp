// core/cluster/bootstrap.hpp
// Finds the primary master and identifies to it (storage, admin, client):
// tries the configured masters in turn (attempts to one address spaced by
// 50 ms, doubling up to 1 s), follows NotPrimaryMaster to the primary it names (learning the
// masters it lists), retries on NOT_READY, other refusals and lost
// connections, and stops on a refusal that retrying cannot fix: PROTOCOL_ERROR
// "invalid cluster name" (NEO/py retries forever; we tell the operator), or
// an answer from a node that is not a master.
// Owned by shared_ptr by the application; use on the thread of the network
// and scheduler it is given.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

#include "core/net/connection.hpp"
#include "core/net/network.hpp"
#include "core/net/tasks.hpp"
#include "core/protocol/packets.hpp"

namespace neo::cluster {

class Bootstrap {
 public:
  struct Options {
    std::vector<net::Address> masters{};  // not empty
    // The identification to send, built at each attempt (the node id may
    // have changed since the previous one).
    std::function<protocol::RequestIdentification()> request{};
  };
  struct Identified {
    std::shared_ptr<net::Connection> connection;  // to the primary master
    protocol::AcceptIdentification accept;        // node_type MASTER, your_nid set
    net::Address master;                          // its address
  };
  // Called when identified. Install the application's handler on the
  // connection right away: the master's next packets (NotifyNodeInformation,
  // SendPartitionTable...) go to it.
  using OnIdentified = std::function<void(Identified identified)>;
  // Called on a refusal that retrying cannot fix; `message` is the master's.
  using OnRefused = std::function<void(std::error_code code, std::string message)>;

  // Connects through `network`, waits between attempts with `scheduler`.
  static std::shared_ptr<Bootstrap> start(net::Network& network, net::Scheduler& scheduler,
                                          Options options, OnIdentified on_identified,
                                          OnRefused on_refused);
  virtual ~Bootstrap() = default;
  // Stops trying (the current attempt's connection is closed).
  virtual void cancel() = 0;
  // The masters known so far (configured, then learnt).
  virtual const std::vector<net::Address>& masters() const = 0;
};

}  // namespace neo::cluster
