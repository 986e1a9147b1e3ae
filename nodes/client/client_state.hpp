// nodes/client/client_state.hpp
// ClientState: what the client library knows and decides, without sockets
// (NEO/py's neo/client/app.py, transactions.py and handlers/): the primary
// master's node list and partition table, the cache and its invalidations,
// reads retried over the readable cells, oids, and the two-phase commit
// (stores and checks to every cell, conflicts, deadlock avoidance, vote,
// finish, abort, undo, pack).
//
// It sees the master and the storages only as net::Peer, and asks its
// environment (ClientEnv) for storage connections and the time: no asio, no
// threads, no real time. Client::Core (client_core.hpp) runs it on the
// library's I/O thread with real connections; the unit tests, with fake
// peers. Packets received go through net::dispatch into the handlers of
// client_handlers.hpp, which call the methods below.
//
// Owned by Client::Core. Use from one thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <system_error>
#include <vector>

#include "core/net/peer.hpp"
#include "core/node/node_manager.hpp"
#include "core/protocol/packets.hpp"
#include "core/pt/partition_table.hpp"
#include "neo/client.hpp"
#include "nodes/client/cache.hpp"

namespace neo::client {

template <class T>
using Reply = std::function<void(Result<T>)>;
using Done = std::function<void(std::error_code)>;
using VoteReply = std::function<void(std::error_code, std::vector<Conflict>)>;

// A store as ClientState receives it (compressed by the caller's thread:
// make_store()).
struct StoreRequest {
  Oid oid{};
  Tid serial{};
  std::optional<std::string> data{};  // raw, for the cache; nullopt: no data
  std::int64_t compression = 0;
  std::string stored{};              // the bytes sent
  std::string checksum{};            // SHA-1 of `stored`; ZERO_HASH without data
  std::optional<Tid> data_serial{};  // undo: the revision whose data is reused
};

StoreRequest make_store(Oid oid, Tid serial, std::optional<std::string> data, bool compress,
                        std::optional<Tid> data_serial = std::nullopt);

// What ClientState asks of the world around it.
class ClientEnv {
 public:
  using Clock = std::chrono::steady_clock;
  virtual ~ClientEnv() = default;
  // Opens a connection to storage `nid` listening at `address` and returns
  // it at once (what is sent is queued until the transport is up). The
  // environment hands the connection's packets to
  // ClientState::storage_packet(nid, ...) and its end to
  // ClientState::storage_closed(nid, ...); a connection that cannot be
  // established ends that way, later (never from inside this call).
  // nullptr: not even tried (the storage counts as failed).
  virtual std::shared_ptr<net::Peer> connect_storage(NodeId nid,
                                                     const protocol::Address& address) = 0;
  // Monotonic time (storages that failed are asked last for a while).
  virtual Clock::time_point now() const = 0;
};

class ClientState {
 public:
  struct Config {
    std::string cluster{};
    bool read_only = false;
    bool compress = true;  // undo's stores
    std::size_t cache_bytes = 20 << 20;
    std::uint64_t seed = 0;  // the order in which readable cells are tried
  };
  ClientState(Config config, ClientEnv& env);
  ~ClientState();
  ClientState(const ClientState&) = delete;
  ClientState& operator=(const ClientState&) = delete;

  // ---- The primary master (found by the environment) ----------------------
  // The identification to send to a master.
  protocol::RequestIdentification master_identification() const;
  // Identified to the primary master on `master`: its notifications go to
  // master_packet(), its end to master_closed().
  void master_identified(std::shared_ptr<net::Peer> master,
                         const protocol::AcceptIdentification& accept);
  void master_packet(net::Peer& peer, const protocol::Frame& frame);
  // The connection to `peer` ended. True if it was the primary master's:
  // the environment looks for the primary master again.
  bool master_closed(const net::Peer& peer);
  // The master refused this client for good: waiting calls fail with `code`.
  void refused(std::error_code code);
  // Aborts the transactions and every connection; nothing is reopened.
  void shut_down();
  bool shutting_down() const { return shutting_down_; }

  // ---- Storages (connections opened through ClientEnv) ----------------------
  void storage_packet(NodeId nid, net::Peer& peer, const protocol::Frame& frame);
  void storage_closed(NodeId nid, const net::Peer& peer);

  // ---- Called by the handlers (client_handlers.hpp) -------------------------
  // An error closes the master connection.
  std::error_code apply_nodes(const protocol::NotifyNodeInformation& notification);
  std::error_code load_partition_table(const protocol::SendPartitionTable& table);
  std::error_code change_partitions(const protocol::NotifyPartitionChanges& changes);
  void invalidate(const protocol::InvalidateObjects& invalidation);
  // NotifyDeadlock from storage `nid`: relocks the object (AskRelockObject).
  void deadlock(NodeId nid, net::Peer& peer, const protocol::NotifyDeadlock& notification);

  // ---- The public API (client.cpp, through Client::Core) --------------------
  // Calls `done` once the cluster is usable (now if it is). The calls below
  // expect it to be.
  void when_ready(Done done);
  void load(Oid oid, std::optional<Tid> at, std::optional<Tid> before, Reply<Record> reply);
  void new_oid(Reply<Oid> reply);
  void last_transaction(Reply<Tid> reply);
  void sync(Done done);
  void history(Oid oid, std::size_t size, Reply<std::vector<HistoryEntry>> reply);
  void undo_log(std::size_t first, std::size_t last, Reply<std::vector<TransactionInfo>> reply);
  void transactions(Tid start, Tid stop, std::size_t limit,
                    Reply<std::vector<TransactionInfo>> reply);
  void revisions(Tid tid, const std::vector<Oid>& oids, Reply<std::vector<Revision>> reply);
  void set_invalidation(Client::InvalidationFn fn) { invalidation_ = std::move(fn); }
  void set_cache_reset(Client::CacheResetFn fn) { cache_reset_ = std::move(fn); }
  CacheStats cache_stats() const;
  std::optional<NodeId> nid() const { return nid_; }

  void begin(Metadata metadata, std::optional<Tid> tid, Reply<Tid> reply);
  void store(Tid ttid, StoreRequest request);
  void check_current_serial(Tid ttid, Oid oid, Tid serial);
  void undo(Tid ttid, Tid undone, VoteReply reply);
  void vote(Tid ttid, VoteReply reply);
  void finish(Tid ttid, Reply<Tid> reply);
  void abort(Tid ttid);
  // Packs at min(tid, the last TID known) as NEO/py's client (client_pack.cpp):
  // a transaction carrying a pack order; with `wait`, until every storage has
  // done it. errc::invalid_argument for kZeroTid.
  void pack(Tid tid, bool wait, Done done);

  // ---- Inspection (tests) ---------------------------------------------------
  bool ready() const { return ready_; }
  std::optional<Tid> last_tid() const { return last_tid_; }
  const pt::PartitionTable& pt() const { return pt_; }
  const node::NodeManager& nodes() const { return nodes_; }
  bool has_transaction(Tid ttid) const { return txns_.count(ttid) != 0; }

 private:
  struct Txn;
  struct StorageLink;
  template <class P>
  struct ReadAttempt;

  void master_lost();
  void invalidate_oid(Oid oid, Tid tid);
  void check_ready();

  // Storages (client_state.cpp).
  // Calls `fn` with an identified connection to storage `nid` (opened if
  // needed), or nullptr if the node cannot be reached.
  void with_storage(NodeId nid, std::function<void(std::shared_ptr<net::Peer>)> fn);
  void storage_identified(NodeId nid, const std::shared_ptr<StorageLink>& link,
                          Result<protocol::AcceptIdentification> accept, std::string_view message);
  void close_storage(NodeId nid);
  // Readable cells of a partition on running storages, the ones that failed
  // recently last.
  std::vector<NodeId> read_cells(std::uint32_t offset);

  // Reads (client_reads.cpp).
  // Asks readable cells of `offset` in turn until one answers (`check`
  // may refuse an answer, e.g. a wrong checksum, to try the next cell).
  template <class P>
  void ask_read(std::uint32_t offset, P packet,
                std::function<void(Result<typename P::Answer>)> reply,
                std::function<std::error_code(const typename P::Answer&)> check = {});
  template <class P>
  void read_next(std::shared_ptr<ReadAttempt<P>> attempt);
  void load_answer(Oid oid, Result<protocol::AnswerObject> answer, Reply<Record> reply);
  void transaction_infos(std::vector<Tid> tids, Reply<std::vector<TransactionInfo>> reply);

  // Transactions (client_commit.cpp, client_finish.cpp).
  Txn* txn(Tid ttid);
  // Sends a write to every cell of `offset`; `send` asks it and calls back.
  using WriteFn = std::function<void(net::Peer&, NodeId, Done)>;
  void write(Txn& txn, std::uint32_t offset, WriteFn send);
  // The same to storage `nid` only.
  void write_to(Txn& txn, NodeId nid, WriteFn send);
  // The connection this transaction uses to `nid` (nullptr once failed).
  void txn_storage(Txn& txn, NodeId nid, std::function<void(std::shared_ptr<net::Peer>)> fn);
  void send_abort(const Txn& txn);
  void undo_stores(Tid ttid, std::map<Oid, protocol::UndoSerial> serials, VoteReply reply);
  void when_idle(Txn& txn, std::function<void()> fn);
  void write_done(Tid ttid, NodeId nid, std::error_code ec);
  // Sends a store or a check to every cell of `offset`; their answers may
  // report a conflict.
  template <class P>
  void write_object(Txn& txn, std::uint32_t offset, P packet, std::uint64_t generation,
                    const char* what);
  void store_answer(Tid ttid, Oid oid, std::uint64_t generation, NodeId nid, std::uint32_t offset,
                    std::optional<Tid> conflict);
  void vote_metadata(Tid ttid, VoteReply reply);
  void vote_failures(Tid ttid, VoteReply reply);
  void voted(Tid ttid, VoteReply reply);
  void finished(Tid ttid, Tid tid);
  void final_tid(Tid ttid, Reply<Tid> reply);
  void wait_for_pack(Tid pack_id, Done done);

  Config config_;
  ClientEnv& env_;
  bool shutting_down_ = false;  // no reconnection
  std::error_code refused_;     // by the master, for good

  std::shared_ptr<net::Peer> master_;
  std::uint64_t master_epoch_ = 0;  // incremented at each lost master
  bool first_notification_ = false;
  std::optional<NodeId> nid_;
  std::optional<double> id_timestamp_;
  node::NodeManager nodes_;
  pt::PartitionTable pt_;
  std::optional<Tid> last_tid_;
  bool last_tid_fresh_ = false;  // asked to the current master
  bool ready_ = false;
  std::vector<Done> ready_waiters_;

  std::map<NodeId, std::shared_ptr<StorageLink>> storages_;
  std::map<NodeId, ClientEnv::Clock::time_point> failed_;  // when
  std::mt19937_64 random_;

  Cache cache_;
  std::uint64_t hits_ = 0, misses_ = 0;
  std::map<Oid, std::pair<int, std::vector<Tid>>> loading_;  // loads, invalidations meanwhile
  std::deque<Oid> oids_;
  std::vector<Reply<Oid>> oid_waiters_;
  Client::InvalidationFn invalidation_;
  Client::CacheResetFn cache_reset_;

  std::map<Tid, std::unique_ptr<Txn>> txns_;
};

}  // namespace neo::client
