// nodes/storage/database/importer_database.hpp
// NEO/py's Importer backend (`-a Importer -d importer.conf`): serves a ZODB
// FileStorage at once, on top of a destination database to which it copies
// the file's transactions in the background (import_step, driven by the
// storage node once operational), in TID order, committing about every
// second. New commits go to the destination, with TIDs above the file's last
// one (last_ids() reports it). Reads of what is not imported yet are
// answered from the file. An interrupted import resumes after the last
// imported transaction: the destination's last TID up to the file's.
// While importing, what needs the whole history in the destination
// (replication source, checks, history, undo lookups, final_tid of imported
// transactions) is BACKEND_NOT_IMPLEMENTED (clients may iterate, unlike
// with NEO/py's Importer); truncation below the file's last
// TID and pack are refused with this backend, as NEO/py does.
// With `writeback = true`, each commit that follows unlocked transactions
// appends them to the file (FsWriter, then fsync), as ZODB's restore()
// would: an undo becomes a backpointer, a deletion a record without data;
// the file's imported part is never touched. A failure to write back is a
// commit failure (the node stops; it writes back again at restart).
// No logging (progress() says how far it is). io thread only.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "importer/file_storage.hpp"
#include "importer/fs_index.hpp"
#include "importer/fs_writer.hpp"
#include "importer/import_reader.hpp"
#include "importer/importer_config.hpp"
#include "nodes/storage/database/forwarding_database.hpp"

namespace neo::storage {

class ImporterDatabase final : public ForwardingDatabase {
 public:
  struct Progress {
    std::uint64_t transactions = 0, total_transactions = 0;
    std::uint64_t bytes = 0, total_bytes = 0;  // of the file
  };

  // Throws DatabaseError: a bad importer.conf, an unreadable, damaged or
  // empty file, a destination that cannot be opened.
  static std::unique_ptr<ImporterDatabase> open(const std::string& conf_path, bool reset,
                                                bool dedup);
  ImporterDatabase(importer::ImporterConfig config, std::unique_ptr<Database> destination);

  const importer::ImporterConfig& config() const { return config_; }
  bool importing() const { return importing_; }
  Progress progress() const;
  // Imports for about `seconds`; true while there is more to do. Needs a
  // partition table. errc::corrupted_record for a damaged file
  // (last_error() says where).
  Result<bool> import_step(double seconds);

  const std::string& last_error() const override;
  std::error_code commit() override;
  std::error_code commit_deferred() override;
  std::error_code unlock_transaction(Tid tid, Tid ttid, bool has_trans, bool has_objects,
                                     bool has_pack) override;
  Result<ObjectRecord> load(Oid oid, std::optional<Tid> at, std::optional<Tid> before) override;
  Result<std::optional<Tid>> last_object_tid(Oid oid) override;
  Result<LastIds> last_ids() override;
  Result<std::optional<Tid>> last_tid(std::optional<Tid> max_tid) override;
  Result<Tid> first_tid() override;
  Result<std::optional<TransactionInfo>> transaction(Tid tid, bool include_locked) override;
  Result<std::vector<Tid>> tid_list(std::uint64_t offset, std::uint64_t length,
                                    std::span<const std::uint32_t> partitions) override;
  Result<std::optional<Tid>> final_tid(Tid ttid) override;
  std::error_code set_truncate_tid(std::optional<Tid> tid) override;

  // AskTIDsFrom (a client's iterator): the file's tids, then the destination's.
  Result<std::vector<Tid>> replication_tid_list(Tid min_tid, Tid max_tid,
                                                std::optional<std::uint64_t> length,
                                                std::uint32_t partition) override;
  // Refused while importing (the destination does not hold everything yet).
  Result<std::size_t> visit_objects(std::uint32_t partition, std::pair<Tid, Oid> first,
                                    std::pair<Tid, Oid> last, const ObjectVisitor& visit) override;
  Result<std::vector<std::pair<Tid, Oid>>> replication_object_list(
      Tid min_tid, Tid max_tid, std::optional<std::uint64_t> length, std::uint32_t partition,
      Oid min_oid) override;
  Result<std::vector<protocol::HistoryEntry>> object_history(Oid oid, std::uint64_t offset,
                                                             std::uint64_t length) override;
  Result<std::optional<UndoInfo>> find_undo_tid(Oid oid, std::optional<Tid> ltid, Tid undo_tid,
                                                std::optional<Tid> current_tid) override;
  Result<OidsFrom> oids_from(std::uint32_t partition, std::uint64_t length, Oid min_oid,
                             Tid tid) override;
  Result<TidRangeCheck> check_tid_range(std::uint32_t partition,
                                        std::optional<std::uint64_t> length, Tid min_tid,
                                        Tid max_tid) override;
  Result<SerialRangeCheck> check_serial_range(std::uint32_t partition,
                                              std::optional<std::uint64_t> length, Tid min_tid,
                                              Tid max_tid, Oid min_oid) override;
  // Never with this backend.
  Result<PackProgress> pack_partition(std::uint32_t partition, Oid min_oid, Tid pack_tid,
                                      std::uint64_t limit) override;
  Result<PackProgress> pack_oids(std::uint32_t partition, std::span<const Oid> oids,
                                 Tid pack_tid) override;

 private:
  // The oid's revision asked, when the file must answer (see load()).
  bool in_file(Oid oid, std::optional<Tid> at, std::optional<Tid> before) const;
  Result<ObjectRecord> load_from_file(Oid oid, std::optional<Tid> at, std::optional<Tid> before,
                                      const std::optional<ObjectRecord>& imported);
  // Partition of `id` readable here (non_readable_cell, not_ready otherwise).
  std::error_code readable(std::uint64_t id) const;
  std::error_code file_error(std::error_code ec);
  std::error_code import_transaction(const importer::PreparedTransaction& txn);
  // Appends the committed transactions above the file's last one.
  std::error_code write_back();
  Result<importer::FsNewTransaction> written_back(Tid tid);

  importer::ImporterConfig config_;
  importer::FileStorage reads_;  // random reads for clients
  importer::FsIndex index_;
  std::unique_ptr<importer::ImportReader> reader_;  // the import's reads, once started
  Tid zodb_ltid_{};                                 // the file's last transaction
  Oid zodb_loid_{};                                 // its greatest oid
  Tid zodb_tid_{};                                  // the last imported transaction (0: none)
  std::uint64_t imported_ = 0;                      // transactions, from the file's start
  bool importing_ = true;
  std::unique_ptr<importer::FsWriter> writer_;  // writeback, once needed
  bool unlocked_ = false;                       // transactions to write back
  std::string error_;
};

}  // namespace neo::storage
