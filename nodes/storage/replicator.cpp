#include "nodes/storage/replicator.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <utility>

#include "core/net/dispatch.hpp"
#include "core/util/record_data.hpp"

namespace neo::storage {

namespace {

constexpr double kRetryDelay = 1.0;  // seconds before retrying after a failure
const Tid kInvalidTid{~std::uint64_t{0}};

// The handler of our connection to a source: AddTransaction and AddObject
// (the answers go to the requests' callbacks).
class SourceHandler : public net::Handler {
 public:
  static constexpr std::string_view kName = "StorageOperationHandler";
  explicit SourceHandler(std::weak_ptr<Replicator*> owner) : owner_(std::move(owner)) {}
  void on_packet(net::Peer& peer, const protocol::Frame& frame) override {
    net::dispatch(*this, peer, frame);
  }
  void on_closed(net::Peer& peer, std::error_code) override {
    if (auto owner = owner_.lock()) (*owner)->source_closed(peer);
  }
  void on(net::Peer& peer, const protocol::AddTransaction& p) {
    if (auto owner = owner_.lock()) (*owner)->add_transaction(peer, p);
  }
  void on(net::Peer& peer, const protocol::AddObject& p) {
    if (auto owner = owner_.lock()) (*owner)->add_object(peer, p);
  }
  void on(net::Peer& peer, const protocol::Ping&) { peer.answer(protocol::Pong{}); }

 private:
  std::weak_ptr<Replicator*> owner_;
};

}  // namespace

Replicator::Replicator(StorageState& state, net::Scheduler& scheduler, Hooks hooks)
    : state_(state),
      hooks_(std::move(hooks)),
      random_(static_cast<std::uint64_t>(scheduler.unix_time() * 1e6)),
      tasks_(scheduler) {}

Replicator::~Replicator() {
  self_.reset();
  close_source();
}

bool Replicator::failed(const std::error_code& ec, const char* what) {
  if (!ec) return false;
  hooks_.fatal(std::string(what) + ": " + ec.message() + " " + state_.db().last_error());
  return true;
}

void Replicator::populate() {
  Result<std::vector<CellNextTid>> cells = state_.db().cell_next_tids();
  if (failed(cells ? std::error_code{} : cells.error(), "reading the cells' progress")) return;
  std::vector<std::uint32_t> outdated;
  for (const CellNextTid& cell : *cells) {
    Partition& p = partitions_[cell.partition];
    if (!cell.out_of_date) {  // in backup mode, where the next fetch begins
      p.next_trans = cell.next_trans.value_or(kZeroTid);
      p.next_obj = cell.next_obj.value_or(kZeroTid);
      continue;
    }
    outdated.push_back(cell.partition);
    p.next_trans = p.next_obj = cell.next_trans.value_or(kZeroTid);
    p.max_ttid = kInvalidTid;
  }
  if (!outdated.empty()) ask_unfinished(std::move(outdated));
}

void Replicator::start_operation(bool backup) {
  Database& db = state_.db();
  std::optional<Tid> tid;
  if (backup) {
    if (db.backup_tid()) return;
    Result<LastIds> last = db.last_ids();
    if (failed(last ? std::error_code{} : last.error(), "reading the last TID")) return;
    tid = last->tid.value_or(kZeroTid);
    SPDLOG_INFO("backup mode: backup_tid starts at {}", to_string(*tid));
  } else if (!db.backup_tid()) {
    return;
  }
  if (failed(db.set_backup_tid(tid), "recording the backup TID") || failed(db.commit(), "commit"))
    return;
  if (partitions_.empty()) return;  // populate() reads the rest
  Result<std::vector<CellNextTid>> cells = db.cell_next_tids();
  if (failed(cells ? std::error_code{} : cells.error(), "reading the cells' progress")) return;
  for (const CellNextTid& cell : *cells) {
    if (cell.out_of_date || !partitions_.count(cell.partition)) continue;
    Partition& p = partitions_[cell.partition];
    p.next_trans = cell.next_trans.value_or(kZeroTid);
    p.next_obj = cell.next_obj.value_or(kZeroTid);
  }
}

void Replicator::backup(const protocol::Replicate& order) {
  bool moved = false;
  for (const auto& [offset64, address] : order.source_dict) {
    const auto offset = static_cast<std::uint32_t>(offset64);
    auto it = partitions_.find(offset);
    if (offset64 < 0 || it == partitions_.end()) {
      SPDLOG_WARN("Replicate for partition {} that is not ours: ignored", offset64);
      continue;
    }
    if (address) {
      sources_[offset] = BackupSource{*address, order.upstream_name};
      replicate_[offset] = order.tid;
    } else if (offset != current_ && !replicate_.count(offset)) {
      // Nothing new up to order.tid (redundant orders are ignored while
      // replicating).
      it->second.next_trans = it->second.next_obj = Tid{order.tid.value + 1};
      moved = true;
    }
  }
  if (moved) update_backup_tid(true);
  if (!current_ && !retry_) next_partition();
}

// The backup TID: every readable own cell is complete up to it.
void Replicator::update_backup_tid(bool commit) {
  Database& db = state_.db();
  const std::optional<Tid> current = db.backup_tid();
  if (!current) return;
  std::set<std::uint32_t> outdated;
  if (state_.nid())
    for (std::uint32_t offset : state_.pt().outdated_partitions(*state_.nid()))
      outdated.insert(offset);
  Tid next = kInvalidTid;
  for (const auto& [offset, p] : partitions_)
    if (!outdated.count(offset)) next = std::min({next, p.next_trans, p.next_obj});
  const Tid tid = next == kZeroTid || next == kInvalidTid ? kZeroTid : Tid{next.value - 1};
  if (tid == *current) return;
  if (failed(db.set_backup_tid(tid), "recording the backup TID")) return;
  if (commit) failed(db.commit(), "commit");
}

void Replicator::stop_backup() {
  if (current_ && sources_.count(*current_) && !sources_.at(*current_).upstream.empty()) {
    SPDLOG_INFO("cancel replication of partition {} from the upstream", *current_);
    ++generation_;
    if (!commit_if_due()) return;
    msg_id_.reset();
    current_.reset();
    close_source();
  }
  for (auto it = replicate_.begin(); it != replicate_.end();) {
    auto source = sources_.find(it->first);
    if (source != sources_.end() && !source->second.upstream.empty()) {
      SPDLOG_INFO("cancel replication of partition {} from the upstream up to {}", it->first,
                  to_string(it->second));
      it = replicate_.erase(it);
    } else {
      ++it;
    }
  }
  if (!current_ && !retry_) next_partition();
}

void Replicator::ask_unfinished(std::vector<std::uint32_t> offsets) {
  state_.tm().replicating(offsets);
  if (!replicate_.empty() || current_) {
    total_ += offsets.size();
  } else {
    total_ = offsets.size();
    done_ = 0;
    bytes_ = objects_ = transactions_ = 0;
    started_ = tasks_.now();
  }
  net::Peer* master = hooks_.master();
  if (!master) return;
  protocol::AskUnfinishedTransactions ask;
  for (std::uint32_t offset : offsets) ask.offset_list.push_back(offset);
  SPDLOG_INFO("{} partition(s) to replicate: asking the master for unfinished transactions",
              offsets.size());
  master->ask(ask, [this, owner = std::weak_ptr<Replicator*>(self_), offsets](
                       Result<protocol::AnswerUnfinishedTransactions> answer, std::string_view) {
    if (owner.expired() || !answer) return;  // master lost: everything starts again
    set_unfinished(*answer, offsets);
  });
}

void Replicator::set_unfinished(const protocol::AnswerUnfinishedTransactions& answer,
                                const std::vector<std::uint32_t>& offsets) {
  std::optional<Tid> max_ttid;
  for (Tid ttid : answer.ttid_list) {
    ttids_.insert(ttid);
    if (!max_ttid || *max_ttid < ttid) max_ttid = ttid;
  }
  for (std::uint32_t offset : offsets) {
    auto it = partitions_.find(offset);
    if (it == partitions_.end()) continue;  // discarded meanwhile
    it->second.max_ttid = max_ttid;
    replicate_[offset] = answer.max_tid;
  }
  next_partition();
}

void Replicator::transaction_finished(Tid ttid, std::optional<Tid> max_tid) {
  if (!ttids_.erase(ttid)) return;
  const Tid min_ttid = ttids_.empty() ? kInvalidTid : *ttids_.begin();
  for (auto& [offset, p] : partitions_) {
    if (!p.max_ttid) continue;
    if (max_tid) replicate_[offset] = *max_tid;
    if (*p.max_ttid < min_ttid) {
      if (offset != current_ && !replicate_.count(offset)) {
        // Every transaction it waited for was aborted: complete as it is.
        if (failed(state_.tm().replicated(offset, *p.max_ttid), "notifying a replication")) return;
      }
      p.max_ttid.reset();
    }
  }
  next_partition();
}

void Replicator::partition_changes(std::span<const protocol::CellChange> cells) {
  const std::optional<NodeId> own = state_.nid();
  bool abort_current = false;
  std::vector<std::uint32_t> added, discarded, readable;
  for (const protocol::CellChange& cell : cells) {
    if (cell.nid != own) continue;
    if (cell.state == CellState::Discarded || cell.state == CellState::Corrupted) {
      if (!partitions_.erase(cell.offset)) continue;
      replicate_.erase(cell.offset);
      sources_.erase(cell.offset);
      abort_current = abort_current || current_ == cell.offset;
      discarded.push_back(cell.offset);
    } else if (cell.state == CellState::OutOfDate) {
      partitions_[cell.offset] = Partition{kZeroTid, kZeroTid, kInvalidTid};
      added.push_back(cell.offset);
    } else {
      readable.push_back(cell.offset);
    }
  }
  if (!readable.empty()) state_.tm().readable(readable);
  if (!discarded.empty() && failed(state_.tm().discarded(discarded), "discarding partitions"))
    return;
  if (!added.empty()) ask_unfinished(std::move(added));
  if (abort_current) abort("partition discarded", Failure::None);
  if (!current_ && !retry_) next_partition();  // a source may have become readable
}

void Replicator::nodes_changed() {
  if (!current_ && !retry_) next_partition();
}

void Replicator::next_partition() {
  if (current_ || retry_) return;
  // Nothing to fetch now: the source is left at once. A NEO/py storage takes
  // one connection per storage node and refuses another one ("already
  // connected"), such as our Checker's, while this one is open.
  if (replicate_.empty()) {
    close_source();
    return;
  }
  const auto key = [this](std::uint32_t offset) {
    const Partition& p = partitions_.at(offset);
    return std::make_pair(p.next_obj, p.max_ttid.has_value());
  };
  std::uint32_t offset = replicate_.begin()->first;
  for (const auto& [candidate, tid] : replicate_)
    if (key(candidate) < key(offset)) offset = candidate;
  if (auto it = sources_.find(offset); it != sources_.end()) {
    // Backup mode: the master said where from.
    const BackupSource source = it->second;
    std::optional<NodeId> nid;
    if (source.upstream.empty()) {
      const node::Node* node = state_.nodes().by_address(source.address);
      if (!node || !node->nid() || node->nid() == state_.nid()) {
        SPDLOG_WARN("partition {}: no storage of ours at {}:{} to replicate from: order dropped",
                    offset, source.address.host, source.address.port);
        replicate_.erase(offset);
        return next_partition();
      }
      nid = node->nid();
    }
    current_ = offset;
    if (source_.peer && !source_.peer->closed() && source_.address == source.address &&
        source_.nid == nid) {
      if (source_.identified) fetch_transactions(std::nullopt);
      return;
    }
    return connect(nid, source.address, source.upstream);
  }
  // A readable cell of a running storage other than us.
  std::vector<std::pair<NodeId, protocol::Address>> sources;
  for (const pt::Cell& cell : state_.pt().cells(offset, true)) {
    const node::Node* node = state_.nodes().by_nid(cell.nid);
    if (cell.nid != state_.nid() && node && node->is_running() && node->address())
      sources.emplace_back(cell.nid, *node->address());
  }
  if (sources.empty()) {
    SPDLOG_WARN("no running readable cell to replicate partition {} from: waiting", offset);
    return;
  }
  const auto& [nid, address] = sources[random_() % sources.size()];
  current_ = offset;
  if (source_.peer && !source_.peer->closed() && source_.nid == nid) {
    if (source_.identified) fetch_transactions(std::nullopt);
    return;  // else fetched once identified
  }
  connect(nid, address, "");
}

// `upstream` empty: one of our storages (`nid`); else a storage of that
// upstream cluster, to which we connect anonymously.
void Replicator::connect(std::optional<NodeId> nid, const protocol::Address& address,
                         const std::string& upstream) {
  close_source();
  source_ =
      Source{nid, hooks_.connect(address, std::make_shared<SourceHandler>(self_)), false, address};
  if (!source_.peer)
    return abort("cannot connect to " + address.host + ":" + std::to_string(address.port),
                 Failure::Connection);
  if (nid) source_.peer->set_nid(*nid);
  const node::Node* self = state_.nid() ? state_.nodes().by_nid(*state_.nid()) : nullptr;
  protocol::RequestIdentification request{.node_type = protocol::NodeType::Storage,
                                          .nid = upstream.empty() ? state_.nid() : std::nullopt,
                                          .address = hooks_.server(),
                                          .name = upstream.empty() ? state_.cluster() : upstream,
                                          .id_timestamp = self ? self->id_timestamp : std::nullopt};
  source_.peer->ask(request,
                    [this, owner = std::weak_ptr<Replicator*>(self_),
                     peer = std::weak_ptr<net::Peer>(source_.peer)](
                        Result<protocol::AcceptIdentification> answer, std::string_view message) {
                      auto alive = peer.lock();
                      if (owner.expired() || !alive || alive != source_.peer) return;
                      if (!answer) {
                        SPDLOG_WARN("{} refused our identification: {} {}", alive->describe(),
                                    answer.error().message(), message);
                        return abort("identification refused", Failure::Connection);
                      }
                      source_.identified = true;
                      if (current_) fetch_transactions(std::nullopt);
                    });
}

void Replicator::close_source() {
  std::shared_ptr<net::Peer> peer = std::move(source_.peer);
  source_ = Source{};
  if (peer) peer->close({});
}

void Replicator::source_closed(net::Peer& peer) {
  if (source_.peer.get() != &peer) return;
  source_ = Source{};
  if (current_) abort("connection to the source lost", Failure::Connection);
}

bool Replicator::current_request(const net::Peer& peer, std::uint32_t msg_id) const {
  return current_ && msg_id_ == msg_id && source_.peer.get() == &peer;
}

void Replicator::abort(const std::string& message, Failure failure) {
  ++generation_;
  if (!commit_if_due()) return;
  msg_id_.reset();
  if (!current_) return;
  const std::uint32_t offset = *current_;
  const Tid tid = replicate_tid_;  // next_partition() may start another partition
  current_.reset();
  SPDLOG_WARN("replication aborted for partition {} ({})", offset, message);
  const bool again = partitions_.count(offset) && !replicate_.count(offset);
  if (failure == Failure::Connection) close_source();
  if (failure == Failure::Source && again && !replicate_.empty()) {
    next_partition();  // another partition first, as NEO/py
    replicate_[offset] = tid;
    return;
  }
  if (again) replicate_[offset] = tid;
  if (failure == Failure::None) return next_partition();
  retry_ = tasks_.call_later(kRetryDelay, [this] {
    retry_ = 0;
    next_partition();
  });
}

void Replicator::stop() {
  ++generation_;
  commit_if_due();
  if (current_) SPDLOG_INFO("cancel replication of partition {}", *current_);
  close_source();
  if (retry_) tasks_.cancel(std::exchange(retry_, 0));
  partitions_.clear();
  replicate_.clear();
  sources_.clear();
  ttids_.clear();
  current_.reset();
  msg_id_.reset();
  self_ = std::make_shared<Replicator*>(this);  // pending callbacks are stale
}

std::vector<std::string> Replicator::dump() const {
  std::vector<std::string> lines{"Replicator:"};
  if (current_)
    lines.push_back("  replicating partition " + std::to_string(*current_) + " from " +
                    to_string(source_.nid) + " up to " + to_string(replicate_tid_));
  for (const auto& [offset, tid] : replicate_)
    lines.push_back("  to replicate: partition " + std::to_string(offset) + " up to " +
                    to_string(tid));
  lines.push_back("  unfinished transactions: " + std::to_string(ttids_.size()));
  return lines;
}

}  // namespace neo::storage
