// nodes/master/handlers/client_handler.hpp
// The handlers of identified clients (NEO/py neo/master/handlers/client.py;
// clients are only accepted while RUNNING, and disconnected when it ends):
// ClientServiceHandler: transactions (begin, new OIDs, failed vote, finish,
// final TID, abort) and packs; the logic is MasterState's and its
// TransactionManager's. ClientReadOnlyServiceHandler, for clients
// identified with extra.read_only (or "backup"): the same, but every
// request that writes is answered READ_ONLY_ACCESS. ClientBackupServiceHandler,
// for the (read-only) clients of a cluster in backup mode: AskLastTransaction
// is answered the backup TID, AskLastIDs READ_ONLY_ACCESS. io thread only.
#pragma once

#include <string_view>
#include <type_traits>

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

// The requests of a client that write.
template <class P>
constexpr bool kClientWrite =
    std::is_same_v<P, protocol::AskBeginTransaction> || std::is_same_v<P, protocol::AskNewOIDs> ||
    std::is_same_v<P, protocol::FailedVote> || std::is_same_v<P, protocol::AskFinishTransaction> ||
    std::is_same_v<P, protocol::AskFinalTID> || std::is_same_v<P, protocol::AbortTransaction>;

// What ClientServiceHandler handles, but writes are answered READ_ONLY_ACCESS.
class ClientReadOnlyServiceHandler : public ClientServiceHandler {
 public:
  static constexpr std::string_view kName = "ClientReadOnlyServiceHandler";
  using ClientServiceHandler::ClientServiceHandler;
  template <class P>
  requires requires(ClientServiceHandler& base, net::Peer& peer, const P& p) { base.on(peer, p); }
  void on(net::Peer& peer, const P& p) {
    if constexpr (kClientWrite<P>)
      read_only(peer, read_only_message_);
    else
      ClientServiceHandler::on(peer, p);
  }

 protected:
  static void read_only(net::Peer& peer, std::string_view message);
  std::string_view read_only_message_ = "read-only access as requested by the client";
};

class ClientBackupServiceHandler : public ClientReadOnlyServiceHandler {
 public:
  static constexpr std::string_view kName = "ClientBackupServiceHandler";
  explicit ClientBackupServiceHandler(MasterState& state) : ClientReadOnlyServiceHandler(state) {
    read_only_message_ = "read-only access because cluster is in backuping mode";
  }
  using ClientReadOnlyServiceHandler::on;
  void on(net::Peer& peer, const protocol::AskLastTransaction& p);
  void on(net::Peer& peer, const protocol::AskLastIDs& p);
};

}  // namespace neo::master
