// ClientState: the primary master (identification, node list, partition
// table, invalidations, readiness) and the storage connections.
#include "nodes/client/client_state.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "core/net/dispatch.hpp"
#include "nodes/client/client_handlers.hpp"
#include "nodes/client/client_txn.hpp"

namespace neo::client {

using namespace protocol;

namespace {

// A storage that failed is asked last for this long (NEO/py: 10 minutes).
constexpr auto kFailedDelay = std::chrono::minutes(10);

}  // namespace

struct ClientState::StorageLink {
  std::shared_ptr<net::Peer> peer;
  bool identified = false;
  std::vector<std::function<void(std::shared_ptr<net::Peer>)>> waiting;
};

ClientState::ClientState(Config config, ClientEnv& env)
    : config_(std::move(config)),
      env_(env),
      // The node list's clock (unused by a client, which only applies the
      // master's lists) is the environment's: no real time here.
      nodes_(
          [this] { return std::chrono::duration<double>(env_.now().time_since_epoch()).count(); }),
      random_(config_.seed),
      cache_(config_.cache_bytes) {}

ClientState::~ClientState() = default;

void ClientState::shut_down() {
  shutting_down_ = true;
  for (const auto& [ttid, txn] : txns_) send_abort(*txn);
  txns_.clear();
  if (master_) master_->abort(make_error_code(errc::connection_closed));
  for (const auto& [nid, link] : std::map(storages_))
    link->peer->abort(make_error_code(errc::connection_closed));
}

// ---- Master -----------------------------------------------------------------

RequestIdentification ClientState::master_identification() const {
  RequestIdentification request{.node_type = NodeType::Client,
                                .nid = nid_,
                                .address = std::nullopt,
                                .name = config_.cluster,
                                .id_timestamp = std::nullopt,
                                .extra = {}};
  if (config_.read_only) request.extra.emplace_back("read_only", Value::boolean(true));
  return request;
}

void ClientState::master_identified(std::shared_ptr<net::Peer> master,
                                    const AcceptIdentification& accept) {
  master_ = std::move(master);
  nid_ = accept.your_nid;
  first_notification_ = true;
  master_->set_nid(accept.nid);
  const std::uint64_t epoch = master_epoch_;
  master_->ask(AskLastTransaction{},
               [this, epoch](Result<AnswerLastTransaction> answer, std::string_view) {
                 if (epoch != master_epoch_ || !answer) return;
                 // Invalidations were missed while disconnected.
                 if (last_tid_ && *last_tid_ != answer->tid) {
                   cache_.clear();
                   if (cache_reset_) cache_reset_(answer->tid);
                 }
                 last_tid_ = answer->tid;
                 last_tid_fresh_ = true;
                 check_ready();
               });
}

void ClientState::master_packet(net::Peer& peer, const Frame& frame) {
  PrimaryNotificationsHandler handler(*this);
  net::dispatch(handler, peer, frame);
}

bool ClientState::master_closed(const net::Peer& peer) {
  if (master_.get() != &peer || shutting_down_) return false;
  master_lost();
  return true;
}

void ClientState::refused(std::error_code code) {
  refused_ = code;
  for (Done& waiter : std::exchange(ready_waiters_, {})) waiter(code);
}

std::error_code ClientState::apply_nodes(const NotifyNodeInformation& notification) {
  node::NodeManager::ApplyOptions options{
      .own_nid = nid_,
      .full = std::exchange(first_notification_, false),
      .forget_storage = [this](NodeId nid) { return pt_.drop_node(nid); }};
  Result<node::NodeManager::Applied> applied =
      nodes_.apply(notification.timestamp, notification.node_list, options);
  if (!applied) return applied.error();
  if (applied->own_id_timestamp) id_timestamp_ = applied->own_id_timestamp;
  std::vector<NodeId> gone;
  for (const auto& [nid, link] : storages_) {
    const node::Node* node = nodes_.by_nid(nid);
    if (!node || !node->is_running()) gone.push_back(nid);
  }
  for (NodeId nid : gone) close_storage(nid);
  check_ready();
  return {};
}

std::error_code ClientState::load_partition_table(const SendPartitionTable& table) {
  if (std::error_code ec = pt_.load(table.ptid, table.num_replicas, table.row_list)) return ec;
  check_ready();
  return {};
}

std::error_code ClientState::change_partitions(const NotifyPartitionChanges& changes) {
  if (std::error_code ec = pt_.apply(changes.ptid, changes.num_replicas, changes.cell_list,
                                     pt::PartitionTable::PtidRule::Greater))
    return ec;
  check_ready();
  return {};
}

void ClientState::invalidate(const InvalidateObjects& invalidation) {
  for (Oid oid : invalidation.oid_list) invalidate_oid(oid, invalidation.tid);
  if (!last_tid_ || *last_tid_ < invalidation.tid) last_tid_ = invalidation.tid;
  if (invalidation_) invalidation_(invalidation.tid, invalidation.oid_list);
}

void ClientState::invalidate_oid(Oid oid, Tid tid) {
  cache_.invalidate(oid, tid);
  if (auto loading = loading_.find(oid); loading != loading_.end())
    loading->second.second.push_back(tid);
}

void ClientState::check_ready() {
  ready_ = master_ && last_tid_fresh_ && pt_.filled() &&
           pt_.operational([this](NodeId nid) { return nodes_.state_of(nid); });
  if (!ready_) return;
  for (Done& waiter : std::exchange(ready_waiters_, {})) waiter({});
}

void ClientState::when_ready(Done done) {
  if (refused_) return done(refused_);
  if (ready_) return done({});
  ready_waiters_.push_back(std::move(done));
}

void ClientState::master_lost() {
  master_.reset();
  // The next primary only knows the oids committed: it may hand out again
  // those the lost one gave us (as NEO/py's client, forget them).
  oids_.clear();
  ++master_epoch_;
  ready_ = false;
  last_tid_fresh_ = false;
  pt_.clear();
  nodes_.clear();
  for (const auto& [nid, link] : std::map(storages_)) close_storage(nid);
  for (const auto& [ttid, txn] : txns_)
    if (!txn->error) txn->error = make_error_code(errc::transaction_failed);
}

// ---- Storages ---------------------------------------------------------------

void ClientState::with_storage(NodeId nid, std::function<void(std::shared_ptr<net::Peer>)> fn) {
  if (auto it = storages_.find(nid); it != storages_.end()) {
    if (it->second->identified) return fn(it->second->peer);
    it->second->waiting.push_back(std::move(fn));
    return;
  }
  const node::Node* node = nodes_.by_nid(nid);
  if (!node || !node->is_running() || !node->address() || !nid_) return fn(nullptr);
  auto link = std::make_shared<StorageLink>();
  link->waiting.push_back(std::move(fn));
  link->peer = env_.connect_storage(nid, *node->address());
  if (!link->peer) {
    failed_[nid] = env_.now();
    for (auto& waiter : std::exchange(link->waiting, {})) waiter(nullptr);
    return;
  }
  storages_[nid] = link;
  const RequestIdentification request{.node_type = NodeType::Client,
                                      .nid = nid_,
                                      .address = std::nullopt,
                                      .name = config_.cluster,
                                      .id_timestamp = id_timestamp_,
                                      .extra = {}};
  link->peer->ask(request,
                  [this, nid, link](Result<AcceptIdentification> accept, std::string_view message) {
                    storage_identified(nid, link, std::move(accept), message);
                  });
}

void ClientState::storage_identified(NodeId nid, const std::shared_ptr<StorageLink>& link,
                                     Result<AcceptIdentification> accept,
                                     std::string_view message) {
  if (storages_.count(nid) == 0 || storages_[nid] != link) return;
  if (!accept || accept->node_type != NodeType::Storage || accept->nid != nid) {
    SPDLOG_WARN("storage {} refused this client: {} {}", to_string(nid),
                accept ? "not the expected node" : accept.error().message(), message);
    failed_[nid] = env_.now();
    return close_storage(nid);
  }
  link->identified = true;
  link->peer->set_nid(nid);
  for (auto& waiter : std::exchange(link->waiting, {})) waiter(link->peer);
}

void ClientState::storage_packet(NodeId nid, net::Peer& peer, const Frame& frame) {
  StorageEventHandler handler(*this, nid);
  net::dispatch(handler, peer, frame);
}

void ClientState::storage_closed(NodeId nid, const net::Peer& peer) {
  auto it = storages_.find(nid);
  if (it == storages_.end() || it->second->peer.get() != &peer) return;
  std::shared_ptr<StorageLink> link = it->second;
  storages_.erase(it);
  if (!shutting_down_) failed_[nid] = env_.now();
  for (auto& waiter : std::exchange(link->waiting, {})) waiter(nullptr);
}

void ClientState::close_storage(NodeId nid) {
  auto it = storages_.find(nid);
  if (it == storages_.end()) return;
  std::shared_ptr<StorageLink> link = it->second;
  storages_.erase(it);
  link->peer->close(make_error_code(errc::connection_closed));
  for (auto& waiter : std::exchange(link->waiting, {})) waiter(nullptr);
}

std::vector<NodeId> ClientState::read_cells(std::uint32_t offset) {
  std::vector<NodeId> good, failed;
  if (offset >= pt_.num_partitions()) return good;
  const auto now = env_.now();
  for (const pt::Cell& cell : pt_.row(offset)) {
    if (!cell.readable() || nodes_.state_of(cell.nid) != NodeState::Running) continue;
    auto it = failed_.find(cell.nid);
    (it != failed_.end() && now - it->second < kFailedDelay ? failed : good).push_back(cell.nid);
  }
  std::shuffle(good.begin(), good.end(), random_);
  good.insert(good.end(), failed.begin(), failed.end());
  return good;
}

}  // namespace neo::client
