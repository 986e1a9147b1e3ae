// StorageState's answers to client reads (NEO/py's ClientOperationHandler:
// askObject, askTIDs, askTransactionInformation, askObjectHistory,
// askObjectUndoSerial, askTIDsFrom, askOIDsFrom). Delaying reads of objects
// being committed is the handler's job (TransactionManager::load_locked).
// In backup mode, reads stop at the backup TID (NEO/py's
// ClientReadOnlyOperationHandler): later data may be incomplete.
#include <algorithm>

#include "nodes/storage/storage_state.hpp"

namespace neo::storage {

namespace {

// NEO/py's dump() of a 64-bit id: 16 lowercase hex digits.
std::string dump_id(std::uint64_t id) {
  std::string bytes(8, '\0');
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<char>(id >> (56 - 8 * i));
  return hex(bytes);
}

constexpr std::int64_t kInvalidPartition = 0xffffffff;

}  // namespace

Result<protocol::AnswerObject> StorageState::load_object(const protocol::AskObject& request,
                                                         std::string& message) {
  protocol::AskObject ask = request;
  if (const std::optional<Tid> backup = db_.backup_tid()) {
    const Tid after_backup{backup->value + 1};
    if (ask.at) {
      if (*backup < *ask.at) ask.at = kZeroTid;  // not found, as NEO/py
    } else {
      ask.before = ask.before ? std::min(*ask.before, after_backup) : after_backup;
    }
  }
  Result<ObjectRecord> record = db_.load(ask.oid, ask.at, ask.before);
  if (!record) {
    const std::error_code ec = record.error();
    if (ec == errc::oid_does_not_exist || ec == errc::oid_not_found) {
      message = dump_id(ask.oid.value);
    }
    return ec;
  }
  protocol::AnswerObject answer{.oid = ask.oid,
                                .serial = record->serial,
                                .next_serial = record->next_serial,
                                .compression = record->compression,
                                .checksum = std::move(record->checksum),
                                .data = std::move(record->data),
                                .data_serial = record->data_serial};
  if (!record->has_data()) {
    answer.checksum.assign(20, '\0');  // ZERO_HASH
    answer.data.clear();
  }
  return answer;
}

Result<protocol::AnswerTIDs> StorageState::tids(const protocol::AskTIDs& ask,
                                                std::string& message) {
  if (ask.first < 0 || ask.first >= ask.last) {
    message = "invalid offsets";
    return make_error_code(errc::protocol_error);
  }
  std::vector<std::uint32_t> partitions;
  if (ask.partition == kInvalidPartition) {
    if (nid_) partitions = pt_.readable_partitions(*nid_);
  } else if (ask.partition >= 0 && ask.partition < pt_.num_partitions()) {
    partitions.push_back(static_cast<std::uint32_t>(ask.partition));
  } else {
    message = "invalid partition";
    return make_error_code(errc::protocol_error);
  }
  auto list = db_.tid_list(static_cast<std::uint64_t>(ask.first),
                           static_cast<std::uint64_t>(ask.last - ask.first), partitions);
  if (!list) return list.error();
  if (const std::optional<Tid> backup = db_.backup_tid())
    std::erase_if(*list, [&](Tid tid) { return *backup < tid; });
  return protocol::AnswerTIDs{std::move(*list)};
}

Result<protocol::AnswerTransactionInformation> StorageState::transaction_information(
    Tid tid, std::string& message) {
  if (const std::optional<Tid> backup = db_.backup_tid(); backup && *backup < tid) {
    message = "tids > " + dump_id(backup->value) + " are not fully fetched yet";
    return make_error_code(errc::tid_not_found);
  }
  auto info = db_.transaction(tid, false);
  if (!info) return info.error();
  if (!*info) {
    message = dump_id(tid.value) + " does not exist";
    return make_error_code(errc::tid_not_found);
  }
  TransactionMeta& meta = (*info)->meta;
  return protocol::AnswerTransactionInformation{.tid = tid,
                                                .user = std::move(meta.user),
                                                .description = std::move(meta.description),
                                                .extension = std::move(meta.extension),
                                                .packed = meta.packed,
                                                .oid_list = std::move(meta.oids)};
}

Result<protocol::AnswerObjectHistory> StorageState::object_history(
    const protocol::AskObjectHistory& ask, std::string& message) {
  if (ask.first < 0 || ask.first >= ask.last) {
    message = "invalid offsets";
    return make_error_code(errc::protocol_error);
  }
  auto history = db_.object_history(ask.oid, static_cast<std::uint64_t>(ask.first),
                                    static_cast<std::uint64_t>(ask.last - ask.first));
  if (!history) {
    if (history.error() == errc::oid_not_found) message = dump_id(ask.oid.value);
    return history.error();
  }
  return protocol::AnswerObjectHistory{ask.oid, std::move(*history)};
}

Result<protocol::AnswerObjectUndoSerial> StorageState::undo_serials(
    const protocol::AskObjectUndoSerial& ask, std::string& message) {
  protocol::AnswerObjectUndoSerial answer;
  for (Oid oid : ask.oid_list) {
    auto info = db_.find_undo_tid(oid, ask.ltid, ask.undone_tid, tm_.stored_serial(ask.ttid, oid));
    if (!info) return info.error();
    if (!*info) continue;
    if (!(*info)->current_serial) {
      message = dump_id(oid.value);
      return make_error_code(errc::oid_not_found);
    }
    answer.object_tid_dict.emplace_back(
        oid,
        protocol::UndoSerial{*(*info)->current_serial, (*info)->undo_serial, (*info)->is_current});
  }
  return answer;
}

Result<protocol::AnswerTIDsFrom> StorageState::tids_from(const protocol::AskTIDsFrom& ask,
                                                         std::string& message) {
  if (ask.partition < 0 || ask.partition >= pt_.num_partitions() || ask.length < 0) {
    message = "invalid partition or length";
    return make_error_code(errc::protocol_error);
  }
  Tid max_tid = ask.max_tid;
  if (const std::optional<Tid> backup = db_.backup_tid()) max_tid = std::min(max_tid, *backup);
  auto list = db_.replication_tid_list(ask.min_tid, max_tid, static_cast<std::uint64_t>(ask.length),
                                       static_cast<std::uint32_t>(ask.partition));
  if (!list) return list.error();
  return protocol::AnswerTIDsFrom{std::move(*list)};
}

Result<protocol::AnswerOIDsFrom> StorageState::oids_from(const protocol::AskOIDsFrom& ask,
                                                         std::string& message) {
  if (ask.partition < 0 || ask.partition >= pt_.num_partitions() || ask.length < 0) {
    message = "invalid partition or length";
    return make_error_code(errc::protocol_error);
  }
  auto oids = db_.oids_from(static_cast<std::uint32_t>(ask.partition),
                            static_cast<std::uint64_t>(ask.length), ask.min_oid, ask.tid);
  if (!oids) return oids.error();
  return protocol::AnswerOIDsFrom{oids->next_oid, std::move(oids->oids)};
}

}  // namespace neo::storage
