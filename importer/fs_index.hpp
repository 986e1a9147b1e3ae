// importer/fs_index.hpp
// Where the latest record of every oid is in a FileStorage, built by one scan
// of the file (ZODB's own .index files are not read), and loads through it:
// an oid's revision before a tid, or at a tid, following the previous-record
// pointers. Pure data plus functions over a FileStorage; one thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/util/error.hpp"
#include "core/util/ids.hpp"
#include "importer/file_storage.hpp"

namespace neo::importer {

struct FsIndex {
  std::unordered_map<std::uint64_t, std::uint64_t> latest;  // oid -> its latest record's offset
  std::optional<Tid> last_tid;
  std::optional<Oid> max_oid;
  std::vector<std::pair<Tid, std::uint64_t>> transactions;  // (tid, offset), in file order
  std::uint64_t end = kMagicSize;                           // where the next transaction starts
  std::uint64_t records = 0;

  // The offset of transaction `tid`, if it is in the file.
  std::optional<std::uint64_t> position_of(Tid tid) const;
  // The index in `transactions` of the first one above `tid`.
  std::size_t first_above(Tid tid) const;
};

// Adds the transactions from index.end on (a new index scans the whole file).
std::error_code update_index(FileStorage& fs, FsIndex& index);

struct FsRevision {
  std::uint64_t pos = 0;  // the record's offset
  Tid serial;
  std::optional<Tid> next_serial;   // the oid's next revision, if any
  std::optional<Tid> data_tid;      // a backpointer's target tid
  std::optional<std::string> data;  // nullopt: no data (deleted, creation undone)
};

// The revision of `oid` current before `before` (the latest if nullopt), or
// exactly `at` when given; errc::oid_does_not_exist if the oid has no
// record (before `before`), errc::tid_not_found if it has none at `at`.
Result<FsRevision> load(FileStorage& fs, const FsIndex& index, Oid oid, std::optional<Tid> at,
                        std::optional<Tid> before);

}  // namespace neo::importer
