#include "cli/neoctl/replica_check.hpp"

#include <algorithm>
#include <utility>

namespace neo::neoctl {

RangeDigest digest_of(const protocol::AnswerCheckTIDRange& answer) {
  return {.count = answer.count,
          .tid_checksum = answer.tid_checksum,
          .max_tid = answer.max_tid,
          .oid_checksum = {},
          .max_oid = {}};
}

RangeDigest digest_of(const protocol::AnswerCheckSerialRange& answer) {
  return {.count = answer.count,
          .tid_checksum = answer.tid_checksum,
          .max_tid = answer.max_tid,
          .oid_checksum = answer.oid_checksum,
          .max_oid = answer.max_oid};
}

PartitionCheck::PartitionCheck(std::uint32_t partition, std::vector<NodeId> replicas,
                               std::optional<NodeId> reference, Tid min_tid, Tid max_tid,
                               std::int64_t length)
    : partition_(partition),
      participants_(std::move(replicas)),
      reference_(reference),
      min_tid_(min_tid),
      max_tid_(max_tid),
      length_(length),
      next_tid_(min_tid) {
  const bool has_reference = !reference_ || std::find(participants_.begin(), participants_.end(),
                                                      *reference_) != participants_.end();
  done_ = participants_.size() < 2 || !has_reference;
}

CheckRequest PartitionCheck::request() const {
  if (next_oid_) {
    return protocol::AskCheckSerialRange{.partition = partition_,
                                         .length = length_,
                                         .min_tid = next_tid_,
                                         .max_tid = max_tid_,
                                         .min_oid = *next_oid_};
  }
  return protocol::AskCheckTIDRange{
      .partition = partition_, .length = length_, .min_tid = next_tid_, .max_tid = max_tid_};
}

void PartitionCheck::feed(const std::vector<Answer>& answers) {
  if (done_) return;
  if (answers.size() != participants_.size()) {  // a caller's bug: stop rather than loop
    done_ = true;
    return;
  }
  // The replicas that failed leave first.
  std::vector<NodeId> answered;
  std::vector<RangeDigest> digests;
  for (std::size_t i = 0; i < answers.size(); ++i) {
    if (const auto* why = std::get_if<std::string>(&answers[i])) {
      failures_.push_back({.nid = participants_[i], .why = *why});
      if (participants_[i] == reference_) done_ = true;  // nothing to compare with
    } else {
      answered.push_back(participants_[i]);
      digests.push_back(std::get<RangeDigest>(answers[i]));
    }
  }
  participants_ = std::move(answered);
  if (done_ || participants_.size() < 2) {
    done_ = true;
    return;
  }
  // Then those that differ from the reference.
  NodeId reference{};
  const RangeDigest agreed = pick_reference(digests, reference);
  std::vector<NodeId> agreeing;
  for (std::size_t i = 0; i < digests.size(); ++i) {
    if (digests[i] == agreed) {
      agreeing.push_back(participants_[i]);
      continue;
    }
    differences_.push_back({.nid = participants_[i],
                            .reference = reference,
                            .objects = next_oid_.has_value(),
                            .min_tid = next_tid_,
                            .max_tid = range_end(agreed, digests[i]),
                            .min_oid = next_oid_.value_or(kZeroOid)});
  }
  participants_ = std::move(agreeing);
  if (participants_.size() < 2) {
    done_ = true;
    return;
  }
  progress(agreed);
}

// The reference's answer: the given node's, else the most common one (the
// first in table order among equals).
RangeDigest PartitionCheck::pick_reference(const std::vector<RangeDigest>& digests,
                                           NodeId& reference) const {
  std::size_t best = 0;
  std::ptrdiff_t best_count = 0;
  for (std::size_t i = 0; i < digests.size(); ++i) {
    if (reference_ && participants_[i] == *reference_) {
      best = i;
      break;
    }
    const std::ptrdiff_t count = std::count(digests.begin(), digests.end(), digests[i]);
    if (count > best_count) {
      best = i;
      best_count = count;
    }
  }
  reference = participants_[best];
  return digests[best];
}

// The last TID two differing answers can both cover: a full chunk ends at
// its last record, a partial one at max_tid.
Tid PartitionCheck::range_end(const RangeDigest& a, const RangeDigest& b) const {
  const Tid end_a = a.count >= length_ ? a.max_tid : max_tid_;
  const Tid end_b = b.count >= length_ ? b.max_tid : max_tid_;
  return std::min(end_a, end_b);
}

// The next range after an agreed answer, or the end (NEO/py's checkRange).
void PartitionCheck::progress(const RangeDigest& agreed) {
  if (next_oid_) {
    if (agreed.count < length_) {
      done_ = true;
      complete_ = true;
      return;
    }
    next_tid_ = agreed.max_tid;
    next_oid_ = Oid{agreed.max_oid.value + 1};
  } else if (agreed.count < length_) {
    next_tid_ = min_tid_;
    next_oid_ = kZeroOid;
  } else {
    next_tid_ = Tid{agreed.max_tid.value + 1};
  }
}

}  // namespace neo::neoctl
