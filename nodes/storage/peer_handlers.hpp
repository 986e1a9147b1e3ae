// nodes/storage/peer_handlers.hpp
// Handlers of the connections other nodes open to a storage:
// IdentificationHandler until RequestIdentification is answered (the
// decision is StorageState::identify, applied by the PeerHost), then
// OperationHandler for identified clients and storages. Client reads and
// writes and replication are not implemented yet (client reads are
// answered from the database): the other packets get a
// clear Error (PROTOCOL_ERROR "... not implemented yet") and the
// connection is closed. io thread only.
#pragma once

#include "core/net/peer.hpp"
#include "core/protocol/packets.hpp"
#include "nodes/storage/storage_events.hpp"
#include "nodes/storage/storage_state.hpp"

namespace neo::storage {

class PeerHost {
 public:
  virtual ~PeerHost() = default;
  virtual void identify(net::Peer& peer, const protocol::RequestIdentification& request) = 0;
  virtual void peer_closed(net::Peer& peer) = 0;
  virtual StorageState& state() = 0;
  virtual StorageEvents& events() = 0;
};

class IdentificationHandler : public net::Handler {
 public:
  explicit IdentificationHandler(PeerHost& host) : host_(host) {}
  void on_packet(net::Peer& peer, const protocol::Frame& frame) override;
  void on_closed(net::Peer& peer, std::error_code reason) override;
  void on(net::Peer& peer, const protocol::RequestIdentification& p);
  void on(net::Peer& peer, const protocol::Ping& p);

 private:
  PeerHost& host_;
};

class OperationHandler : public net::Handler {
 public:
  OperationHandler(PeerHost& host, protocol::NodeType type) : host_(host), type_(type) {}
  void on_packet(net::Peer& peer, const protocol::Frame& frame) override;
  void on_closed(net::Peer& peer, std::error_code reason) override;
  void on(net::Peer& peer, const protocol::Ping& p);
  void on(net::Peer& peer, const protocol::CloseClient& p);
  // Client reads (clients only).
  void on(net::Peer& peer, const protocol::AskObject& p);
  void on(net::Peer& peer, const protocol::AskTIDs& p);
  void on(net::Peer& peer, const protocol::AskTransactionInformation& p);
  void on(net::Peer& peer, const protocol::AskObjectHistory& p);

 private:
  // Answers a read: the answer, an Error for a negative answer (protocol
  // errors also close the connection), or a fatal backend failure.
  template <class A>
  void reply(net::Peer& peer, Result<A> answer, const std::string& message);

  PeerHost& host_;
  protocol::NodeType type_;
};

}  // namespace neo::storage
