// One plain struct per NEO packet (names as in NEO/py), fields in wire
// order. Each has kCode, kName, kKind, `using Answer` for requests, and
// fields() returning std::tie of its fields (const and non-const), which is
// all the codec (codec.hpp) needs. The table itself is packets.def; the
// argument types are those of spec/protocol.md section 7:
//   p64 -> Oid when the field says oid, else Tid;  nid -> NodeId;
//   int -> std::int64_t;  bin -> std::string (bytes);  ?T -> std::optional;
//   [T] -> std::vector;  maps -> std::vector<std::pair<K, V>> (wire order);
//   tuples -> the named structs below;  any -> Value.
// Nullable arguments are optionals and are sent as nil, never as a zero
// value (spec 11.15). Pure data: cheap to include, no codec here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/protocol/enums.hpp"
#include "core/protocol/value.hpp"
#include "core/util/ids.hpp"

namespace neo::protocol {

enum class PacketKind : std::uint8_t { Request, Notification, Answer, Error };

#define NEO_FIELDS(...)                           \
  auto fields() { return std::tie(__VA_ARGS__); } \
  auto fields() const { return std::tie(__VA_ARGS__); }

// ---- Compound values (msgpack arrays of fixed length) ----

// [host, port]: textual IP address (UTF-8 bin; IPv6 without brackets).
// A port outside 0..65535 does not decode.
struct Address {
  std::string host{};
  std::uint16_t port = 0;
  NEO_FIELDS(host, port)
  bool operator==(const Address&) const = default;
};

// NotifyNodeInformation / AnswerNodeList entry (spec 5.4).
struct NodeInfo {
  NodeType node_type{};
  std::optional<Address> address{};
  std::optional<NodeId> nid{};
  NodeState state{};
  std::optional<double> id_timestamp{};  // master's clock at identification
  NEO_FIELDS(node_type, address, nid, state, id_timestamp)
  bool operator==(const NodeInfo&) const = default;
};

// One cell of a partition table row.
struct CellInfo {
  NodeId nid{};
  CellState state{};
  NEO_FIELDS(nid, state)
  bool operator==(const CellInfo&) const = default;
};
// One row per partition (index = partition, from min_offset for AnswerPartitionList).
using RowList = std::vector<std::vector<CellInfo>>;

// NotifyPartitionChanges entry; DISCARDED removes the cell.
struct CellChange {
  std::int64_t offset = 0;
  NodeId nid{};
  CellState state{};
  NEO_FIELDS(offset, nid, state)
  bool operator==(const CellChange&) const = default;
};

// The pack requested by a transaction (AskFinishTransaction,
// AskStoreTransaction): oids nil for a full pack.
struct PackRequest {
  std::optional<std::vector<Oid>> oids{};
  Tid pack_tid{};
  NEO_FIELDS(oids, pack_tid)
  bool operator==(const PackRequest&) const = default;
};

// The pack information replicated with a transaction (AddTransaction).
struct TransactionPack {
  std::optional<bool> approved{};  // nil while not signed
  bool partial = false;
  std::optional<std::vector<Oid>> oids{};
  Tid pack_tid{};
  NEO_FIELDS(approved, partial, oids, pack_tid)
  bool operator==(const TransactionPack&) const = default;
};

// AnswerPackOrders entry (spec 5.4).
struct PackOrder {
  Tid pack_id{};
  std::optional<bool> approved{};
  bool partial = false;
  std::optional<std::vector<Oid>> oids{};
  Tid pack_tid{};
  NEO_FIELDS(pack_id, approved, partial, oids, pack_tid)
  bool operator==(const PackOrder&) const = default;
};

// The object data triple; "no data" is {0, ZERO_HASH, ""}.
struct ObjectData {
  std::int64_t compression = 0;  // 0 raw, 1 zlib
  std::string checksum{};        // SHA-1 of data as sent
  std::string data{};
  NEO_FIELDS(compression, checksum, data)
  bool operator==(const ObjectData&) const = default;
};

// AnswerRelockObject's conflict.
struct RelockConflict {
  Tid serial{};
  Tid conflict_serial{};
  std::optional<ObjectData> data{};
  NEO_FIELDS(serial, conflict_serial, data)
  bool operator==(const RelockConflict&) const = default;
};

// CheckPartition's reference node: ["", nil] when none.
struct CheckSource {
  std::string upstream_name{};
  std::optional<Address> address{};
  NEO_FIELDS(upstream_name, address)
  bool operator==(const CheckSource&) const = default;
};

// AnswerObjectHistory entry.
struct HistoryEntry {
  Tid serial{};
  std::int64_t size = 0;
  NEO_FIELDS(serial, size)
  bool operator==(const HistoryEntry&) const = default;
};

// AnswerObjectUndoSerial value.
struct UndoSerial {
  Tid current_serial{};
  std::optional<Tid> undo_serial{};
  bool is_current = false;
  NEO_FIELDS(current_serial, undo_serial, is_current)
  bool operator==(const UndoSerial&) const = default;
};

// ---- Packets ----
// The comment above a request or notification says who sends it to whom;
// answers go back the other way. Argument semantics: spec section 8.

#define NEO_PACKET(code, name, kind) struct name;
#include "core/protocol/packets.def"

namespace detail {
struct PacketMeta {
  std::uint16_t code;
  PacketKind kind;
};
#define NEO_PACKET(code, name, kind) inline constexpr PacketMeta k##name{code, PacketKind::kind};
#include "core/protocol/packets.def"
}  // namespace detail

#define NEO_PACKET_META(name)                                  \
  static constexpr std::uint16_t kCode = detail::k##name.code; \
  static constexpr std::string_view kName = #name;             \
  static constexpr PacketKind kKind = detail::k##name.kind;

// C->M, S->M, A->M, M->M, C->S, S->S, A->A (backup admin to upstream admin)
struct RequestIdentification {
  NEO_PACKET_META(RequestIdentification)
  using Answer = AcceptIdentification;
  NodeType node_type{};
  std::optional<NodeId> nid{};
  std::optional<Address> address{};
  std::string name{};
  std::optional<double> id_timestamp{};  // as announced by the master; nil to a master
  std::vector<std::pair<std::string, Value>> extra{};  // bin keys (spec 8.1)
  NEO_FIELDS(node_type, nid, address, name, id_timestamp, extra)
};

// C->M (sync barrier); any -> any
struct Ping {
  NEO_PACKET_META(Ping)
  using Answer = Pong;
  NEO_FIELDS()
};

// any -> any (S->S in practice)
struct CloseClient {
  NEO_PACKET_META(CloseClient)
  NEO_FIELDS()
};

// ctl->A
struct AskPrimary {
  NEO_PACKET_META(AskPrimary)
  using Answer = AnswerPrimary;
  NEO_FIELDS()
};

// secondary M -> any node that identified to it
struct NotPrimaryMaster {
  NEO_PACKET_META(NotPrimaryMaster)
  std::optional<std::int64_t> primary{};
  std::vector<Address> known_master_list{};
  NEO_FIELDS(primary, known_master_list)
};

// M->C, M->S, M->A, primary M->secondary M (and upstream M -> backup M)
struct NotifyNodeInformation {
  NEO_PACKET_META(NotifyNodeInformation)
  double timestamp = 0;
  std::vector<NodeInfo> node_list{};
  NEO_FIELDS(timestamp, node_list)
};

// M->S (recovery); ctl->A->M; A->M (backup monitoring)
struct AskRecovery {
  NEO_PACKET_META(AskRecovery)
  using Answer = AnswerRecovery;
  NEO_FIELDS()
};

// M->S (verification); ctl->A->M
struct AskLastIDs {
  NEO_PACKET_META(AskLastIDs)
  using Answer = AnswerLastIDs;
  NEO_FIELDS()
};

// M->S (recovery)
struct AskPartitionTable {
  NEO_PACKET_META(AskPartitionTable)
  using Answer = AnswerPartitionTable;
  NEO_FIELDS()
};

// M->C, M->S, M->A (and upstream M -> backup M)
struct SendPartitionTable {
  NEO_PACKET_META(SendPartitionTable)
  std::optional<std::int64_t> ptid{};
  std::int64_t num_replicas = 0;
  RowList row_list{};
  NEO_FIELDS(ptid, num_replicas, row_list)
};

// M->C, M->S, M->A
struct NotifyPartitionChanges {
  NEO_PACKET_META(NotifyPartitionChanges)
  std::int64_t ptid = 0;
  std::int64_t num_replicas = 0;
  std::vector<CellChange> cell_list{};
  NEO_FIELDS(ptid, num_replicas, cell_list)
};

// M->S
struct StartOperation {
  NEO_PACKET_META(StartOperation)
  bool backup = false;
  NEO_FIELDS(backup)
};

// M->S, M->C
struct StopOperation {
  NEO_PACKET_META(StopOperation)
  NEO_FIELDS()
};

// S->M
struct AskUnfinishedTransactions {
  NEO_PACKET_META(AskUnfinishedTransactions)
  using Answer = AnswerUnfinishedTransactions;
  std::vector<std::int64_t> offset_list{};
  NEO_FIELDS(offset_list)
};

// M->S (verification)
struct AskLockedTransactions {
  NEO_PACKET_META(AskLockedTransactions)
  using Answer = AnswerLockedTransactions;
  NEO_FIELDS()
};

// M->S (verification); C->M; C->S
struct AskFinalTID {
  NEO_PACKET_META(AskFinalTID)
  using Answer = AnswerFinalTID;
  Tid ttid{};
  NEO_FIELDS(ttid)
};

// M->S (verification)
struct ValidateTransaction {
  NEO_PACKET_META(ValidateTransaction)
  Tid ttid{};
  Tid tid{};
  NEO_FIELDS(ttid, tid)
};

// C->M
struct AskBeginTransaction {
  NEO_PACKET_META(AskBeginTransaction)
  using Answer = AnswerBeginTransaction;
  std::optional<Tid> tid{};
  NEO_FIELDS(tid)
};

// C->M
struct FailedVote {
  NEO_PACKET_META(FailedVote)
  using Answer = Error;
  Tid ttid{};
  std::vector<NodeId> failed_list{};
  NEO_FIELDS(ttid, failed_list)
};

// C->M
struct AskFinishTransaction {
  NEO_PACKET_META(AskFinishTransaction)
  using Answer = AnswerTransactionFinished;
  Tid ttid{};
  std::vector<Oid> oid_list{};
  std::vector<std::int64_t> deleted{};
  std::vector<std::int64_t> checked{};  // unordered (a Python set)
  std::optional<PackRequest> pack{};
  NEO_FIELDS(ttid, oid_list, deleted, checked, pack)
};

// M->S
struct AskLockInformation {
  NEO_PACKET_META(AskLockInformation)
  using Answer = AnswerInformationLocked;
  Tid ttid{};
  Tid tid{};
  bool pack = false;
  NEO_FIELDS(ttid, tid, pack)
};

// M->C
struct InvalidateObjects {
  NEO_PACKET_META(InvalidateObjects)
  Tid tid{};
  std::vector<Oid> oid_list{};
  NEO_FIELDS(tid, oid_list)
};

// M->C (only clients identified with extra "backup")
struct InvalidatePartitions {
  NEO_PACKET_META(InvalidatePartitions)
  Tid tid{};
  std::vector<std::int64_t> partition_list{};
  NEO_FIELDS(tid, partition_list)
};

// M->S
struct NotifyUnlockInformation {
  NEO_PACKET_META(NotifyUnlockInformation)
  Tid ttid{};
  NEO_FIELDS(ttid)
};

// C->M
struct AskNewOIDs {
  NEO_PACKET_META(AskNewOIDs)
  using Answer = AnswerNewOIDs;
  std::int64_t num_oids = 0;
  NEO_FIELDS(num_oids)
};

// S->C
struct NotifyDeadlock {
  NEO_PACKET_META(NotifyDeadlock)
  Tid ttid{};
  Oid oid{};
  NEO_FIELDS(ttid, oid)
};

// C->S
struct AskRelockObject {
  NEO_PACKET_META(AskRelockObject)
  using Answer = AnswerRelockObject;
  Tid ttid{};
  Oid oid{};
  NEO_FIELDS(ttid, oid)
};

// C->S
struct AskStoreObject {
  NEO_PACKET_META(AskStoreObject)
  using Answer = AnswerStoreObject;
  Oid oid{};
  Tid serial{};
  std::int64_t compression = 0;
  std::string checksum{};
  std::string data{};
  std::optional<Tid> data_serial{};
  Tid ttid{};
  NEO_FIELDS(oid, serial, compression, checksum, data, data_serial, ttid)
};

// C->S; C->M; M->S
struct AbortTransaction {
  NEO_PACKET_META(AbortTransaction)
  Tid ttid{};
  std::vector<NodeId> nid_list{};
  NEO_FIELDS(ttid, nid_list)
};

// C->S
struct AskStoreTransaction {
  NEO_PACKET_META(AskStoreTransaction)
  using Answer = AnswerStoreTransaction;
  Tid ttid{};
  std::string user{};
  std::string description{};
  std::string extension{};
  std::vector<Oid> oid_list{};
  std::optional<PackRequest> pack{};
  NEO_FIELDS(ttid, user, description, extension, oid_list, pack)
};

// C->S
struct AskVoteTransaction {
  NEO_PACKET_META(AskVoteTransaction)
  using Answer = AnswerVoteTransaction;
  Tid ttid{};
  NEO_FIELDS(ttid)
};

// C->S
struct AskObject {
  NEO_PACKET_META(AskObject)
  using Answer = AnswerObject;
  Oid oid{};
  std::optional<Tid> at{};      // exactly this serial
  std::optional<Tid> before{};  // the newest serial before this
  NEO_FIELDS(oid, at, before)   // both nil: the latest revision
};

// C->S
struct AskTIDs {
  NEO_PACKET_META(AskTIDs)
  using Answer = AnswerTIDs;
  std::int64_t first = 0;
  std::int64_t last = 0;
  std::int64_t partition = 0;
  NEO_FIELDS(first, last, partition)
};

// C->S
struct AskTransactionInformation {
  NEO_PACKET_META(AskTransactionInformation)
  using Answer = AnswerTransactionInformation;
  Tid tid{};
  NEO_FIELDS(tid)
};

// C->S
struct AskObjectHistory {
  NEO_PACKET_META(AskObjectHistory)
  using Answer = AnswerObjectHistory;
  Oid oid{};
  std::int64_t first = 0;
  std::int64_t last = 0;
  NEO_FIELDS(oid, first, last)
};

// ctl->A
struct AskPartitionList {
  NEO_PACKET_META(AskPartitionList)
  using Answer = AnswerPartitionList;
  std::int64_t min_offset = 0;
  std::int64_t max_offset = 0;
  std::optional<NodeId> nid{};
  NEO_FIELDS(min_offset, max_offset, nid)
};

// ctl->A
struct AskNodeList {
  NEO_PACKET_META(AskNodeList)
  using Answer = AnswerNodeList;
  std::optional<NodeType> node_type{};
  NEO_FIELDS(node_type)
};

// ctl->A->M
struct SetNodeState {
  NEO_PACKET_META(SetNodeState)
  using Answer = Error;
  NodeId nid{};
  NodeState state{};
  NEO_FIELDS(nid, state)
};

// ctl->A->M
struct AddPendingNodes {
  NEO_PACKET_META(AddPendingNodes)
  using Answer = Error;
  std::vector<NodeId> nid_list{};
  NEO_FIELDS(nid_list)
};

// ctl->A->M
struct TweakPartitionTable {
  NEO_PACKET_META(TweakPartitionTable)
  using Answer = AnswerTweakPartitionTable;
  bool dry_run = false;
  std::vector<NodeId> nid_list{};
  NEO_FIELDS(dry_run, nid_list)
};

// ctl->A->M
struct SetNumReplicas {
  NEO_PACKET_META(SetNumReplicas)
  using Answer = Error;
  std::int64_t num_replicas = 0;
  NEO_FIELDS(num_replicas)
};

// ctl->A->M; A->M (stress tool)
struct SetClusterState {
  NEO_PACKET_META(SetClusterState)
  using Answer = Error;
  ClusterState state{};
  NEO_FIELDS(state)
};

// ctl->A->M
struct Repair {
  NEO_PACKET_META(Repair)
  using Answer = Error;
  std::vector<NodeId> nid_list{};
  bool dry_run = false;
  NEO_FIELDS(nid_list, dry_run)
};

// M->S
struct NotifyRepair {
  NEO_PACKET_META(NotifyRepair)
  bool dry_run = false;
  NEO_FIELDS(dry_run)
};

// M->all identified nodes
struct NotifyClusterInformation {
  NEO_PACKET_META(NotifyClusterInformation)
  ClusterState state{};
  NEO_FIELDS(state)
};

// ctl->A; A->M
struct AskClusterState {
  NEO_PACKET_META(AskClusterState)
  using Answer = AnswerClusterState;
  NEO_FIELDS()
};

// C->S
struct AskObjectUndoSerial {
  NEO_PACKET_META(AskObjectUndoSerial)
  using Answer = AnswerObjectUndoSerial;
  Tid ttid{};
  Tid ltid{};
  Tid undone_tid{};
  std::vector<Oid> oid_list{};
  NEO_FIELDS(ttid, ltid, undone_tid, oid_list)
};

// C->S
struct AskTIDsFrom {
  NEO_PACKET_META(AskTIDsFrom)
  using Answer = AnswerTIDsFrom;
  Tid min_tid{};
  Tid max_tid{};
  std::int64_t length = 0;
  std::int64_t partition = 0;
  NEO_FIELDS(min_tid, max_tid, length, partition)
};

// C->S
struct AskOIDsFrom {
  NEO_PACKET_META(AskOIDsFrom)
  using Answer = AnswerOIDsFrom;
  std::int64_t partition = 0;
  std::int64_t length = 0;
  Oid min_oid{};
  Tid tid{};
  NEO_FIELDS(partition, length, min_oid, tid)
};

// C->M
struct WaitForPack {
  NEO_PACKET_META(WaitForPack)
  using Answer = WaitedForPack;
  Tid tid{};
  NEO_FIELDS(tid)
};

// M->S (verification, pack); S->M; C->M; backup M -> upstream M
struct AskPackOrders {
  NEO_PACKET_META(AskPackOrders)
  using Answer = AnswerPackOrders;
  Tid pack_id{};
  NEO_FIELDS(pack_id)
};

// M->S; M->backup M (as client)
struct NotifyPackSigned {
  NEO_PACKET_META(NotifyPackSigned)
  std::vector<Tid> approved{};
  std::vector<Tid> rejected{};
  NEO_FIELDS(approved, rejected)
};

// S->M
struct NotifyPackCompleted {
  NEO_PACKET_META(NotifyPackCompleted)
  Tid pack_id{};
  NEO_FIELDS(pack_id)
};

// ctl->A->M
struct CheckReplicas {
  NEO_PACKET_META(CheckReplicas)
  using Answer = Error;
  std::vector<std::pair<std::int64_t, std::optional<NodeId>>> partition_dict{};
  Tid min_tid{};
  std::optional<Tid> max_tid{};
  NEO_FIELDS(partition_dict, min_tid, max_tid)
};

// M->S
struct CheckPartition {
  NEO_PACKET_META(CheckPartition)
  std::int64_t partition = 0;
  CheckSource source{};
  Tid min_tid{};
  Tid max_tid{};
  NEO_FIELDS(partition, source, min_tid, max_tid)
};

// S->S
struct AskCheckTIDRange {
  NEO_PACKET_META(AskCheckTIDRange)
  using Answer = AnswerCheckTIDRange;
  std::int64_t partition = 0;
  std::int64_t length = 0;
  Tid min_tid{};
  Tid max_tid{};
  NEO_FIELDS(partition, length, min_tid, max_tid)
};

// S->S
struct AskCheckSerialRange {
  NEO_PACKET_META(AskCheckSerialRange)
  using Answer = AnswerCheckSerialRange;
  std::int64_t partition = 0;
  std::int64_t length = 0;
  Tid min_tid{};
  Tid max_tid{};
  Oid min_oid{};
  NEO_FIELDS(partition, length, min_tid, max_tid, min_oid)
};

// S->M
struct NotifyPartitionCorrupted {
  NEO_PACKET_META(NotifyPartitionCorrupted)
  std::int64_t partition = 0;
  std::vector<NodeId> nid_list{};
  NEO_FIELDS(partition, nid_list)
};

// S->M
struct NotifyReady {
  NEO_PACKET_META(NotifyReady)
  NEO_FIELDS()
};

// C->M; ctl->A->M; A->M; backup M -> upstream M
struct AskLastTransaction {
  NEO_PACKET_META(AskLastTransaction)
  using Answer = AnswerLastTransaction;
  NEO_FIELDS()
};

// C->S
struct AskCheckCurrentSerial {
  NEO_PACKET_META(AskCheckCurrentSerial)
  using Answer = AnswerCheckCurrentSerial;
  Tid ttid{};
  Oid oid{};
  Tid serial{};
  NEO_FIELDS(ttid, oid, serial)
};

// M->S
struct NotifyTransactionFinished {
  NEO_PACKET_META(NotifyTransactionFinished)
  Tid ttid{};
  Tid max_tid{};
  NEO_FIELDS(ttid, max_tid)
};

// M->S (backup mode)
struct Replicate {
  NEO_PACKET_META(Replicate)
  Tid tid{};
  std::string upstream_name{};
  std::vector<std::pair<std::int64_t, std::optional<Address>>> source_dict{};
  NEO_FIELDS(tid, upstream_name, source_dict)
};

// S->M
struct NotifyReplicationDone {
  NEO_PACKET_META(NotifyReplicationDone)
  std::int64_t offset = 0;
  Tid tid{};
  NEO_FIELDS(offset, tid)
};

// S->S (replication)
struct AskFetchTransactions {
  NEO_PACKET_META(AskFetchTransactions)
  using Answer = AnswerFetchTransactions;
  std::int64_t partition = 0;
  std::int64_t length = 0;
  Tid min_tid{};
  Tid max_tid{};
  std::vector<Tid> tid_list{};
  bool ask_pack_info = false;
  NEO_FIELDS(partition, length, min_tid, max_tid, tid_list, ask_pack_info)
};

// S->S (replication)
struct AskFetchObjects {
  NEO_PACKET_META(AskFetchObjects)
  using Answer = AnswerFetchObjects;
  std::int64_t partition = 0;
  std::int64_t length = 0;
  Tid min_tid{};
  Tid max_tid{};
  Oid min_oid{};
  std::vector<std::pair<Tid, std::vector<Oid>>> object_dict{};
  NEO_FIELDS(partition, length, min_tid, max_tid, min_oid, object_dict)
};

// S->S (replication; carries the msg id of AskFetchTransactions)
struct AddTransaction {
  NEO_PACKET_META(AddTransaction)
  Tid tid{};
  std::string user{};
  std::string description{};
  std::string extension{};
  bool packed = false;
  Tid ttid{};
  std::vector<Oid> oid_list{};
  std::optional<TransactionPack> pack{};
  NEO_FIELDS(tid, user, description, extension, packed, ttid, oid_list, pack)
};

// S->S (replication; carries the msg id of AskFetchObjects)
struct AddObject {
  NEO_PACKET_META(AddObject)
  Oid oid{};
  Tid serial{};
  std::int64_t compression = 0;
  std::string checksum{};
  std::string data{};
  std::optional<Tid> data_serial{};
  NEO_FIELDS(oid, serial, compression, checksum, data, data_serial)
};

// ctl->A->M; M->S
struct Truncate {
  NEO_PACKET_META(Truncate)
  using Answer = Error;
  Tid tid{};
  NEO_FIELDS(tid)
};

// ctl->A->M->all
struct FlushLog {
  NEO_PACKET_META(FlushLog)
  NEO_FIELDS()
};

// ctl->A
struct AskMonitorInformation {
  NEO_PACKET_META(AskMonitorInformation)
  using Answer = AnswerMonitorInformation;
  NEO_FIELDS()
};

// A->A (downstream backup admin -> upstream admin)
struct NotifyMonitorInformation {
  NEO_PACKET_META(NotifyMonitorInformation)
  std::vector<std::pair<std::string, Value>> info{};
  NEO_FIELDS(info)
};

// M->A (backup cluster)
struct NotifyUpstreamAdmin {
  NEO_PACKET_META(NotifyUpstreamAdmin)
  Address address{};
  NEO_FIELDS(address)
};

// any -> any (answer to any packet)
struct Error {
  NEO_PACKET_META(Error)
  std::int64_t code = 0;  // an errc wire value (0..13), a plain int on the wire
  std::string message{};
  NEO_FIELDS(code, message)
};

struct AcceptIdentification {
  NEO_PACKET_META(AcceptIdentification)
  NodeType node_type{};
  std::optional<NodeId> nid{};
  std::optional<NodeId> your_nid{};
  NEO_FIELDS(node_type, nid, your_nid)
};

struct Pong {
  NEO_PACKET_META(Pong)
  NEO_FIELDS()
};

struct AnswerPrimary {
  NEO_PACKET_META(AnswerPrimary)
  NodeId primary_nid{};
  NEO_FIELDS(primary_nid)
};

struct AnswerRecovery {
  NEO_PACKET_META(AnswerRecovery)
  std::optional<std::int64_t> ptid{};
  std::optional<Tid> backup_tid{};
  std::optional<Tid> truncate_tid{};
  NEO_FIELDS(ptid, backup_tid, truncate_tid)
};

struct AnswerLastIDs {
  NEO_PACKET_META(AnswerLastIDs)
  std::optional<Tid> last_tid{};
  std::optional<Oid> last_oid{};
  Tid first_tid{};
  NEO_FIELDS(last_tid, last_oid, first_tid)
};

struct AnswerPartitionTable {
  NEO_PACKET_META(AnswerPartitionTable)
  std::optional<std::int64_t> ptid{};
  std::int64_t num_replicas = 0;
  RowList row_list{};
  NEO_FIELDS(ptid, num_replicas, row_list)
};

struct AnswerUnfinishedTransactions {
  NEO_PACKET_META(AnswerUnfinishedTransactions)
  Tid max_tid{};
  std::vector<Tid> ttid_list{};
  NEO_FIELDS(max_tid, ttid_list)
};

struct AnswerLockedTransactions {
  NEO_PACKET_META(AnswerLockedTransactions)
  std::vector<std::pair<Tid, std::optional<Tid>>> tid_dict{};
  NEO_FIELDS(tid_dict)
};

struct AnswerFinalTID {
  NEO_PACKET_META(AnswerFinalTID)
  std::optional<Tid> tid{};
  NEO_FIELDS(tid)
};

struct AnswerBeginTransaction {
  NEO_PACKET_META(AnswerBeginTransaction)
  Tid ttid{};
  NEO_FIELDS(ttid)
};

struct AnswerTransactionFinished {
  NEO_PACKET_META(AnswerTransactionFinished)
  Tid ttid{};
  Tid tid{};
  NEO_FIELDS(ttid, tid)
};

struct AnswerInformationLocked {
  NEO_PACKET_META(AnswerInformationLocked)
  Tid ttid{};
  NEO_FIELDS(ttid)
};

struct AnswerNewOIDs {
  NEO_PACKET_META(AnswerNewOIDs)
  std::vector<Oid> oid_list{};
  NEO_FIELDS(oid_list)
};

struct AnswerRelockObject {
  NEO_PACKET_META(AnswerRelockObject)
  std::optional<RelockConflict> conflict{};
  NEO_FIELDS(conflict)
};

struct AnswerStoreObject {
  NEO_PACKET_META(AnswerStoreObject)
  std::optional<Tid> conflict{};
  NEO_FIELDS(conflict)
};

struct AnswerStoreTransaction {
  NEO_PACKET_META(AnswerStoreTransaction)
  NEO_FIELDS()
};

struct AnswerVoteTransaction {
  NEO_PACKET_META(AnswerVoteTransaction)
  NEO_FIELDS()
};

struct AnswerObject {
  NEO_PACKET_META(AnswerObject)
  Oid oid{};
  Tid serial{};
  std::optional<Tid> next_serial{};
  std::optional<std::int64_t> compression{};  // nil for a record without data
  std::string checksum{};
  std::string data{};
  std::optional<Tid> data_serial{};  // the serial whose data this one reuses (undo)
  NEO_FIELDS(oid, serial, next_serial, compression, checksum, data, data_serial)
};

struct AnswerTIDs {
  NEO_PACKET_META(AnswerTIDs)
  std::vector<Tid> tid_list{};
  NEO_FIELDS(tid_list)
};

struct AnswerTransactionInformation {
  NEO_PACKET_META(AnswerTransactionInformation)
  Tid tid{};
  std::string user{};
  std::string description{};
  std::string extension{};
  bool packed = false;
  std::vector<Oid> oid_list{};
  NEO_FIELDS(tid, user, description, extension, packed, oid_list)
};

struct AnswerObjectHistory {
  NEO_PACKET_META(AnswerObjectHistory)
  Oid oid{};
  std::vector<HistoryEntry> history_list{};
  NEO_FIELDS(oid, history_list)
};

struct AnswerPartitionList {
  NEO_PACKET_META(AnswerPartitionList)
  std::optional<std::int64_t> ptid{};
  std::int64_t num_replicas = 0;
  RowList row_list{};
  NEO_FIELDS(ptid, num_replicas, row_list)
};

struct AnswerNodeList {
  NEO_PACKET_META(AnswerNodeList)
  std::vector<NodeInfo> node_list{};
  NEO_FIELDS(node_list)
};

struct AnswerTweakPartitionTable {
  NEO_PACKET_META(AnswerTweakPartitionTable)
  bool changed = false;
  RowList row_list{};
  NEO_FIELDS(changed, row_list)
};

struct AnswerClusterState {
  NEO_PACKET_META(AnswerClusterState)
  std::optional<ClusterState> state{};
  NEO_FIELDS(state)
};

struct AnswerObjectUndoSerial {
  NEO_PACKET_META(AnswerObjectUndoSerial)
  std::vector<std::pair<Oid, UndoSerial>> object_tid_dict{};
  NEO_FIELDS(object_tid_dict)
};

struct AnswerTIDsFrom {
  NEO_PACKET_META(AnswerTIDsFrom)
  std::vector<Tid> tid_list{};
  NEO_FIELDS(tid_list)
};

struct AnswerOIDsFrom {
  NEO_PACKET_META(AnswerOIDsFrom)
  std::optional<Oid> next_oid{};
  std::vector<Oid> oid_list{};
  NEO_FIELDS(next_oid, oid_list)
};

struct WaitedForPack {
  NEO_PACKET_META(WaitedForPack)
  NEO_FIELDS()
};

struct AnswerPackOrders {
  NEO_PACKET_META(AnswerPackOrders)
  std::vector<PackOrder> pack_list{};
  NEO_FIELDS(pack_list)
};

struct AnswerCheckTIDRange {
  NEO_PACKET_META(AnswerCheckTIDRange)
  std::int64_t count = 0;
  std::string tid_checksum{};
  Tid max_tid{};
  NEO_FIELDS(count, tid_checksum, max_tid)
};

struct AnswerCheckSerialRange {
  NEO_PACKET_META(AnswerCheckSerialRange)
  std::int64_t count = 0;
  std::string tid_checksum{};
  Tid max_tid{};
  std::string oid_checksum{};
  Oid max_oid{};
  NEO_FIELDS(count, tid_checksum, max_tid, oid_checksum, max_oid)
};

struct AnswerLastTransaction {
  NEO_PACKET_META(AnswerLastTransaction)
  Tid tid{};
  NEO_FIELDS(tid)
};

struct AnswerCheckCurrentSerial {
  NEO_PACKET_META(AnswerCheckCurrentSerial)
  std::optional<Tid> conflict{};
  NEO_FIELDS(conflict)
};

struct AnswerFetchTransactions {
  NEO_PACKET_META(AnswerFetchTransactions)
  std::optional<Tid> next_tid{};
  std::vector<Tid> tid_list{};
  std::optional<Tid> completed_pack{};
  NEO_FIELDS(next_tid, tid_list, completed_pack)
};

struct AnswerFetchObjects {
  NEO_PACKET_META(AnswerFetchObjects)
  std::optional<Tid> next_tid{};
  std::optional<Oid> next_oid{};
  std::vector<std::pair<Tid, std::vector<Oid>>> object_dict{};
  NEO_FIELDS(next_tid, next_oid, object_dict)
};

struct AnswerMonitorInformation {
  NEO_PACKET_META(AnswerMonitorInformation)
  std::vector<std::optional<std::string>> warning_list{};
  std::vector<std::optional<std::string>> problem_list{};
  std::string summary{};
  NEO_FIELDS(warning_list, problem_list, summary)
};

#define NEO_REQUEST(code, name, answer) static_assert(std::is_same_v<name::Answer, answer>);
#include "core/protocol/packets.def"

#undef NEO_PACKET_META
#undef NEO_FIELDS

}  // namespace neo::protocol
