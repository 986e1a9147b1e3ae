// nodes/storage/storage_state.hpp
// What a storage node knows and decides, without sockets: its database, the
// nodes and partition table the primary master announced, its own id and
// whether it is operational. Each master packet the storage handles maps to
// one method (NEO/py's storage handlers initialization.py and master.py),
// as does the identification of nodes connecting to it (identification.py).
// Backend failures come back as error codes: the caller logs last_error()
// and stops the node. Logs its decisions with node ids.
// Owned by StorageApp; use from the io thread only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include "core/node/node_manager.hpp"
#include "core/protocol/packets.hpp"
#include "core/pt/partition_table.hpp"
#include "core/util/error.hpp"
#include "core/util/ids.hpp"
#include "nodes/storage/database/database.hpp"
#include "nodes/storage/transaction_manager.hpp"

namespace neo::storage {

class StorageState {
 public:
  struct Config {
    std::string cluster{};
    bool disable_pack = false;
  };
  StorageState(Database& db, Config config);

  // ---- startup (NEO/py's loadConfiguration) ----
  // Stores the cluster name in a new database; throws std::runtime_error if
  // the database belongs to another cluster. Reads the saved node id, which
  // `forced_nid` (-i) replaces.
  void load_configuration(std::optional<NodeId> forced_nid);
  void log_configuration() const;

  // ---- the primary master ----
  // Identified: saves the node id the master gave, forgets the nodes of a
  // previous connection and reloads the partition table from the database.
  std::error_code identified(NodeId your_nid);
  // The master connection is lost: not operational any more.
  void primary_lost();

  enum class Own { Unchanged, Down, Unknown };
  struct NodesApplied {
    Own own = Own::Unchanged;                   // our own state as announced
    std::vector<protocol::NodeInfo> removed{};  // nodes forgotten: close their connections
  };
  // NotifyNodeInformation. errc::protocol_error if inconsistent.
  Result<NodesApplied> apply_nodes(const protocol::NotifyNodeInformation& packet);

  protocol::AnswerRecovery recovery() const;
  protocol::AnswerPartitionTable partition_table() const;
  // SendPartitionTable / NotifyPartitionChanges: applied to the table and
  // saved (committed). Returns the partitions whose data must be dropped.
  // errc::protocol_error ("message" says why) for a partial table or a
  // wrong ptid.
  Result<std::vector<std::uint32_t>> load_partition_table(const protocol::SendPartitionTable& p,
                                                          std::string& message);
  Result<std::vector<std::uint32_t>> change_partitions(const protocol::NotifyPartitionChanges& p,
                                                       std::string& message);
  Result<protocol::AnswerLockedTransactions> locked_transactions();
  Result<protocol::AnswerFinalTID> final_tid(Tid ttid);
  std::error_code validate_transaction(Tid ttid, Tid tid);
  struct LastIds {
    protocol::AnswerLastIDs answer{};
    std::optional<Tid> pack_completed{};  // send NotifyPackCompleted first
  };
  // AskLastIDs: the pending truncation is done first.
  Result<LastIds> last_ids();
  Result<protocol::AnswerPackOrders> pack_orders(Tid min_completed);
  std::error_code truncate(Tid tid);
  // NotifyPackSigned: records the signatures. `completed`: the pack id to
  // report with NotifyPackCompleted when packing is disabled and
  // operational; `pending`: the signatures of orders not here yet (backup
  // mode: their transactions are still to be replicated).
  struct PackSigned {
    std::optional<Tid> completed{};
    protocol::NotifyPackSigned pending{};
  };
  Result<PackSigned> pack_signed(const protocol::NotifyPackSigned& p);
  // Records the signatures of the orders that are here (not committed);
  // returns those of the others.
  Result<protocol::NotifyPackSigned> sign_pack_orders(const protocol::NotifyPackSigned& p);
  // Packing (storage_pack.cpp), in steps so that the io thread serves
  // clients in between. next_pack: the id from which to ask the master's
  // pack orders (AskPackOrders), none if every signed order is done.
  // start_pack: the job of applying `order` to the own UP_TO_DATE
  // partitions not packed up to it yet (none: nothing to do, e.g. order not
  // signed yet). pack_step: packs the next chunk of the job (each committed);
  // true once the job is done. pack_completed: the new completed pack id to
  // report with NotifyPackCompleted, if it changed.
  struct PackJob {
    protocol::PackOrder order;
    std::vector<std::uint32_t> partitions;  // still to pack, first one in progress
    Oid next_oid{};                         // where the first one's next chunk starts
  };
  Result<std::optional<Tid>> next_pack();
  Result<std::optional<PackJob>> start_pack(const protocol::PackOrder& order);
  Result<bool> pack_step(PackJob& job);
  Result<std::optional<Tid>> pack_completed();
  // StartOperation: operational, unfinished data dropped.
  std::error_code start_operation();
  void stop_operation() {
    operational_ = false;
    tm_.reset();
  }
  // NotifyRepair: prunes orphan data (counts only with dry_run); returns the count.
  Result<std::size_t> repair(bool dry_run);
  void set_cluster_state(protocol::ClusterState state);

  // ---- client reads ----
  // AskObject: the answer, or errc::oid_does_not_exist / oid_not_found /
  // non_readable_cell (with `message` as NEO/py sends it); any other error
  // is a backend failure.
  Result<protocol::AnswerObject> load_object(const protocol::AskObject& ask, std::string& message);
  // AskTIDs (errc::protocol_error "invalid offsets"), AskTransactionInformation
  // (errc::tid_not_found), AskObjectHistory (protocol_error, oid_not_found):
  // client_reads.cpp.
  Result<protocol::AnswerTIDs> tids(const protocol::AskTIDs& ask, std::string& message);
  Result<protocol::AnswerTransactionInformation> transaction_information(Tid tid,
                                                                         std::string& message);
  Result<protocol::AnswerObjectHistory> object_history(const protocol::AskObjectHistory& ask,
                                                       std::string& message);
  // AskObjectUndoSerial (errc::oid_not_found when an oid is invisible to
  // the undoing transaction), AskTIDsFrom, AskOIDsFrom (errc::protocol_error
  // for an invalid partition or length).
  Result<protocol::AnswerObjectUndoSerial> undo_serials(const protocol::AskObjectUndoSerial& ask,
                                                        std::string& message);
  Result<protocol::AnswerTIDsFrom> tids_from(const protocol::AskTIDsFrom& ask,
                                             std::string& message);
  Result<protocol::AnswerOIDsFrom> oids_from(const protocol::AskOIDsFrom& ask,
                                             std::string& message);

  // ---- nodes connecting to us ----
  struct Identification {
    enum class Kind { Accept, Delay, Reject } kind = Kind::Reject;
    errc code = errc::protocol_error;  // Reject
    std::string message{};             // Reject
    protocol::NodeType peer = protocol::NodeType::Client;
    protocol::AcceptIdentification answer{};  // Accept
  };
  Identification identify(const protocol::RequestIdentification& request) const;

  // ---- accessors ----
  Database& db() { return db_; }
  // Transactions being committed by clients (reset when the master is lost).
  TransactionManager& tm() { return tm_; }
  const std::string& cluster() const { return config_.cluster; }
  std::optional<NodeId> nid() const { return nid_; }
  bool operational() const { return operational_; }
  std::optional<protocol::ClusterState> cluster_state() const { return cluster_state_; }
  const node::NodeManager& nodes() const { return nm_; }
  node::NodeManager& nodes() { return nm_; }
  const pt::PartitionTable& pt() const { return pt_; }
  // Lines describing the state (SIGRTMIN+2 dump, logs).
  std::vector<std::string> dump() const;

 private:
  void load_partition_table_from_db();
  void log_pt() const;

  Database& db_;
  Config config_;
  std::optional<NodeId> nid_;
  node::NodeManager nm_;
  pt::PartitionTable pt_;
  bool operational_ = false;
  bool id_timestamp_known_ = false;  // the first NotifyNodeInformation was applied
  std::optional<protocol::ClusterState> cluster_state_;
  Tid last_pack_id_{};
  std::optional<Tid> completed_pack_id_;  // last NotifyPackCompleted sent
  TransactionManager tm_{db_};
};

}  // namespace neo::storage
