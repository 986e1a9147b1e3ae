// nodes/storage/database/importer_database.cpp
#include "nodes/storage/database/importer_database.hpp"

#include <algorithm>

#include "core/config/ini_file.hpp"
#include "core/util/record_data.hpp"
#include "nodes/storage/database/mariadb_database.hpp"
#include "nodes/storage/database/sqlite_database.hpp"

namespace neo::storage {

std::unique_ptr<ImporterDatabase> ImporterDatabase::open(const std::string& conf_path, bool reset,
                                                         bool dedup) {
  importer::ImporterConfig config;
  try {
    config = importer::load_importer_config(config::expand_user(conf_path));
  } catch (const config::Error& e) {
    throw DatabaseError(e.what());
  }
  const std::string& a = config.adapter;
  std::unique_ptr<Database> destination;
  if (a == "MySQL" || a == "MariaDB" || a == "MySQLdb" || a == "PyMySQL") {
    destination = MariaDbDatabase::open(
        config.database,
        MariaDbDatabase::Options{
            .reset = reset, .dedup = dedup, .engine = config.engine, .wait = config.wait});
  } else if (a == "SQLite") {
    destination = SqliteDatabase::open(config.database,
                                       SqliteDatabase::Options{.reset = reset, .dedup = dedup});
  } else {
    throw DatabaseError(conf_path + ": adapter " + a +
                        " is not supported as the Importer's destination: use SQLite or MySQL");
  }
  return std::make_unique<ImporterDatabase>(std::move(config), std::move(destination));
}

ImporterDatabase::ImporterDatabase(importer::ImporterConfig config,
                                   std::unique_ptr<Database> destination)
    : ForwardingDatabase(std::move(destination)), config_(std::move(config)) {
  const std::string& path = config_.sources.at(0).path;
  if (reads_.open(path) || importer::update_index(reads_, index_))
    throw DatabaseError(reads_.error());
  if (!index_.last_tid) throw DatabaseError("can not import empty storage: " + path);
  zodb_ltid_ = *index_.last_tid;
  zodb_loid_ = index_.max_oid.value_or(Oid{});
  if (db_->num_partitions() > 0) {
    Result<std::optional<Tid>> last = db_->last_tid(zodb_ltid_);
    if (last && *last) zodb_tid_ = **last;
  }
  imported_ = index_.first_above(zodb_tid_);
  importing_ = zodb_tid_ < zodb_ltid_;
}

const std::string& ImporterDatabase::last_error() const {
  return error_.empty() ? db_->last_error() : error_;
}

std::error_code ImporterDatabase::file_error(std::error_code ec) {
  error_ = reads_.error();
  return ec;
}

ImporterDatabase::Progress ImporterDatabase::progress() const {
  const std::uint64_t start = importer::kMagicSize;
  std::uint64_t at =
      imported_ < index_.transactions.size() ? index_.transactions[imported_].second : index_.end;
  return {.transactions = imported_,
          .total_transactions = index_.transactions.size(),
          .bytes = at - start,
          .total_bytes = index_.end - start};
}

// ---- import ----

std::error_code ImporterDatabase::import_transaction(const importer::PreparedTransaction& txn) {
  std::vector<ObjectRef> objects;
  objects.reserve(txn.records.size());
  TransactionMeta meta{.user = txn.txn.user,
                       .description = txn.txn.description,
                       .extension = txn.txn.extension,
                       .packed = txn.txn.header.status == importer::kStatusPacked,
                       .ttid = txn.txn.tid()};
  for (const importer::PreparedRecord& r : txn.records) {
    Result<std::optional<std::uint64_t>> id = std::optional<std::uint64_t>{};
    if (r.data_tid)
      id = db_->store_data("", r.oid, "", 0, r.data_tid);
    else if (r.has_data)
      id = db_->store_data(r.checksum, r.oid, r.data, r.compression, std::nullopt);
    if (!id) return id.error();
    objects.push_back({.oid = r.oid, .data_id = *id, .value_serial = r.data_tid});
    meta.oids.push_back(r.oid);
  }
  return db_->store_transaction(txn.txn.tid(), objects, &meta, false);
}

Result<bool> ImporterDatabase::import_step(double seconds) {
  if (!importing_) return false;
  if (!reader_) {
    std::uint64_t pos =
        imported_ < index_.transactions.size() ? index_.transactions[imported_].second : index_.end;
    reader_ = std::make_unique<importer::ImportReader>(
        config_.sources.at(0).path, pos,
        zodb_tid_ == Tid{} ? std::nullopt : std::optional(zodb_tid_), zodb_ltid_,
        config_.compress_level);
  }
  using Clock = std::chrono::steady_clock;
  const Clock::time_point deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                                        std::chrono::duration<double>(seconds));
  do {
    auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    Result<std::optional<importer::PreparedTransaction>> txn =
        reader_->next(std::max(wait, std::chrono::milliseconds(1)));
    if (!txn) {
      error_ = reader_->error();
      return txn.error();
    }
    if (!*txn) {
      if (!reader_->done()) return true;  // not read yet
      if (std::error_code ec = db_->commit()) return ec;
      importing_ = false;
      reader_.reset();
      return false;
    }
    if (std::error_code ec = import_transaction(**txn)) return ec;
    zodb_tid_ = (*txn)->txn.tid();
    ++imported_;
    if (std::error_code ec = db_->commit_from_time_to_time(1.0)) return ec;
  } while (Clock::now() < deadline);
  return true;
}

// ---- writeback ----

std::error_code ImporterDatabase::unlock_transaction(Tid tid, Tid ttid, bool has_trans,
                                                     bool has_objects, bool has_pack) {
  unlocked_ = unlocked_ || (config_.writeback && has_trans);
  return db_->unlock_transaction(tid, ttid, has_trans, has_objects, has_pack);
}

std::error_code ImporterDatabase::commit() {
  if (std::error_code ec = db_->commit()) return ec;
  return unlocked_ ? write_back() : std::error_code{};
}

std::error_code ImporterDatabase::commit_deferred() {
  if (std::error_code ec = db_->commit_deferred()) return ec;
  return unlocked_ ? write_back() : std::error_code{};
}

Result<importer::FsNewTransaction> ImporterDatabase::written_back(Tid tid) {
  Result<std::optional<TransactionInfo>> info = db_->transaction(tid, false);
  if (!info) return info.error();
  if (!*info) return errc::tid_not_found;
  const TransactionMeta& meta = (*info)->meta;
  importer::FsNewTransaction txn{
      .tid = tid, .user = meta.user, .description = meta.description, .extension = meta.extension};
  for (Oid oid : meta.oids) {
    Result<ObjectRecord> record = db_->load(oid, tid, std::nullopt);
    if (!record && record.error() == errc::oid_not_found) continue;  // only checked
    if (!record) return record.error();
    importer::FsNewRecord out{.oid = oid, .data_tid = record->data_serial};
    if (record->has_data() && !record->data_serial) {
      Result<std::string> data = decompress(*record->compression, record->data);
      if (!data) return data.error();
      out.data = std::move(*data);
    }
    txn.records.push_back(std::move(out));
  }
  return txn;
}

std::error_code ImporterDatabase::write_back() {
  unlocked_ = false;
  const std::string& path = config_.sources.at(0).path;
  if (!writer_) {
    writer_ = std::make_unique<importer::FsWriter>();
    if (std::error_code ec = writer_->open(path, index_)) {  // index_: the file at startup
      error_ = "writeback: " + writer_->error();
      writer_.reset();
      return ec;
    }
  }
  const Tid after = writer_->index().last_tid.value_or(Tid{});
  std::vector<Tid> tids;  // above `after`, newest first
  const std::vector<std::uint32_t> partitions = db_->readable_partitions();
  for (std::uint64_t offset = 0;; offset += 100) {
    Result<std::vector<Tid>> some = db_->tid_list(offset, 100, partitions);
    if (!some) return some.error();
    for (Tid tid : *some)
      if (after < tid) tids.push_back(tid);
    if (some->size() < 100 || some->back() <= after) break;
  }
  for (auto it = tids.rbegin(); it != tids.rend(); ++it) {
    Result<importer::FsNewTransaction> txn = written_back(*it);
    if (!txn) return txn.error();
    if (std::error_code ec = writer_->append(*txn)) {
      error_ = "writeback: " + writer_->error();
      return ec;
    }
  }
  if (std::error_code ec = tids.empty() ? std::error_code{} : writer_->sync()) {
    error_ = "writeback: " + writer_->error();
    return ec;
  }
  return {};
}

// ---- reads ----

std::error_code ImporterDatabase::readable(std::uint64_t id) const {
  const std::uint32_t np = db_->num_partitions();
  if (np == 0) return make_error_code(errc::not_ready);
  if (!db_->is_readable_partition(std::uint32_t(id % np)))
    return make_error_code(errc::non_readable_cell);
  return {};
}

bool ImporterDatabase::in_file(Oid oid, std::optional<Tid> at, std::optional<Tid> before) const {
  if (oid > zodb_loid_) return false;
  if (before) return zodb_tid_ < *before;
  return !at || (zodb_tid_ < *at && *at <= zodb_ltid_);
}

Result<ObjectRecord> ImporterDatabase::load(Oid oid, std::optional<Tid> at,
                                            std::optional<Tid> before) {
  if (!importing_) return db_->load(oid, at, before);
  // The revision asked lies in what is not imported yet: only the file has it.
  std::optional<Tid> asked = before ? std::optional(Tid{before->value - 1}) : at;
  if (asked && zodb_tid_ < *asked && *asked <= zodb_ltid_)
    return load_from_file(oid, at, before, std::nullopt);
  Result<ObjectRecord> imported = db_->load(oid, at, before);
  bool missing = !imported && (imported.error() == errc::oid_does_not_exist ||
                               imported.error() == errc::oid_not_found);
  if (!imported && !missing) return imported;
  if ((imported && zodb_ltid_ < imported->serial) || !in_file(oid, at, before)) return imported;
  return load_from_file(oid, at, before,
                        imported ? std::optional(*imported) : std::optional<ObjectRecord>());
}

Result<ObjectRecord> ImporterDatabase::load_from_file(Oid oid, std::optional<Tid> at,
                                                      std::optional<Tid> before,
                                                      const std::optional<ObjectRecord>& imported) {
  if (std::error_code ec = readable(oid.value)) return ec;
  Result<importer::FsRevision> rev = importer::load(reads_, index_, oid, at, before);
  if (!rev) {
    if (rev.error() == errc::corrupted_record) return file_error(rev.error());
    if (imported) return *imported;
    return index_.latest.count(oid.value) ? errc::oid_not_found : errc::oid_does_not_exist;
  }
  if (rev->serial <= zodb_tid_ && imported) return *imported;
  ObjectRecord record{
      .serial = rev->serial, .next_serial = rev->next_serial, .data_serial = rev->data_tid};
  if (!record.next_serial) {
    Result<std::optional<Tid>> next = db_->next_object_tid(oid, rev->serial);
    if (!next) return next.error();
    record.next_serial = *next;
  }
  if (rev->data) {
    record.compression = 0;
    record.checksum = sha1(*rev->data);
    record.data = std::move(*rev->data);
  }
  return record;
}

Result<std::optional<Tid>> ImporterDatabase::last_object_tid(Oid oid) {
  if (!importing_) return db_->last_object_tid(oid);
  Result<ObjectRecord> latest = load(oid, std::nullopt, std::nullopt);
  if (latest) return std::optional(latest->serial);
  if (latest.error() == errc::oid_does_not_exist) return std::optional<Tid>{};
  return latest.error();
}

Result<LastIds> ImporterDatabase::last_ids() {
  Result<LastIds> ids = db_->last_ids();
  if (!ids && ids.error() != errc::not_ready) return ids;
  LastIds out = ids ? *ids : LastIds{};
  out.tid = std::max(out.tid.value_or(zodb_ltid_), zodb_ltid_);
  out.oid = std::max(out.oid.value_or(zodb_loid_), zodb_loid_);
  return out;
}

Result<std::optional<Tid>> ImporterDatabase::last_tid(std::optional<Tid> max_tid) {
  Result<std::optional<Tid>> last = db_->last_tid(max_tid);
  if (!importing_ || !last) return last;
  std::size_t i = max_tid ? index_.first_above(*max_tid) : index_.transactions.size();
  if (i == 0) return last;
  Tid in_file = index_.transactions[i - 1].first;
  return std::optional(std::max(last->value_or(in_file), in_file));
}

Result<Tid> ImporterDatabase::first_tid() {
  Result<Tid> first = db_->first_tid();
  if (!importing_ || !first) return first;
  return std::min(*first, index_.transactions.front().first);
}

Result<std::optional<TransactionInfo>> ImporterDatabase::transaction(Tid tid, bool include_locked) {
  if (!importing_ || tid <= zodb_tid_ || zodb_ltid_ < tid)
    return db_->transaction(tid, include_locked);
  if (std::error_code ec = readable(tid.value)) return ec;
  std::optional<std::uint64_t> pos = index_.position_of(tid);
  if (!pos) return std::optional<TransactionInfo>{};
  Result<std::optional<importer::FsTransaction>> txn = reads_.read_transaction(*pos);
  if (!txn || !*txn) return file_error(txn ? make_error_code(errc::corrupted_record) : txn.error());
  Result<std::vector<importer::FsRecord>> records = reads_.read_records(**txn, false);
  if (!records) return file_error(records.error());
  TransactionInfo info{.meta = {.user = (*txn)->user,
                                .description = (*txn)->description,
                                .extension = (*txn)->extension,
                                .packed = (*txn)->header.status == importer::kStatusPacked,
                                .ttid = tid}};
  for (const importer::FsRecord& r : *records) info.meta.oids.push_back(r.oid());
  return std::optional(std::move(info));
}

Result<std::vector<Tid>> ImporterDatabase::tid_list(std::uint64_t offset, std::uint64_t length,
                                                    std::span<const std::uint32_t> partitions) {
  if (!importing_) return db_->tid_list(offset, length, partitions);
  const std::uint32_t np = db_->num_partitions();
  if (np == 0) return errc::not_ready;
  // Newest first: what was committed after the file's end, then the file's.
  Result<std::vector<Tid>> committed = db_->tid_list(0, offset + length, partitions);
  if (!committed) return committed;
  std::vector<Tid> all;
  for (Tid tid : *committed)
    if (zodb_ltid_ < tid) all.push_back(tid);
  for (auto it = index_.transactions.rbegin();
       it != index_.transactions.rend() && all.size() < offset + length; ++it)
    if (std::find(partitions.begin(), partitions.end(), it->first.value % np) != partitions.end())
      all.push_back(it->first);
  if (offset >= all.size()) return std::vector<Tid>{};
  return std::vector<Tid>(
      all.begin() + std::ptrdiff_t(offset),
      all.begin() + std::ptrdiff_t(std::min<std::uint64_t>(all.size(), offset + length)));
}

Result<std::vector<Tid>> ImporterDatabase::replication_tid_list(Tid min_tid, Tid max_tid,
                                                                std::optional<std::uint64_t> length,
                                                                std::uint32_t partition) {
  if (!importing_) return db_->replication_tid_list(min_tid, max_tid, length, partition);
  if (std::error_code ec = readable(partition)) return ec;
  // Ascending: the file's up to its end, then what was committed after it.
  const std::uint32_t np = db_->num_partitions();
  std::vector<Tid> out;
  for (std::size_t i = index_.first_above(Tid{min_tid.value ? min_tid.value - 1 : 0});
       i < index_.transactions.size() && (!length || out.size() < *length); ++i) {
    const Tid tid = index_.transactions[i].first;
    if (max_tid < tid) return out;
    if (tid.value % np == partition && min_tid <= tid) out.push_back(tid);
  }
  if (max_tid <= zodb_ltid_ || (length && out.size() >= *length)) return out;
  Result<std::vector<Tid>> after = db_->replication_tid_list(
      std::max(min_tid, Tid{zodb_ltid_.value + 1}), max_tid,
      length ? std::optional(*length - out.size()) : std::nullopt, partition);
  if (!after) return after;
  out.insert(out.end(), after->begin(), after->end());
  return out;
}

Result<std::optional<Tid>> ImporterDatabase::final_tid(Tid ttid) {
  if (importing_ && ttid <= zodb_ltid_) return errc::backend_not_implemented;
  return db_->final_tid(ttid);
}

std::error_code ImporterDatabase::set_truncate_tid(std::optional<Tid> tid) {
  // What is below the file's end would be imported again at restart; and
  // the file cannot be truncated (writeback).
  if (tid && (*tid < zodb_ltid_ || config_.writeback)) {
    error_ = "the Importer backend cannot truncate at " + to_string(*tid) +
             (config_.writeback
                  ? " with writeback"
                  : ", below the FileStorage's last transaction " + to_string(zodb_ltid_)) +
             ": once the import is done, restart the node on its native backend "
             "(-a " +
             config_.adapter + " -d " + config_.database + "), then truncate";
    return make_error_code(errc::backend_not_implemented);
  }
  return db_->set_truncate_tid(tid);
}

// ---- refused while importing ----

#define NEO_WHILE_IMPORTING(call)                                        \
  if (importing_) return make_error_code(errc::backend_not_implemented); \
  return db_->call

Result<std::size_t> ImporterDatabase::visit_objects(std::uint32_t partition,
                                                    std::pair<Tid, Oid> first,
                                                    std::pair<Tid, Oid> last,
                                                    const ObjectVisitor& visit) {
  NEO_WHILE_IMPORTING(visit_objects(partition, first, last, visit));
}
Result<std::vector<std::pair<Tid, Oid>>> ImporterDatabase::replication_object_list(
    Tid min_tid, Tid max_tid, std::optional<std::uint64_t> length, std::uint32_t partition,
    Oid min_oid) {
  NEO_WHILE_IMPORTING(replication_object_list(min_tid, max_tid, length, partition, min_oid));
}
Result<std::vector<protocol::HistoryEntry>> ImporterDatabase::object_history(Oid oid,
                                                                             std::uint64_t offset,
                                                                             std::uint64_t length) {
  NEO_WHILE_IMPORTING(object_history(oid, offset, length));
}
Result<std::optional<UndoInfo>> ImporterDatabase::find_undo_tid(Oid oid, std::optional<Tid> ltid,
                                                                Tid undo_tid,
                                                                std::optional<Tid> current_tid) {
  NEO_WHILE_IMPORTING(find_undo_tid(oid, ltid, undo_tid, current_tid));
}
Result<OidsFrom> ImporterDatabase::oids_from(std::uint32_t partition, std::uint64_t length,
                                             Oid min_oid, Tid tid) {
  NEO_WHILE_IMPORTING(oids_from(partition, length, min_oid, tid));
}
Result<TidRangeCheck> ImporterDatabase::check_tid_range(std::uint32_t partition,
                                                        std::optional<std::uint64_t> length,
                                                        Tid min_tid, Tid max_tid) {
  NEO_WHILE_IMPORTING(check_tid_range(partition, length, min_tid, max_tid));
}
Result<SerialRangeCheck> ImporterDatabase::check_serial_range(std::uint32_t partition,
                                                              std::optional<std::uint64_t> length,
                                                              Tid min_tid, Tid max_tid,
                                                              Oid min_oid) {
  NEO_WHILE_IMPORTING(check_serial_range(partition, length, min_tid, max_tid, min_oid));
}
#undef NEO_WHILE_IMPORTING

Result<PackProgress> ImporterDatabase::pack_partition(std::uint32_t, Oid, Tid, std::uint64_t) {
  return errc::backend_not_implemented;
}
Result<PackProgress> ImporterDatabase::pack_oids(std::uint32_t, std::span<const Oid>, Tid) {
  return errc::backend_not_implemented;
}

}  // namespace neo::storage
