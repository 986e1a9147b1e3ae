// importer/fs_index.cpp
#include "importer/fs_index.hpp"

#include <algorithm>
#include <utility>

namespace neo::importer {

std::size_t FsIndex::first_above(Tid tid) const {
  auto it = std::upper_bound(transactions.begin(), transactions.end(), tid,
                             [](Tid t, const auto& entry) { return t < entry.first; });
  return std::size_t(it - transactions.begin());
}

std::optional<std::uint64_t> FsIndex::position_of(Tid tid) const {
  std::size_t i = first_above(tid);
  if (i == 0 || transactions[i - 1].first != tid) return std::nullopt;
  return transactions[i - 1].second;
}

std::error_code update_index(FileStorage& fs, FsIndex& index) {
  FsIterator it(fs, index.end, index.last_tid);
  for (;;) {
    Result<std::optional<FsTransaction>> txn = it.next();
    if (!txn) return txn.error();
    if (!*txn) break;
    Result<std::vector<FsRecord>> records = fs.read_records(**txn, false);
    if (!records) return records.error();
    for (const FsRecord& record : *records) {
      index.latest[record.oid().value] = record.pos;
      if (!index.max_oid || record.oid() > *index.max_oid) index.max_oid = record.oid();
    }
    index.last_tid = (*txn)->tid();
    index.records += records->size();
    index.transactions.emplace_back((*txn)->tid(), (*txn)->pos);
  }
  index.end = it.pos();
  return {};
}

Result<FsRevision> load(FileStorage& fs, const FsIndex& index, Oid oid, std::optional<Tid> at,
                        std::optional<Tid> before) {
  auto found = index.latest.find(oid.value);
  if (found == index.latest.end()) return errc::oid_does_not_exist;
  std::uint64_t pos = found->second;
  std::optional<Tid> next_serial;
  for (;;) {
    Result<DataHeader> h = fs.read_data_header(pos, oid);
    if (!h) return h.error();
    bool wanted = at ? h->tid == *at : !before || h->tid < *before;
    if (wanted) {
      Result<FsRecord> record = fs.read_record(pos, oid, true);
      if (!record) return record.error();
      return FsRevision{.pos = pos,
                        .serial = h->tid,
                        .next_serial = next_serial,
                        .data_tid = record->data_tid,
                        .data = std::move(record->data)};
    }
    if (at && h->tid < *at) return errc::tid_not_found;
    if (h->prev == 0) return at ? errc::tid_not_found : errc::oid_does_not_exist;
    if (h->prev >= pos)
      return fs.corrupted(
          pos, "previous-record pointer " + std::to_string(h->prev) + " is not before the record");
    next_serial = h->tid;
    pos = h->prev;
  }
}

}  // namespace neo::importer
