// nodes/storage/replicator.hpp
// Brings the own OUT_OF_DATE cells up to date (NEO/py's replicator.py;
// spec/flows.md 10). For the cells to replicate it asks the master for the
// transactions in progress (AskUnfinishedTransactions: from then on the
// client writes of those partitions reach us, lockless), then fetches, one
// partition at a time from a readable cell of a running storage, the
// transactions (AskFetchTransactions / AddTransaction) and the objects
// (AskFetchObjects / AddObject) up to the master's last TID, in chunks of
// 1000 and sending what it already has, so that a replication interrupted
// (connection lost, node killed) resumes where it stopped: the progress of
// the cell (pt.tid) is committed after every chunk. Once the partition is
// complete up to every TID the master announced and the transactions in
// progress then are finished, the TransactionManager sends
// NotifyReplicationDone when no lockless write is left.
//
// AddTransaction and AddObject carry the msg id of the request they belong
// to; others (a late stream after an abort) are dropped. A source that
// answers REPLICATION_ERROR makes us try another partition first; a lost or
// refused connection is closed; the partition is retried (from any readable
// cell) one second later. The connection to the source is closed as soon
// as nothing is left to fetch (a NEO/py storage refuses a second connection
// from the same node, e.g. the Checker's, while one is open).
//
// Backup mode (spec/flows.md 12, NEO/py's replicator backup()): the master
// sends Replicate(tid, upstream name, {partition: address}) for readable
// cells: from an upstream storage (connected to anonymously, under the
// upstream's name) or from our own primary cell ("" name); an address nil
// means nothing new up to `tid` in that partition. The database's
// backup_tid (the TID up to which every own readable cell is complete)
// follows the progress; NotifyReplicationDone reports each order done.
// Owned by StorageApp, reset when operation stops; io thread only.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "core/net/peer.hpp"
#include "core/net/tasks.hpp"
#include "core/protocol/packets.hpp"
#include "nodes/storage/storage_state.hpp"

namespace neo::storage {

class Replicator {
 public:
  static constexpr std::int64_t kFetchCount = 1000;  // NEO/py's FETCH_COUNT

  struct Hooks {
    // Opens a connection to a storage; `handler` receives its packets.
    std::function<std::shared_ptr<net::Peer>(const protocol::Address&,
                                             std::shared_ptr<net::Handler>)>
        connect;
    // The primary master's connection, or null.
    std::function<net::Peer*()> master;
    // A backend failure: fatal for the node.
    std::function<void(const std::string&)> fatal;
    // Our listening address (identification to the source).
    std::function<protocol::Address()> server;
    // A partition of an UP_TO_DATE cell was replicated (backup mode: a pack
    // order may now apply to it).
    std::function<void()> maybe_pack = [] {};
  };
  Replicator(StorageState& state, net::Scheduler& scheduler, Hooks hooks);
  ~Replicator();
  Replicator(const Replicator&) = delete;
  Replicator& operator=(const Replicator&) = delete;

  // StartOperation: in backup mode, the backup TID starts at the last TID
  // (unless already backing up); out of it, it is cleared. Before populate(),
  // or when a running cluster starts backing up.
  void start_operation(bool backup);
  // Operation started: reads where each own cell stands and starts
  // replicating the OUT_OF_DATE ones.
  void populate();
  // Replicate from the master (backup mode).
  void backup(const protocol::Replicate& p);
  // STOPPING_BACKUP: orders from the upstream are cancelled (those from our
  // own cells go on).
  void stop_backup();
  // Partition changes from the master, once applied to the table and the
  // database: new own cells are replicated, discarded ones forgotten.
  void partition_changes(std::span<const protocol::CellChange> cells);
  // NotifyTransactionFinished (max_tid) or AbortTransaction (none).
  void transaction_finished(Tid ttid, std::optional<Tid> max_tid);
  // The node list changed: a partition waiting for a source may find one.
  void nodes_changed();
  // Operation stopped or the master is lost: the connection to the source
  // is closed and everything forgotten until the next populate().
  void stop();

  bool active() const { return current_.has_value() || !replicate_.empty(); }
  // Backup mode: signatures of pack orders whose transactions are not
  // replicated yet, applied once they are (after the partition's
  // transactions are fetched).
  void keep_pending_signatures(const protocol::NotifyPackSigned& pending);
  // Backup mode: false while `partition` is not replicated up to pack order
  // `pack_id` (it is packed later).
  bool packable(std::uint32_t partition, Tid pack_id) const;
  std::vector<std::string> dump() const;

  // Packets from the source (SourceHandler).
  void add_transaction(net::Peer& peer, const protocol::AddTransaction& p);
  void add_object(net::Peer& peer, const protocol::AddObject& p);
  void source_closed(net::Peer& peer);

 private:
  struct Partition {
    Tid next_trans{};
    Tid next_obj{};
    std::optional<Tid> max_ttid{};         // waiting for transactions up to it to finish
    protocol::NotifyPackSigned pending{};  // signatures of orders not fetched yet
  };
  struct Source {
    std::optional<NodeId> nid{};  // none: an upstream storage
    std::shared_ptr<net::Peer> peer{};
    bool identified = false;
    protocol::Address address{};
  };
  struct BackupSource {
    protocol::Address address{};
    std::string upstream;  // "": one of our storages
  };

  void ask_unfinished(std::vector<std::uint32_t> offsets);
  void set_unfinished(const protocol::AnswerUnfinishedTransactions& answer,
                      const std::vector<std::uint32_t>& offsets);
  void next_partition();
  void connect(std::optional<NodeId> nid, const protocol::Address& address,
               const std::string& upstream);
  // Backup mode: the database's backup_tid follows the readable cells.
  void update_backup_tid(bool commit);
  void fetch_transactions(std::optional<Tid> min_tid);
  void fetch_objects(std::optional<Tid> min_tid, Oid min_oid);
  void fetched_transactions(const protocol::AnswerFetchTransactions& answer);
  void fetched_objects(const protocol::AnswerFetchObjects& answer);
  void finish();
  // Applies the partition's pending signatures whose orders are now here.
  bool sign_pending(Partition& p);
  // Commits if commit_due_ (false on failure).
  bool commit_if_due();
  // Why a partition's replication stops: discarded (go on at once), the
  // source refused (REPLICATION_ERROR: another partition first, else a
  // second later), the connection failed (closed; a second later).
  enum class Failure { None, Source, Connection };
  // Gives up the partition in progress (put back to replicate).
  void abort(const std::string& message, Failure failure);
  // True if `peer` and `msg_id` are those of the request in progress.
  bool current_request(const net::Peer& peer, std::uint32_t msg_id) const;
  // A request's answer callback that runs `fn` only if it is still current.
  template <class A>
  net::AnswerCallback<A> on_answer(void (Replicator::*fn)(const A&));
  bool failed(const std::error_code& ec, const char* what);
  void close_source();

  StorageState& state_;
  Hooks hooks_;
  std::map<std::uint32_t, Partition> partitions_;  // own cells
  std::map<std::uint32_t, Tid> replicate_;         // to replicate -> up to
  std::map<std::uint32_t, BackupSource> sources_;  // backup: where to replicate from
  std::set<Tid> ttids_;                            // unfinished transactions
  std::optional<std::uint32_t> current_;
  Tid replicate_tid_{};
  std::optional<std::uint32_t> msg_id_;  // the fetch in progress
  std::uint64_t generation_ = 0;         // bumped by aborts: stale answers ignored
  Source source_{};
  std::mt19937_64 random_;
  net::Tasks::TimerId retry_ = 0;
  // A chunk (and the progress it makes) waits for its commit until the
  // source answers the next request (its first packet or its answer): the
  // source reads the next chunk while we sync, instead of waiting for us.
  bool commit_due_ = false;
  // Progress, for the logs.
  std::size_t done_ = 0, total_ = 0;
  std::uint64_t bytes_ = 0, objects_ = 0, transactions_ = 0;
  net::Tasks::Clock::time_point started_{};
  // Callbacks hold it weakly: they do nothing once we are gone or stopped.
  std::shared_ptr<Replicator*> self_ = std::make_shared<Replicator*>(this);
  net::Tasks tasks_;  // last: nothing scheduled runs after us
};

}  // namespace neo::storage
