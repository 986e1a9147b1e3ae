// nodes/master/handlers/client_handler.hpp
// The handlers of identified clients (NEO/py neo/master/handlers/client.py;
// clients are only accepted while RUNNING, and disconnected when it ends):
// ClientServiceHandler: transactions (begin, new OIDs, failed vote, finish,
// final TID, abort) and packs; the logic is MasterState's and its
// TransactionManager's. ClientReadOnlyServiceHandler, for clients
// identified with extra.read_only (or "backup"): the same, but every
// request that writes is answered READ_ONLY_ACCESS. io thread only.
#pragma once

#include <string_view>

#include "core/net/peer.hpp"
#include "core/protocol/packets.hpp"
#include "nodes/master/handlers/master_handler.hpp"

namespace neo::master {

class ClientServiceHandler : public MasterHandler {
 public:
  static constexpr std::string_view kName = "ClientServiceHandler";
  using MasterHandler::MasterHandler;
  using MasterHandler::on;
  void on(net::Peer& peer, const protocol::AskBeginTransaction& p);
  void on(net::Peer& peer, const protocol::AskNewOIDs& p);
  void on(net::Peer& peer, const protocol::FailedVote& p);
  void on(net::Peer& peer, const protocol::AskFinishTransaction& p);
  void on(net::Peer& peer, const protocol::AskFinalTID& p);
  void on(net::Peer& peer, const protocol::AbortTransaction& p);
  void on(net::Peer& peer, const protocol::AskPackOrders& p);
  void on(net::Peer& peer, const protocol::WaitForPack& p);
};

class ClientReadOnlyServiceHandler : public ClientServiceHandler {
 public:
  static constexpr std::string_view kName = "ClientReadOnlyServiceHandler";
  using ClientServiceHandler::ClientServiceHandler;
  using ClientServiceHandler::on;
  void on(net::Peer& peer, const protocol::AskBeginTransaction& p);
  void on(net::Peer& peer, const protocol::AskNewOIDs& p);
  void on(net::Peer& peer, const protocol::FailedVote& p);
  void on(net::Peer& peer, const protocol::AskFinishTransaction& p);
  void on(net::Peer& peer, const protocol::AskFinalTID& p);
  void on(net::Peer& peer, const protocol::AbortTransaction& p);
};

}  // namespace neo::master
