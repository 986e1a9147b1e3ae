// cli/neoctl/replica_check.hpp
// The comparison behind `neoctl check --wait`: the readable replicas of one
// partition are asked the same digests, range by range, as a storage's
// Checker does (NEO/py neo/storage/checker.py; spec/flows.md 11,
// protocol.md 8.8): AskCheckTIDRange chunks of kCheckCount transactions
// from min_tid, then AskCheckSerialRange chunks of object records from
// (min_tid, oid 0), all up to max_tid. A replica whose answer differs from
// the reference's leaves the comparison and is reported with the range of
// its first difference; the others go on.
//
// The reference is the node given (`partition:reference`), else the
// largest group of equal answers (ties: the first in table order), so that
// of 3 replicas, 1 damaged is the one named.
//
// Pure logic: no I/O (check_wait.cpp sends the requests). One thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/protocol/packets.hpp"
#include "core/util/ids.hpp"

namespace neo::neoctl {

inline constexpr std::int64_t kCheckCount = 40000;  // NEO/py's CHECK_COUNT

// One replica's answer to a range (both answers in one shape; the object
// fields stay empty for a transaction range).
struct RangeDigest {
  std::int64_t count = 0;
  std::string tid_checksum{};
  Tid max_tid{};
  std::string oid_checksum{};
  Oid max_oid{};
  bool operator==(const RangeDigest&) const = default;
};
RangeDigest digest_of(const protocol::AnswerCheckTIDRange& answer);
RangeDigest digest_of(const protocol::AnswerCheckSerialRange& answer);

// A replica that differs from the reference, and where: the first record
// that differs is in [min_tid, max_tid] (objects: from (min_tid, min_oid)).
struct Difference {
  NodeId nid{};
  NodeId reference{};
  bool objects = false;  // object records; else transaction records
  Tid min_tid{};
  Tid max_tid{};
  Oid min_oid{};
};

// A replica that could not be compared to the end.
struct Failure {
  NodeId nid{};
  std::string why{};
};

using CheckRequest = std::variant<protocol::AskCheckTIDRange, protocol::AskCheckSerialRange>;

class PartitionCheck {
 public:
  // `replicas`: the nodes holding a readable cell, in table order;
  // `reference`: one of them, or none.
  PartitionCheck(std::uint32_t partition, std::vector<NodeId> replicas,
                 std::optional<NodeId> reference, Tid min_tid, Tid max_tid,
                 std::int64_t length = kCheckCount);

  // True once nothing is left to ask: the end was reached, or fewer than 2
  // replicas (or no reference) are left to compare.
  bool done() const { return done_; }
  // True if the end was reached with at least 2 replicas still agreeing.
  bool complete() const { return complete_; }
  // The replicas still compared: the next request goes to each of them.
  const std::vector<NodeId>& participants() const { return participants_; }
  CheckRequest request() const;

  // The answers of every participant to request(), in participants()
  // order: a digest, or an error text (that replica leaves the check).
  // Another number of answers ends the check (incomplete).
  using Answer = std::variant<RangeDigest, std::string>;
  void feed(const std::vector<Answer>& answers);

  const std::vector<Difference>& differences() const { return differences_; }
  const std::vector<Failure>& failures() const { return failures_; }

 private:
  // Precondition: `digests` (of the participants) is not empty.
  RangeDigest pick_reference(const std::vector<RangeDigest>& digests, NodeId& reference) const;
  Tid range_end(const RangeDigest& a, const RangeDigest& b) const;
  void progress(const RangeDigest& agreed);

  std::int64_t partition_;
  std::vector<NodeId> participants_;
  std::optional<NodeId> reference_;
  Tid min_tid_, max_tid_;
  std::int64_t length_;
  Tid next_tid_;
  std::optional<Oid> next_oid_;  // set: object records
  bool done_ = false;
  bool complete_ = false;
  std::vector<Difference> differences_;
  std::vector<Failure> failures_;
};

}  // namespace neo::neoctl
