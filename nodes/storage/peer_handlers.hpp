// nodes/storage/peer_handlers.hpp
// Handlers of the connections other nodes open to a storage:
// IdentificationHandler until RequestIdentification is answered (the
// decision is StorageState::identify, applied by the PeerHost), then
// OperationHandler for identified clients and storages. Client reads are
// answered from the database (delayed while the object is being committed),
// client writes go to the TransactionManager (client_writes.cpp).
// Storages replicating from us fetch with AskFetchTransactions /
// AskFetchObjects (replication_source.cpp) and ask the digests of a check of
// replicas (check_serving.cpp). Any other packet, or one the peer's type
// may not send, is unexpected (net::dispatch's policy: Error(PROTOCOL_ERROR,
// "unexpected packet: <Name> in ClientOperationHandler" or
// "...StorageOperationHandler"), connection aborted). OutgoingLinkHandler serves the same storage
// requests on the connections this storage opens to other storages.
// io thread only.
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
  static constexpr std::string_view kName = "IdentificationHandler";
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
  static constexpr std::string_view kName = "OperationHandler";
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
  void on(net::Peer& peer, const protocol::AskFinalTID& p);
  void on(net::Peer& peer, const protocol::AskObjectUndoSerial& p);
  void on(net::Peer& peer, const protocol::AskTIDsFrom& p);
  void on(net::Peer& peer, const protocol::AskOIDsFrom& p);
  // Client writes (clients only): client_writes.cpp.
  void on(net::Peer& peer, const protocol::AskStoreObject& p);
  void on(net::Peer& peer, const protocol::AskCheckCurrentSerial& p);
  void on(net::Peer& peer, const protocol::AskRelockObject& p);
  void on(net::Peer& peer, const protocol::AskStoreTransaction& p);
  void on(net::Peer& peer, const protocol::AskVoteTransaction& p);
  void on(net::Peer& peer, const protocol::AbortTransaction& p);
  // Replication source (storages only): replication_source.cpp.
  void on(net::Peer& peer, const protocol::AskFetchTransactions& p);
  void on(net::Peer& peer, const protocol::AskFetchObjects& p);
  // Checks of replicas (storages only): check_serving.cpp.
  void on(net::Peer& peer, const protocol::AskCheckTIDRange& p);
  void on(net::Peer& peer, const protocol::AskCheckSerialRange& p);

 private:
  // True if our cell of `partition` may feed (readable; for checks, not
  // OUT_OF_DATE); else answers Error(`code`, "partition N not readable").
  bool feeding(net::Peer& peer, std::int64_t partition, errc code);
  void feed_transactions(net::Peer& peer, std::uint32_t msg_id,
                         const protocol::AskFetchTransactions& p);
  // Answers a read: the answer, an Error for a negative answer (protocol
  // errors also close the connection), or a fatal backend failure.
  template <class A>
  void reply(net::Peer& peer, Result<A> answer, const std::string& message);
  // Answers `msg_id` later: the answer, or Error (protocol errors close).
  template <class A>
  void reply_later(net::Peer& peer, std::uint32_t msg_id, Result<A> answer,
                   const std::string& message);
  // Runs `attempt` now, or again whenever locks are released while it
  // returns false (a read of an object being committed).
  void read_or_delay(net::Peer& peer, std::function<bool(net::Peer&, std::uint32_t)> attempt);
  TransactionManager::Origin origin(net::Peer& peer) const;
  // The answer of a store or check (`Answer` carries the conflict), sent
  // when the TransactionManager decides, unless the connection closed.
  template <class Answer>
  TransactionManager::LockReply lock_reply(net::Peer& peer);
  // A request failed: protocol error (Error + close), undo pack error, or fatal.
  void write_failed(net::Peer& peer, std::uint32_t msg_id, std::error_code ec,
                    const std::string& message);

  PeerHost& host_;
  protocol::NodeType type_;
};

// A connection this storage opened to another storage (replication, check):
// `link` gets its packets but the requests that storage may send us through
// it, served as on a connection it opened (NEO/py keeps one connection per
// pair of storages and uses it both ways): AskFetchTransactions,
// AskFetchObjects, AskCheckTIDRange, AskCheckSerialRange.
class OutgoingLinkHandler : public net::Handler {
 public:
  OutgoingLinkHandler(PeerHost& host, std::shared_ptr<net::Handler> link)
      : link_(std::move(link)), served_(host, protocol::NodeType::Storage) {}
  void on_connected(net::Peer& peer) override { link_->on_connected(peer); }
  void on_packet(net::Peer& peer, const protocol::Frame& frame) override;
  void on_closed(net::Peer& peer, std::error_code reason) override {
    link_->on_closed(peer, reason);
  }

 private:
  std::shared_ptr<net::Handler> link_;
  OperationHandler served_;
};

}  // namespace neo::storage
