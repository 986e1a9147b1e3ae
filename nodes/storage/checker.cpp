#include "nodes/storage/checker.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace neo::storage {

namespace {

Checker::Digest digest_of(const protocol::AnswerCheckTIDRange& a) {
  return {protocol::encode_args(a), a.count, a.max_tid, Oid{}};
}

Checker::Digest digest_of(const protocol::AnswerCheckSerialRange& a) {
  return {protocol::encode_args(a), a.count, a.max_tid, a.max_oid};
}

}  // namespace

Checker::Checker(StorageState& state, Host host, std::int64_t check_count)
    : state_(state), host_(std::move(host)), check_count_(check_count) {}

Checker::~Checker() { close_links(); }

std::optional<std::uint32_t> Checker::current() const {
  if (!job_) return std::nullopt;
  return static_cast<std::uint32_t>(job_->partition);
}

void Checker::check(const protocol::CheckPartition& p) {
  queue_.push_back(p);
  if (!job_) next_partition();
}

void Checker::reset() {
  queue_.clear();
  job_.reset();
  close_links();
}

void Checker::close_links() {
  std::vector<Link> links = std::move(links_);
  links_.clear();
  for (Link& link : links) link.peer->close({});
}

// Starts the next queued check that can start (NEO/py's _nextPartition).
void Checker::next_partition() {
  job_.reset();
  close_links();
  ++round_;
  while (!queue_.empty()) {
    protocol::CheckPartition job = queue_.front();
    queue_.pop_front();
    const std::string failure =
        job.partition < 0 ||
                job.partition >= static_cast<std::int64_t>(state_.pt().num_partitions())
            ? "invalid partition"
            : start_links(job, static_cast<std::uint32_t>(job.partition));
    if (failure.empty()) {
      job_ = job;
      return begin();
    }
    close_links();
    SPDLOG_ERROR("Failed to start checking partition {} ({})", job.partition, failure);
  }
}

std::string Checker::start_links(const protocol::CheckPartition& job, std::uint32_t partition) {
  const std::optional<NodeId> own = state_.nid();
  const pt::Cell* cell = own ? state_.pt().find_cell(partition, *own) : nullptr;
  if (!cell || cell->state == protocol::CellState::OutOfDate) return "discarded or out-of-date";
  source_local_ = false;
  source_peer_ = nullptr;
  local_active_ = true;
  const protocol::RequestIdentification request = host_.identification();
  for (const pt::Cell& replica : state_.pt().cells(partition, true)) {
    if (replica.nid == *own) continue;
    const node::Node* node = state_.nodes().by_nid(replica.nid);
    if (node && node->address()) open_link(*node->address(), replica.nid, request);
  }
  if (job.source.address) {
    const protocol::Address& address = *job.source.address;
    if (!job.source.upstream_name.empty()) {
      protocol::RequestIdentification anonymous = request;
      anonymous.nid.reset();
      anonymous.name = job.source.upstream_name;
      open_link(address, std::nullopt, anonymous);
      source_peer_ = links_.back().peer.get();
    } else {
      const node::Node* node = state_.nodes().by_address(address);
      const auto link = std::find_if(links_.begin(), links_.end(), [&](const Link& l) {
        return node && l.nid && l.nid == node->nid();
      });
      if (node && node->nid() == own) {
        source_local_ = true;
      } else if (link != links_.end()) {
        source_peer_ = link->peer.get();
      } else {
        return "unavailable source";
      }
    }
  }
  return links_.empty() ? "no replica" : "";
}

void Checker::open_link(const protocol::Address& address, std::optional<NodeId> nid,
                        const protocol::RequestIdentification& request) {
  // The answer names its link by the peer, known once open() returns.
  auto key = std::make_shared<const net::Peer*>(nullptr);
  Link link{.peer = nullptr, .nid = nid};
  link.peer = host_.open(address, request,
                         [alive = std::weak_ptr<int>(alive_), this, key](
                             Result<protocol::AcceptIdentification> answer, std::string_view) {
                           if (alive.expired()) return;
                           identified(*key, static_cast<bool>(answer));
                         });
  *key = link.peer.get();
  links_.push_back(std::move(link));
}

// Waits for the transactions being committed up to max_tid (NEO/py's
// start()), then asks the first range.
void Checker::begin() {
  SPDLOG_INFO("start checking partition {} from {} to {}", job_->partition,
              to_string(job_->min_tid), to_string(job_->max_tid));
  started_ = false;
  next_tid_ = job_->min_tid;
  next_oid_.reset();
  const std::uint64_t round = round_;
  auto start = [alive = std::weak_ptr<int>(alive_), this, round] {
    if (alive.expired() || round != round_) return true;
    if (state_.tm().is_locked_tid(job_->max_tid)) return false;
    started_ = true;
    next_range();
    return true;
  };
  if (!start()) state_.tm().queue_read(start);
}

// Asks the current range of every identified node and computes ours.
void Checker::next_range() {
  ++round_;
  local_.reset();
  for (Link& link : links_) {
    link.answer.reset();
    if (link.identified) ask(link);
  }
  if (!local_active_) return evaluate();
  Result<Digest> digest = local_digest();
  if (!digest)
    return host_.fatal("checking partition " + std::to_string(job_->partition) + ": " +
                       digest.error().message() + " " + state_.db().last_error());
  local_ = std::move(*digest);
  evaluate();
}

Result<Checker::Digest> Checker::local_digest() {
  const auto partition = static_cast<std::uint32_t>(job_->partition);
  const auto length = static_cast<std::uint64_t>(check_count_);
  if (next_oid_) {
    Result<SerialRangeCheck> r =
        state_.db().check_serial_range(partition, length, next_tid_, job_->max_tid, *next_oid_);
    if (!r) return r.error();
    return digest_of(protocol::AnswerCheckSerialRange{r->count, r->tid_checksum, r->max_tid,
                                                      r->oid_checksum, r->max_oid});
  }
  Result<TidRangeCheck> r =
      state_.db().check_tid_range(partition, length, next_tid_, job_->max_tid);
  if (!r) return r.error();
  return digest_of(protocol::AnswerCheckTIDRange{r->count, r->checksum, r->max_tid});
}

void Checker::ask(Link& link) {
  const net::Peer* key = link.peer.get();
  auto done = [alive = std::weak_ptr<int>(alive_), this, key, round = round_](
                  auto answer, std::string_view message) {
    if (alive.expired()) return;
    if (!answer) return answered(key, round, answer.error(), message);
    answered(key, round, digest_of(*answer), message);
  };
  if (next_oid_) {
    link.peer->ask(protocol::AskCheckSerialRange{job_->partition, check_count_, next_tid_,
                                                 job_->max_tid, *next_oid_},
                   net::AnswerCallback<protocol::AnswerCheckSerialRange>(done));
  } else {
    link.peer->ask(
        protocol::AskCheckTIDRange{job_->partition, check_count_, next_tid_, job_->max_tid},
        net::AnswerCallback<protocol::AnswerCheckTIDRange>(done));
  }
}

void Checker::identified(const net::Peer* peer, bool accepted) {
  Link* link = find(peer);
  if (!link) return;
  if (!accepted) return drop(peer, "identification refused");
  link->identified = true;
  if (started_) ask(*link);
}

void Checker::answered(const net::Peer* peer, std::uint64_t round, Result<Digest> digest,
                       std::string_view message) {
  Link* link = find(peer);
  if (!link || !job_) return;
  if (!digest) {
    SPDLOG_WARN("checking partition {}: {} answered {} {}", job_->partition, to_string(link->nid),
                digest.error().message(), message);
    return drop(peer, "error");
  }
  if (round != round_) {
    SPDLOG_INFO("ignored an answer to an old AskCheck*Range");
    return;
  }
  link->answer = std::move(*digest);
  evaluate();
}

// Once every node answered: go on if all agree, else report.
void Checker::evaluate() {
  if (!job_ || !started_ || (local_active_ && !local_) || participants() == 0) return;
  for (const Link& link : links_)
    if (!link.answer) return;
  const Digest& first = local_active_ ? *local_ : *links_.front().answer;
  const bool agree = std::all_of(links_.begin(), links_.end(),
                                 [&](const Link& link) { return *link.answer == first; });
  if (agree) return progress(first);
  report_mismatch();
}

// NEO/py's checkRange: the nodes that differ from the reference (all of
// them without one) leave the check and are reported to the master.
void Checker::report_mismatch() {
  std::optional<Digest> reference;
  if (source_local_) reference = local_;
  if (Link* source = find(source_peer_)) reference = source->answer;
  std::vector<NodeId> corrupted;
  if (local_active_ && local_ != reference) {
    corrupted.push_back(*state_.nid());
    local_active_ = false;
  }
  std::vector<Link> differing;
  for (auto it = links_.begin(); it != links_.end();) {
    if (it->answer != reference) {
      if (it->nid) corrupted.push_back(*it->nid);
      differing.push_back(std::move(*it));
      it = links_.erase(it);
    } else {
      ++it;
    }
  }
  for (Link& link : differing) link.peer->close({});
  const std::int64_t partition = job_->partition;
  host_.notify_master(protocol::NotifyPartitionCorrupted{partition, corrupted});
  if (participants() <= 1) {
    SPDLOG_WARN("check of partition {} aborted", partition);
    queue_.clear();
    return next_partition();
  }
  progress(*reference);
}

// The next range from the agreed answer, or the end of this partition.
void Checker::progress(const Digest& agreed) {
  if (next_oid_) {
    if (agreed.count < check_count_) {
      SPDLOG_INFO("partition {} checked from {} to {}", job_->partition, to_string(job_->min_tid),
                  to_string(job_->max_tid));
      return next_partition();
    }
    next_tid_ = agreed.max_tid;
    next_oid_ = Oid{agreed.max_oid.value + 1};
  } else if (agreed.count < check_count_) {
    next_tid_ = job_->min_tid;
    next_oid_ = Oid{0};
  } else {
    next_tid_ = Tid{agreed.max_tid.value + 1};
  }
  next_range();
}

void Checker::connection_lost(const net::Peer& peer) { drop(&peer, "connection lost"); }

// A node leaves the check (NEO/py's connectionLost); the check goes on with
// the others, unless that node was the reference or no one is left to
// compare with.
void Checker::drop(const net::Peer* peer, std::string_view why) {
  auto it = std::find_if(links_.begin(), links_.end(),
                         [&](const Link& link) { return link.peer.get() == peer; });
  if (it == links_.end() || !job_) return;
  Link link = std::move(*it);
  links_.erase(it);
  link.peer->close({});
  SPDLOG_WARN("checking partition {}: {} left the check ({})", job_->partition, to_string(link.nid),
              why);
  if (peer != source_peer_ && participants() > 1) {
    SPDLOG_WARN("node lost but keep up checking partition {}", job_->partition);
    return evaluate();
  }
  SPDLOG_WARN("check of partition {} aborted", job_->partition);
  next_partition();
}

Checker::Link* Checker::find(const net::Peer* peer) {
  if (!peer) return nullptr;
  for (Link& link : links_)
    if (link.peer.get() == peer) return &link;
  return nullptr;
}

}  // namespace neo::storage
