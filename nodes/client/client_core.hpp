// nodes/client/client_core.hpp
// Client::Core: the protocol state of a client, on the library's I/O thread
// (one asio::io_context run by one thread it owns). The blocking public API
// (client.cpp) posts calls here with post() and waits for their callback.
// Every other member function runs on the I/O thread only.
#pragma once

#include <atomic>
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
#include <thread>
#include <vector>

#include "core/cluster/bootstrap.hpp"
#include "core/net/connection.hpp"
#include "core/node/node_manager.hpp"
#include "core/pt/partition_table.hpp"
#include "neo/client.hpp"
#include "nodes/client/cache.hpp"

namespace neo::client {

template <class T>
using Reply = std::function<void(Result<T>)>;
using Done = std::function<void(std::error_code)>;
using VoteReply = std::function<void(std::error_code, std::vector<Conflict>)>;

// A store as the I/O thread receives it (compressed by the caller's thread:
// make_store()).
struct StoreRequest {
  Oid oid{};
  Tid serial{};
  std::optional<std::string> data;  // raw, for the cache; nullopt: no data
  std::int64_t compression = 0;
  std::string stored;              // the bytes sent
  std::string checksum;            // SHA-1 of `stored`; ZERO_HASH without data
  std::optional<Tid> data_serial;  // undo: the revision whose data is reused
};

StoreRequest make_store(Oid oid, Tid serial, std::optional<std::string> data, bool compress,
                        std::optional<Tid> data_serial = std::nullopt);

class Client::Core {
 public:
  explicit Core(Options options);
  ~Core();
  // Parses the options and starts the I/O thread and the master search.
  std::error_code start();
  // Aborts transactions, closes connections, joins the I/O thread.
  void stop();
  // Runs `fn` on the I/O thread; false once stopped (fn is dropped).
  bool post(std::function<void()> fn);
  const Options& options() const { return options_; }

  // ---- I/O thread ---------------------------------------------------------
  // Calls `done` once the cluster is usable (now if it is).
  void when_ready(Done done);
  void load(Oid oid, std::optional<Tid> at, std::optional<Tid> before, Reply<Record> reply);
  void new_oid(Reply<Oid> reply);
  void last_transaction(Reply<Tid> reply);
  void sync(Done done);
  void history(Oid oid, std::size_t size, Reply<std::vector<HistoryEntry>> reply);
  void undo_log(std::size_t first, std::size_t last, Reply<std::vector<TransactionInfo>> reply);
  void transactions(Tid start, Tid stop, std::size_t limit,
                    Reply<std::vector<TransactionInfo>> reply);
  void set_invalidation(InvalidationFn fn) { invalidation_ = std::move(fn); }
  CacheStats cache_stats() const;
  std::optional<NodeId> nid() const { return nid_; }

  void begin(Metadata metadata, std::optional<Tid> tid, Reply<Tid> reply);
  void store(Tid ttid, StoreRequest request);
  void check_current_serial(Tid ttid, Oid oid, Tid serial);
  void undo(Tid ttid, Tid undone, VoteReply reply);
  void vote(Tid ttid, VoteReply reply);
  void finish(Tid ttid, Reply<Tid> reply);
  void abort(Tid ttid);

 private:
  struct Io;
  struct Txn;
  struct StorageLink;
  template <class P>
  struct ReadAttempt;

  // What this client says of itself to the master or a storage.
  protocol::RequestIdentification identification(std::optional<double> id_timestamp) const;

  // Master.
  void find_master();
  void identified(cluster::Bootstrap::Identified identified);
  void master_packet(net::Peer& peer, const protocol::Frame& frame);
  void master_lost();
  void node_information(const protocol::NotifyNodeInformation& notification);
  void invalidate(const protocol::InvalidateObjects& invalidation);
  void invalidate_oid(Oid oid, Tid tid);
  void check_ready();

  // Storages.
  // Calls `fn` with an identified connection to storage `nid` (opened if
  // needed), or nullptr if the node cannot be reached.
  void with_storage(NodeId nid, std::function<void(std::shared_ptr<net::Connection>)> fn);
  void storage_packet(NodeId nid, net::Peer& peer, const protocol::Frame& frame);
  void storage_lost(NodeId nid, const net::Peer* peer);
  void close_storage(NodeId nid);
  // Readable cells of a partition on running storages, the ones that failed
  // recently last.
  std::vector<NodeId> read_cells(std::uint32_t offset);
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

  // Transactions.
  Txn* txn(Tid ttid);
  // Sends a write to every cell of `offset`; `send` asks it and calls back.
  using WriteFn = std::function<void(net::Peer&, NodeId, Done)>;
  void write(Txn& txn, std::uint32_t offset, WriteFn send);
  // The same to storage `nid` only.
  void write_to(Txn& txn, NodeId nid, WriteFn send);
  // The connection this transaction uses to `nid` (nullptr once failed).
  void txn_storage(Txn& txn, NodeId nid, std::function<void(std::shared_ptr<net::Connection>)> fn);
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
  void deadlock(NodeId nid, net::Peer& peer, const protocol::NotifyDeadlock& notification);
  void vote_metadata(Tid ttid, VoteReply reply);
  void vote_failures(Tid ttid, VoteReply reply);
  void voted(Tid ttid, VoteReply reply);
  void finished(Tid ttid, Tid tid);
  void final_tid(Tid ttid, Reply<Tid> reply);

  Options options_;
  std::vector<net::Address> masters_;
  net::ConnectionOptions connection_;
  std::unique_ptr<Io> io_;
  std::thread thread_;
  std::atomic<bool> stopped_ = false;  // no more posts
  bool shutting_down_ = false;         // I/O thread: no reconnection
  std::error_code refused_;            // by the master, for good

  std::shared_ptr<cluster::Bootstrap> bootstrap_;
  std::shared_ptr<net::Connection> master_;
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
  std::map<NodeId, std::chrono::steady_clock::time_point> failed_;  // when
  std::mt19937 random_{std::random_device{}()};

  Cache cache_;
  std::uint64_t hits_ = 0, misses_ = 0;
  std::map<Oid, std::pair<int, std::vector<Tid>>> loading_;  // loads, invalidations meanwhile
  std::deque<Oid> oids_;
  std::vector<Reply<Oid>> oid_waiters_;
  InvalidationFn invalidation_;

  std::map<Tid, std::unique_ptr<Txn>> txns_;
};

}  // namespace neo::client
