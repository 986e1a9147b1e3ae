// cli/neostress/model.hpp
// The data neostress's writers commit, and the rules the checker verifies.
// Pure: encodings and verification only, no I/O (unit tested).
//
// Objects (raw bytes through the client library; no pickles):
//   root (oid 0)  the layout: which oids are logs, accounts and writers
//   log head      the last entries appended (at most kBucketEntries) and
//                 the oids of its full buckets, moved out as it filled
//   bucket        a full log's entries, written once
//   account       a balance (int64); transfers keep the total constant
//   writer        how many commits writer w made (its next sequence number)
// Commit j of writer w appends the entry (w, j) to two distinct logs, moves
// an amount between two distinct accounts and sets writer w's count to
// j + 1, in one transaction. Logs and accounts are shared, so concurrent
// writers conflict and the storages' deadlock avoidance runs.
//
// Invariants (verify()): for each writer, every j below its count appears
// exactly twice over all logs and nothing else of it appears; every commit
// the writer was told succeeded (acks) is below its count; the account
// total is the initial one.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/util/ids.hpp"

namespace neo::stress {

inline constexpr std::size_t kBucketEntries = 64;

struct Entry {
  std::uint32_t writer = 0, seq = 0;
  auto operator<=>(const Entry&) const = default;
};

struct Layout {
  std::vector<Oid> logs, accounts, writers;
  std::int64_t initial_balance = 0;
};

struct LogHead {
  std::vector<Oid> buckets;  // full buckets, oldest first
  std::vector<Entry> entries;
};

std::string encode_layout(const Layout& layout);
std::optional<Layout> decode_layout(std::string_view data);
std::string encode_log(const LogHead& head);
std::optional<LogHead> decode_log(std::string_view data);
std::string encode_bucket(const std::vector<Entry>& entries);
std::optional<std::vector<Entry>> decode_bucket(std::string_view data);
std::string encode_count(std::int64_t value);  // accounts and writers
std::optional<std::int64_t> decode_count(std::string_view data);

// Appends `entry` to `head`; when the head is full its entries go to a new
// bucket (`bucket_oid`), returned encoded for the caller to store.
std::optional<std::string> append(LogHead& head, Entry entry, Oid bucket_oid);
// True if `head` needs a new bucket oid for the next append.
bool full(const LogHead& head);

// A commit a writer was told succeeded.
struct Ack {
  std::uint32_t writer = 0, seq = 0;
  Tid tid{};
};
// "w j tid\n" lines (tid in hex); bad lines are counted, not fatal.
std::vector<Ack> parse_acks(std::string_view text, std::size_t* bad_lines = nullptr);
std::string format_ack(const Ack& ack);

// What the checker read from the cluster.
struct Snapshot {
  std::vector<Entry> entries;          // all logs' entries, buckets included
  std::vector<std::int64_t> balances;  // per account
  std::vector<std::int64_t> counts;    // per writer
};

struct Verdict {
  std::vector<std::string> violations;  // empty: all invariants hold
  std::uint64_t commits = 0;            // sum of the writers' counts
  std::uint64_t acked = 0;
};
Verdict verify(const Layout& layout, Snapshot snapshot, const std::vector<Ack>& acks);

}  // namespace neo::stress
