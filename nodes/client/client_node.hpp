// nodes/client/client_node.hpp
// ClientNode: a ClientState (client_state.hpp) wired to a network and a
// scheduler. It finds the primary master with cluster::Bootstrap (again
// after a loss), opens the storage connections the state asks for, and
// hands every packet and connection end to the state, which makes all the
// protocol decisions. Client::Core runs one on the library's I/O thread
// with real sockets; the simulation (tests/sim) on its simulated network
// and clock. Use from the thread of the network and scheduler.
#pragma once

#include <memory>
#include <vector>

#include "core/cluster/bootstrap.hpp"
#include "core/net/network.hpp"
#include "core/net/tasks.hpp"
#include "nodes/client/client_state.hpp"

namespace neo::client {

class ClientNode final : public ClientEnv {
 public:
  ClientNode(ClientState::Config config, std::vector<net::Address> masters, net::Network& network,
             net::Scheduler& scheduler);
  ~ClientNode() override;
  ClientNode(const ClientNode&) = delete;
  ClientNode& operator=(const ClientNode&) = delete;

  // Starts looking for the primary master.
  void start() { find_master(); }
  // Aborts the transactions, closes the connections, stops looking.
  void shut_down();
  ClientState& state() { return state_; }

  // ClientEnv.
  std::shared_ptr<net::Peer> connect_storage(NodeId nid, const protocol::Address& address) override;
  Clock::time_point now() const override { return scheduler_.now(); }

 private:
  void find_master();
  void identified(cluster::Bootstrap::Identified identified);

  std::vector<net::Address> masters_;
  net::Network& network_;
  net::Scheduler& scheduler_;
  std::shared_ptr<cluster::Bootstrap> bootstrap_;
  std::shared_ptr<char> alive_ = std::make_shared<char>();  // handlers hold it weakly
  ClientState state_;
};

}  // namespace neo::client
