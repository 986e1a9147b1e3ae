// Backend-independent pieces of the storage database (internal to this
// folder): NEO/py's digests and undo resolution, shared by every backend.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/util/record_data.hpp"
#include "nodes/storage/database/database.hpp"

namespace neo::storage {

// SHA-1 of the decimal values joined with "," (the check digests of
// protocol.md 8.8); ZERO_HASH-free: callers handle the empty case.
std::string decimal_list_digest(std::span<const std::uint64_t> values);

// Splits a `trans.oids`/`pack.oids` column into oids; nullopt if its length
// is not a multiple of 8.
std::optional<std::vector<Oid>> split_oids(std::string_view column);
// The reverse: concatenated 8-byte big-endian oids.
std::string join_oids(std::span<const Oid> oids);

// NEO/py's findUndoTID once the records are read: `undone_tid` is the
// greatest serial of the oid before `undo_tid`, `later` its (serial,
// value_tid) records after `undo_tid`, ascending.
UndoInfo resolve_undo(std::optional<Tid> undone_tid,
                      std::span<const std::pair<Tid, std::optional<Tid>>> later,
                      std::optional<Tid> ltid, Tid undo_tid, std::optional<Tid> current_tid);

// Decimal values joined with ',' (an SQL list).
template <class Values>
std::string join_decimal(const Values& values) {
  std::string list;
  for (const auto& value : values) {
    if (!list.empty()) list += ',';
    list += std::to_string(value);
  }
  return list;
}

// Parses a decimal integer as Python's int() does for these config values
// (surrounding blanks allowed); nullopt if it is not one.
std::optional<std::int64_t> parse_int(std::string_view text);
// 16 hex digits (util.bin of a dumped TID) -> Tid.
std::optional<Tid> parse_hex_tid(std::string_view text);
// util.dump(p64(tid)): 16 lowercase hex digits.
std::string dump_tid(Tid tid);

}  // namespace neo::storage
