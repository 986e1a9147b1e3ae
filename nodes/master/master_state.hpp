// nodes/master/master_state.hpp
// What the master knows and decides, without sockets (NEO/py
// neo/master/app.py, recovery.py, verification.py): the nodes, the
// partition table, the cluster state machine RECOVERING -> VERIFYING ->
// RUNNING (-> STOPPING), transactions and packs, the election between
// masters and the secondary role. The handlers (handlers/*.hpp) call its
// methods for each packet; it sees other nodes only through net::Peer and
// asks its environment for the rest through Hooks (connections, timers,
// exit), so that tests (and a simulated network) drive it without asio.
// Owned by shared_ptr by Master (master.hpp); answers to its requests hold
// a weak_ptr. Use from one thread (the io_context's).
#pragma once

#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/log/throttle.hpp"
#include "core/net/peer.hpp"
#include "core/node/node_manager.hpp"
#include "core/protocol/packets.hpp"
#include "core/pt/master_partition_table.hpp"
#include "nodes/master/backup.hpp"
#include "nodes/master/master_config.hpp"
#include "nodes/master/pack_manager.hpp"
#include "nodes/master/recovery.hpp"
#include "nodes/master/transaction_manager.hpp"

namespace neo::master {

using protocol::ClusterState;
using protocol::NodeType;

// What the master asks of its environment.
struct Hooks {
  // Stop accepting connections (shutdown).
  std::function<void()> close_listener = [] {};
  // Exit with `status` once every connection has flushed and closed.
  std::function<void(int status)> exit = [](int) {};
  // Flush the log (FlushLog).
  std::function<void()> flush_log = [] {};
  // Opens a connection to another master (election, secondary role); its
  // packets and closure come back through Master::on_packet/on_closed.
  // nullptr if impossible (tests).
  std::function<std::shared_ptr<net::Peer>(const net::Address&)> connect = [](auto&) {
    return nullptr;
  };
  // Calls `fn` after `seconds` (retries of the election).
  std::function<void(double seconds, std::function<void()> fn)> call_later = [](double, auto) {};
  // Backup mode: finds the upstream's primary master among `masters` and
  // identifies with `request()` (retrying as other nodes do); `identified`
  // gets the connection, whose next packets come through
  // Master::on_packet/on_closed. Returns what cancels the attempts.
  using UpstreamIdentified =
      std::function<void(std::shared_ptr<net::Peer>, const protocol::AcceptIdentification&)>;
  std::function<std::function<void()>(const std::vector<net::Address>& masters,
                                      std::function<protocol::RequestIdentification()> request,
                                      UpstreamIdentified identified)>
      connect_upstream = [](auto&, auto, auto) { return [] {}; };
};

class MasterState : public std::enable_shared_from_this<MasterState> {
 public:
  // `clock` is the node manager's, `tid_clock` the UNIX time of new TIDs
  // (tests inject them).
  MasterState(MasterConfig config, Hooks hooks, node::NodeManager::Clock clock = {},
              TransactionManager::Clock tid_clock = {});
  MasterState(const MasterState&) = delete;
  MasterState& operator=(const MasterState&) = delete;

  // Starts playing the primary role: RECOVERING.
  void start();

  // Which handler a packet from `peer` goes to (NEO/py installs it on the
  // connection when the node identifies or the cluster state changes).
  enum class Route {
    Identification,           // primary role, not identified yet
    SecondaryIdentification,  // secondary role: any incoming connection
    Election,                 // our connection to another master (election)
    Primary,                  // secondary role: our connection to the primary
    Secondary,                // an identified master (it yields to us)
    Recovery,                 // a storage while RECOVERING
    Verification,             // a storage while VERIFYING (or STOPPING)
    StorageService,           // a storage while RUNNING
    Client,
    ReadOnlyClient,
    BackupClient,  // a client while BACKINGUP (read-only, up to the backup TID)
    Administration,
    Upstream,  // backup mode: our connection to the upstream's primary master
  };
  Route route(const net::Peer& peer) const;
  // A connection closed (or could not be established).
  void on_closed(net::Peer& peer);

  // --- State -------------------------------------------------------------
  std::optional<ClusterState> cluster_state() const { return cluster_state_; }
  NodeId nid() const { return nid_; }
  const node::NodeManager& nodes() const { return nm_; }
  const pt::MasterPartitionTable& pt() const { return pt_; }
  Tid last_transaction() const { return tm_.last_transaction(); }
  const TransactionManager& tm() const { return tm_; }
  TransactionManager& tm() { return tm_; }
  const PackManager& pm() const { return pm_; }
  bool stopping() const { return stopping_; }
  // STOPPING requested, waiting for the transactions in progress.
  bool stop_requested() const { return stop_requested_; }
  // True while another master is the primary (secondary role).
  bool secondary() const { return role_ == Role::Secondary; }
  // The state dump of SIGRTMIN+2: one line per item.
  std::vector<std::string> dump() const;

  // --- Identification (identification.cpp; election.cpp for the secondary
  // role)
  void identify(net::Peer& peer, const protocol::RequestIdentification& request);
  // Secondary role: every node is sent to the primary (NotPrimaryMaster).
  void secondary_identify(net::Peer& peer, const protocol::RequestIdentification& request);

  // --- Election and secondary role (election.cpp) ------------------------
  // NotPrimaryMaster on our election connection `peer`: closed, learned from.
  void election_refused(net::Peer& peer, const protocol::NotPrimaryMaster& p);
  // Masters named by a NotPrimaryMaster; may make us secondary.
  void not_primary(const protocol::NotPrimaryMaster& p);
  // Secondary role, from the primary.
  void primary_cluster_state(ClusterState state);
  void primary_nodes(const protocol::NotifyNodeInformation& p);

  // --- Packets any identified node may send ------------------------------
  // FlushLog: relayed to every other node, then our own log.
  void flush_log(const net::Peer& from);

  // --- Storages (master_service.cpp, transactions.cpp) --------------------
  void pack_completed(NodeId storage, Tid pack_id);
  void set_storage_ready(NodeId nid);
  protocol::AnswerUnfinishedTransactions unfinished_transactions(
      NodeId storage, const std::vector<std::int64_t>& offsets);
  // NotifyReplicationDone: the refusal (a protocol error), or "" if applied.
  std::string replication_done(NodeId storage, const protocol::NotifyReplicationDone& p);

  // --- Clients (client_service.cpp, transactions.cpp) ---------------------
  // Requests that may wait are answered later with the msg id of the one
  // being handled.
  void begin_transaction(net::Peer& peer, const protocol::AskBeginTransaction& p);
  void failed_vote(net::Peer& peer, const protocol::FailedVote& p);
  void finish_transaction(net::Peer& peer, const protocol::AskFinishTransaction& p);
  void final_tid(net::Peer& peer, Tid ttid);
  void abort_transaction(net::Peer& peer, const protocol::AbortTransaction& p);
  void wait_for_pack(net::Peer& peer, Tid tid);

  // --- Administration (administration.cpp) -------------------------------
  void set_cluster_state(net::Peer& peer, ClusterState state);
  void set_node_state(net::Peer& peer, const protocol::SetNodeState& p);
  void add_pending_nodes(net::Peer& peer, const std::vector<NodeId>& nids);
  void tweak(net::Peer& peer, const protocol::TweakPartitionTable& p);
  void set_num_replicas(std::uint32_t num_replicas);
  void repair(net::Peer& peer, const protocol::Repair& p);
  // neoctl truncate: refused (DENIED) unless RUNNING with `tid` between the
  // first and the last TID and no approved pack after it; else acked, and
  // the operation stops with every storage told to truncate after `tid`.
  void truncate(net::Peer& peer, Tid tid);
  // The truncation the storages record, from recovery until verification
  // performs it (AnswerRecovery's truncate_tid).
  std::optional<Tid> truncate_tid() const { return truncate_tid_; }
  // CheckReplicas (check.cpp): validated, then CheckPartition to one
  // storage per partition having more than one readable cell; Ack.
  void check_replicas(net::Peer& peer, const protocol::CheckReplicas& p);
  // NotifyPartitionCorrupted: logged (NEO/py's default: no cell state change).
  void partition_corrupted(const protocol::NotifyPartitionCorrupted& p);
  // False (and DENIED answered) unless the partition table may be changed
  // in this cluster state.
  bool check_pt_rpc(net::Peer& peer, std::string_view rpc);

  // --- Backup mode (master_backup.cpp, backup.hpp) -------------------------
  // Set while the cluster backs up another (AnswerRecovery's backup_tid):
  // the backup TID of the cluster (minimum over partitions of the most
  // advanced readable cell).
  std::optional<Tid> backup_tid() const;
  // What read-only clients of a backup cluster may read up to (every
  // readable cell complete).
  Tid backup_tid_min() const;
  const Backup* backup() const { return backup_.get(); }
  // From the upstream's primary master (UpstreamHandler).
  void upstream_nodes(const protocol::NotifyNodeInformation& p);
  void upstream_pt(const protocol::SendPartitionTable& p);
  void upstream_pt_changes(const protocol::NotifyPartitionChanges& p);
  void upstream_invalidate(const protocol::InvalidatePartitions& p);
  void upstream_pack_signed(const protocol::NotifyPackSigned& p);

 private:
  enum class Phase { Idle, Recovery, Verification, Running, Stopping };
  enum class Role { Primary, Secondary };
  struct Refusal {
    errc code;
    std::string message;
  };

  // Election and secondary role (election.cpp).
  void play_primary();
  bool election_active() const { return role_ == Role::Primary && phase_ == Phase::Recovery; }
  bool loses_against(const protocol::RequestIdentification& r) const;
  void try_masters();
  void election_answer(std::uint64_t key, Result<protocol::AcceptIdentification> answer);
  bool on_master_closed(net::Peer& peer);
  void become_secondary(const protocol::Address& primary);
  void drop_connections();
  void connect_to_primary(const protocol::Address& primary);
  void learn_master(const protocol::NodeInfo& info);
  protocol::RequestIdentification master_request(std::optional<double> election) const;

  // Identification (identification.cpp).
  Result<node::Node*> find_identifying(const protocol::RequestIdentification& request,
                                       std::optional<NodeId>& nid, Refusal& refusal);
  std::optional<Refusal> new_state_of(const protocol::RequestIdentification& request,
                                      const node::Node* node, node::NodeState& state) const;
  void accept(net::Peer& peer, const protocol::RequestIdentification& request, node::Node* node,
              std::optional<NodeId> nid, node::NodeState state);
  void set_client_flags(const node::Node& node, const protocol::RequestIdentification& request);
  static bool client_read_only(const protocol::RequestIdentification& request);
  void refuse(net::Peer& peer, const Refusal& refusal);
  bool make_room_for_master(const protocol::Address& address);
  void handler_switched(net::Peer& peer, node::Node& node, bool is_new);
  void send_node_information(net::Peer& peer, node::Node& node);

  // Broadcasts (broadcast.cpp).
  static std::vector<protocol::NodeInfo> infos_for(const node::Node& to,
                                                   const std::vector<protocol::NodeInfo>& changed);
  void broadcast_nodes(const std::vector<node::Node*>& nodes);
  void broadcast_infos(const std::vector<protocol::NodeInfo>& infos);
  void broadcast_pt(const std::vector<protocol::CellChange>& cells,
                    std::optional<std::uint32_t> num_replicas = {});
  void notify_admins_pt();
  void change_cluster_state(ClusterState state,
                            const std::function<void(node::Node&)>& switch_storage = {});
  template <class P>
  void send_to(const node::Node& node, const P& packet) {
    if (net::Peer* peer = peer_of(node)) peer->notify(packet);
  }
  // Sends a request to an identified node; `on_answer(const Answer&)` runs
  // unless the phase changed meanwhile. An Error answer closes the connection.
  template <class P, class F>
  void ask(const node::Node& node, const P& packet, F on_answer);
  node::Node* node_by_key(std::uint64_t key) const;
  void answer_failed(NodeId nid, std::uint16_t code, std::error_code ec, std::string_view message);
  void forget_connection(node::Node& node);
  void node_lost(node::Node& node);
  net::Peer* peer_of(const node::Node& node) const;
  std::vector<node::Node*> identified(std::optional<NodeType> type = {}) const;
  void log_pt() const;

  // Recovery (master_recovery.cpp).
  void begin_recovery();
  void recovery_storage(net::Peer& peer, node::Node& node);
  void answer_recovery(NodeId nid, const protocol::AnswerRecovery& answer);
  void answer_partition_table(NodeId nid, const protocol::AnswerPartitionTable& answer);
  void recovery_lost(NodeId nid);
  void check_recovery();
  // Truncating: sends Truncate again to the connected storages that did not
  // record it (then asks their recovery again); false if there is none.
  bool resend_truncate();
  // True while the table loaded is older than restart_ptid_ (see there).
  bool stale_table();
  void end_recovery(std::vector<NodeId> storages);

  // Verification and service (master_service.cpp).
  void begin_verification();
  void verify_locked();
  void ask_final_tids(std::vector<std::pair<Tid, std::vector<NodeId>>> todo);
  void verify_last_ids();
  void verify_pack_orders();
  template <class P>
  void ask_storages(const std::set<NodeId>& nids, const P& packet,
                    std::function<void(NodeId, const typename P::Answer&)> on_answer,
                    std::function<void()> then);
  void waited(NodeId nid);
  void begin_service();
  void start_storage(node::Node& node);
  void storage_lost(node::Node& node);
  // Back to RECOVERING; with `truncate`, the storages are told to truncate.
  void stop_operation(std::optional<Tid> truncate = std::nullopt, bool startup_allowed = false);
  void shutdown(bool force = false);

  // Transactions (client_service.cpp, transactions.cpp).
  bool on_begin(net::Peer& peer, NodeId client, std::uint32_t msg_id,
                const protocol::AskBeginTransaction& p);
  bool on_failed_vote(net::Peer& peer, std::uint32_t msg_id, const protocol::FailedVote& p);
  TransactionManager::Layout layout_for(const Transaction& txn) const;
  void disconnect_failed(NodeId nid, Tid ttid);
  void on_locked(NodeId storage, Tid ttid);
  void on_committed(Transaction& txn);
  void notify_aborted(Tid ttid, const std::set<NodeId>& nids);
  void client_lost(node::Node& node);
  std::set<NodeId> storage_ready_set(
      std::uint64_t readiness = std::numeric_limits<std::uint64_t>::max()) const;
  bool pt_operational_without(const std::set<NodeId>& excluded) const;
  // Requests that must wait (NEO/py's DelayEvent): `retry` returns false
  // while it still has to wait. Retried after every change that may unblock.
  void delay_or_run(net::Peer& peer, std::function<bool(net::Peer&)> retry);
  void run_delayed();
  void after_transaction_change();
  void update_completed_pack_id();

  // Backup mode (master_backup.cpp).
  // RUNNING -> STARTING_BACKUP (the storages back up from the last TID).
  void start_backup();
  // STARTING_BACKUP: connect to the upstream once the storages are ready.
  void follow_upstream(const std::function<void(node::Node&)>& switch_storage = {});
  void connect_upstream_if_ready();
  void upstream_identified(std::shared_ptr<net::Peer> peer,
                           const protocol::AcceptIdentification& accept);
  void upstream_last_tid(Tid tid);
  // The upstream's pack orders from `ask_tid` on are added; the storages
  // are told those signed from `min_tid` on.
  void ask_upstream_pack_orders(Tid ask_tid, Tid min_tid);
  void broadcast_signed_packs(Tid min_tid);
  // The upstream connection is given up (lost, or leaving backup mode).
  void leave_upstream(const std::string& why, bool again);
  void stop_backup(net::Peer& peer);
  void check_backup_stopped();
  void log_backup_lag(std::uint64_t generation);
  bool backing_up() const;
  Backup::Host backup_host();

  // Administration (administration.cpp).
  void drop_storage(net::Peer& peer, node::Node& node, const protocol::SetNodeState& p);
  pt::DevpathFn devpath_fn() const;
  pt::NodeStateFn state_fn() const;

  MasterConfig config_;
  Hooks hooks_;
  node::NodeManager nm_;
  pt::MasterPartitionTable pt_;
  NodeId nid_{};
  node::Node* self_ = nullptr;
  std::optional<ClusterState> cluster_state_;
  Phase phase_ = Phase::Idle;
  bool stopping_ = false;
  bool startup_allowed_ = false;
  // After losing operational: the ptid of the table this master had. It
  // restarts by itself only with a table at least as new: a storage that
  // was down then brings an older one, where cells since out of date look
  // readable (starting with it would lose what only the others have).
  std::optional<pt::Ptid> restart_ptid_;
  bool stale_table_logged_ = false;
  // The truncation TID recorded by the storage whose partition table was
  // loaded in recovery; reset once the storages truncated (verification).
  // While set, recovery waits for every node of the table.
  std::optional<Tid> truncate_tid_;

  std::map<const net::Peer*, std::uint64_t> node_of_peer_;     // identified peers
  std::map<std::uint64_t, std::shared_ptr<net::Peer>> peers_;  // by node key
  std::map<NodeId, int> outstanding_;  // requests of ours not answered, by node

  Role role_ = Role::Primary;
  double election_ = 0;          // when this node began playing primary
  bool election_timer_ = false;  // a try_masters() is scheduled
  // Set when this node begins playing primary, until its first attempts
  // to the other masters end (at most until the first retry): meanwhile
  // storages are told to retry, so that a master about to lose the
  // election gives out no storage id the winner gives to another storage.
  bool first_election_round_ = false;
  std::map<std::uint64_t, std::shared_ptr<net::Peer>> election_peers_;  // by master node key
  std::shared_ptr<net::Peer> primary_peer_;  // secondary role: to the primary
  std::optional<protocol::Address> primary_address_;

  Recovery recovery_;
  std::uint64_t generation_ = 0;        // bumped when a phase is left: stale answers are ignored
  std::set<NodeId> waiting_;            // verification: nodes whose answer is awaited
  std::function<void()> waiting_then_;  // ...and what follows
  std::map<Tid, std::optional<Tid>> locked_;  // ttid -> tid
  std::map<Tid, std::set<NodeId>> voted_;
  std::set<NodeId> starting_;
  std::map<NodeId, std::uint64_t> ready_;  // storage -> readiness when it became ready
  std::uint64_t storage_readiness_ = 0;
  std::map<NodeId, Tid> completed_pack_;

  TransactionManager tm_;
  PackManager pm_;
  std::map<Tid, std::vector<std::pair<std::weak_ptr<net::Peer>, std::uint32_t>>> pack_waiters_;
  bool stop_requested_ = false;             // STOPPING: waiting for transactions
  std::set<std::uint64_t> read_only_;       // node keys of read-only clients
  std::set<std::uint64_t> backup_clients_;  // node keys of clients with extra "backup"
  std::map<std::pair<Tid, NodeId>, std::uint32_t> final_tid_waiters_;  // AskFinalTID msg ids
  struct Delayed {
    std::weak_ptr<net::Peer> peer;
    std::function<bool(net::Peer&)> retry;
  };
  std::vector<Delayed> delayed_;
  bool running_delayed_ = false;
  log::Throttle refused_log_;  // identification refusals

  // Backup mode (NEO/py's app.backup_tid, backup_app).
  std::optional<Tid> backup_tid_;
  std::unique_ptr<Backup> backup_;            // with an upstream cluster configured
  std::shared_ptr<net::Peer> upstream_peer_;  // identified to the upstream's primary
  std::function<void()> cancel_upstream_;     // attempts to identify in progress
  std::optional<NodeId> upstream_nid_;        // our id in the upstream cluster
  bool ignore_invalidations_ = true;          // until AnswerLastTransaction
  bool ignore_pack_notifications_ = true;     // until the first AnswerPackOrders
  std::optional<Tid> stopping_backup_at_;     // STOPPING_BACKUP: truncation TID
  std::uint64_t upstream_generation_ = 0;     // stale upstream answers are ignored
};

template <class P, class F>
void MasterState::ask(const node::Node& node, const P& packet, F on_answer) {
  net::Peer* peer = peer_of(node);
  if (!peer || !node.nid()) return;
  const NodeId nid = *node.nid();
  ++outstanding_[nid];
  peer->ask(packet, [weak = weak_from_this(), nid, generation = generation_,
                     asked = peer->weak_from_this(), f = std::move(on_answer)](
                        Result<typename P::Answer> answer, std::string_view message) {
    std::shared_ptr<MasterState> self = weak.lock();
    if (!self) return;
    // A node that reconnected has a new connection and a new count:
    // answers (and failures) of its previous connection are not
    // counted nor used.
    const node::Node* current = self->nm_.by_nid(nid);
    std::shared_ptr<net::Peer> still = asked.lock();
    if (!current || !still || self->peer_of(*current) != still.get()) return;
    if (auto it = self->outstanding_.find(nid); it != self->outstanding_.end() && --it->second <= 0)
      self->outstanding_.erase(it);
    if (self->stopping_) return;
    // An answer of an earlier phase is not used, but recovery may have been
    // waiting for it (no request outstanding): decide again.
    if (generation != self->generation_) return self->check_recovery();
    if (!answer) {
      self->answer_failed(nid, P::kCode, answer.error(), message);
      return;
    }
    f(*answer);
  });
}

}  // namespace neo::master
