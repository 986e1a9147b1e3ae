// FileStorage -> NEO: each transaction of the file is committed with its
// tid, metadata bytes and records; a backpointer becomes a NEO record that
// reuses the data of the revision it points to (data_serial), a record
// without data a deletion.
#include <map>

#include "cli/neomigrate/copy.hpp"
#include "cli/neomigrate/neomigrate.hpp"

namespace neo::neomigrate {

namespace {

using importer::FsRecord;
using importer::FsTransaction;

// Each oid's latest serial in the cluster, as a store's base: what this copy
// committed, else (a cluster that had data) what the cluster has.
class Serials {
 public:
  Serials(client::Client& client, bool empty) : client_(client), empty_(empty) {}

  Result<Tid> base(Oid oid) {
    if (auto it = serials_.find(oid); it != serials_.end()) return it->second;
    if (empty_) return kZeroTid;
    Result<client::Record> record = client_.load(oid);
    if (record) return record->serial;
    if (record.error() == errc::oid_not_found || record.error() == errc::oid_does_not_exist ||
        record.error() == errc::no_data)
      return kZeroTid;
    return record.error();
  }
  void set(Oid oid, Tid tid) { serials_[oid] = tid; }

 private:
  client::Client& client_;
  bool empty_;
  std::map<Oid, Tid> serials_;
};

// Commits `txn`; "" or what failed.
std::string commit(client::Client& client, const FsTransaction& txn,
                   const std::vector<FsRecord>& records, Serials& serials) {
  auto t = client.begin({txn.user, txn.description, txn.extension}, txn.tid());
  if (!t) return "cannot begin it: " + t.error().message();
  for (const FsRecord& record : records) {
    Result<Tid> base = serials.base(record.oid());
    if (!base) return "cannot read oid " + to_string(record.oid()) + ": " + base.error().message();
    if (record.data_tid)
      (*t)->store_backpointer(record.oid(), *base, *record.data_tid);
    else if (record.data)
      (*t)->store(record.oid(), *base, *record.data);
    else
      (*t)->remove(record.oid(), *base);
  }
  Result<Tid> tid = (*t)->finish();
  if (!tid) {
    std::string why = tid.error().message();
    if (!(*t)->conflicts().empty())
      why += " (oid " + to_string((*t)->conflicts().front().oid) + " was changed in the cluster)";
    return "cannot commit it: " + why;
  }
  if (*tid != txn.tid()) return "the cluster committed it as " + to_string(*tid);
  for (const FsRecord& record : records) serials.set(record.oid(), txn.tid());
  return "";
}

// The file's first transaction, to compare with the cluster's last one.
Result<std::optional<FsTransaction>> first_transaction(importer::FileStorage& fs) {
  importer::FsIterator it(fs);
  return it.next();
}

}  // namespace

int copy_fs_to_neo(importer::FileStorage& fs, client::Client& client, Tid last, Progress& progress,
                   std::ostream& err) {
  Result<std::optional<FsTransaction>> first = first_transaction(fs);
  if (!first) {
    err << "neomigrate: " << fs.error() << '\n';
    return kExitRefused;
  }
  if (*first && last != kZeroTid && (*first)->tid() <= last) {
    err << "neomigrate: the destination cluster already has transactions up to " << to_string(last)
        << ", not before the first transaction of " << fs.path() << " ("
        << to_string((*first)->tid())
        << "): import into a new, empty cluster (transactions keep their ids, which must "
           "increase)\n";
    return kExitRefused;
  }
  Serials serials(client, last == kZeroTid);
  importer::FsIterator it(fs);
  std::uint64_t transactions = 0, bytes = 0;
  const double total = static_cast<double>(std::max<std::uint64_t>(fs.size(), 1));
  for (;;) {
    Result<std::optional<FsTransaction>> txn = it.next();
    if (txn && !*txn) break;
    Result<std::vector<FsRecord>> records =
        txn ? fs.read_records(**txn) : Result<std::vector<FsRecord>>(txn.error());
    if (!records) {
      err << "\nneomigrate: " << fs.error() << "\nneomigrate: stopped after " << transactions
          << " transactions: the cluster holds the file's transactions before that point\n";
      return kExitFailed;
    }
    if (std::string why = commit(client, **txn, *records, serials); !why.empty()) {
      err << "\nneomigrate: transaction " << to_string((*txn)->tid()) << " of " << fs.path() << ": "
          << why << "\nneomigrate: stopped after " << transactions
          << " transactions: the cluster holds the file's transactions before that one\n";
      return kExitFailed;
    }
    ++transactions;
    bytes += (*txn)->next() - (*txn)->pos;
    progress.update(static_cast<double>(it.pos()) / total, transactions, bytes);
  }
  progress.finish(transactions, bytes);
  return kExitOk;
}

}  // namespace neo::neomigrate
