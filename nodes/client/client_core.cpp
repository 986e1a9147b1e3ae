#include "nodes/client/client_core.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>
#include <asio/post.hpp>
#include <future>

#include "core/net/tls.hpp"
#include "core/util/record_data.hpp"
#include "nodes/client/client_txn.hpp"

namespace neo::client {

using namespace protocol;
using Clock = std::chrono::steady_clock;

namespace {

// A storage that failed is asked last for this long (NEO/py: 10 minutes).
constexpr auto kFailedDelay = std::chrono::minutes(10);
// Rounds of "every readable cell failed: barrier, then try again".
constexpr int kReadRounds = 3;
constexpr std::int64_t kInvalidPartition = 0xffffffff;

// Forwards a connection's events to the client's functions.
class CallbackHandler final : public net::Handler {
 public:
  using PacketFn = std::function<void(net::Peer&, const Frame&)>;
  using ClosedFn = std::function<void(net::Peer&, std::error_code)>;
  CallbackHandler(PacketFn on_packet, ClosedFn on_closed)
      : packet_(std::move(on_packet)), closed_(std::move(on_closed)) {}
  void on_packet(net::Peer& peer, const Frame& frame) override { packet_(peer, frame); }
  void on_closed(net::Peer& peer, std::error_code reason) override { closed_(peer, reason); }

 private:
  PacketFn packet_;
  ClosedFn closed_;
};

// Decodes a notification; a malformed one gets NEO's protocol error.
template <class P>
std::optional<P> decode(net::Peer& peer, const Frame& frame) {
  Result<P> packet = decode_args<P>(frame.args);
  if (packet) return std::move(*packet);
  const std::string message = "invalid " + std::string(P::kName) + ": " + packet.error().message();
  SPDLOG_ERROR("{}: {}", peer.describe(), message);
  peer.answer_error(errc::protocol_error, message);
  peer.abort(make_error_code(errc::protocol_error));
  return std::nullopt;
}

bool retry_elsewhere(std::error_code ec) {
  return ec == errc::connection_closed || ec == errc::non_readable_cell || ec == errc::not_ready ||
         ec == errc::wrong_checksum;
}

}  // namespace

struct Client::Core::Io {
  asio::io_context context;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> guard{
      context.get_executor()};
  std::promise<void> exited;
};

struct Client::Core::StorageLink {
  std::shared_ptr<net::Connection> connection;
  bool identified = false;
  std::vector<std::function<void(std::shared_ptr<net::Connection>)>> waiting;
};

template <class P>
struct Client::Core::ReadAttempt {
  using Answer = typename P::Answer;
  std::uint32_t offset;
  P packet;
  std::function<void(Result<Answer>)> reply;
  std::function<std::error_code(const Answer&)> check;
  std::vector<NodeId> cells;
  std::size_t next = 0;
  int round = 0;
  std::error_code last = make_error_code(errc::not_ready);
};

// ---- Lifecycle --------------------------------------------------------------

Client::Core::Core(Options options)
    : options_(std::move(options)), io_(std::make_unique<Io>()), cache_(options_.cache_bytes) {}

Client::Core::~Core() { stop(); }

std::error_code Client::Core::start() {
  if (options_.masters.empty() || options_.cluster.empty())
    return make_error_code(errc::invalid_argument);
  for (const std::string& text : options_.masters) {
    Result<net::Address> address = net::parse_address(text);
    if (!address) return address.error();
    masters_.push_back(*address);
  }
  if (!options_.ca.empty() || !options_.cert.empty() || !options_.key.empty()) {
    auto tls = net::TlsContext::load({options_.ca, options_.cert, options_.key});
    if (!tls) return tls.error();
    connection_.tls = *tls;
  }
  thread_ = std::thread([io = io_.get()] {
    io->context.run();
    io->exited.set_value();
  });
  post([this] { find_master(); });
  return {};
}

bool Client::Core::post(std::function<void()> fn) {
  if (stopped_) return false;
  asio::post(io_->context, std::move(fn));
  return true;
}

void Client::Core::stop() {
  if (!thread_.joinable()) return;
  std::future<void> exited = io_->exited.get_future();
  post([this] {
    shutting_down_ = true;
    for (const auto& [ttid, txn] : txns_) send_abort(*txn);
    txns_.clear();
    if (bootstrap_) bootstrap_->cancel();
    bootstrap_.reset();
    if (master_) master_->abort(make_error_code(errc::connection_closed));
    for (const auto& [nid, link] : std::map(storages_))
      link->connection->abort(make_error_code(errc::connection_closed));
    io_->guard.reset();  // run() returns once the aborts are flushed
  });
  stopped_ = true;
  if (exited.wait_for(std::chrono::seconds(2)) != std::future_status::ready) io_->context.stop();
  thread_.join();
}

// ---- Master -----------------------------------------------------------------

RequestIdentification Client::Core::identification(std::optional<double> id_timestamp) const {
  return RequestIdentification{.node_type = NodeType::Client,
                               .nid = nid_,
                               .address = std::nullopt,
                               .name = options_.cluster,
                               .id_timestamp = id_timestamp,
                               .extra = {}};
}

void Client::Core::find_master() {
  if (shutting_down_ || bootstrap_ || master_) return;
  cluster::Bootstrap::Options options;
  options.masters = masters_;
  options.connection = connection_;
  options.request = [this] {
    RequestIdentification request = identification(std::nullopt);
    if (options_.read_only) request.extra.emplace_back("read_only", Value::boolean(true));
    return request;
  };
  bootstrap_ = cluster::Bootstrap::start(
      io_->context, std::move(options),
      [this](cluster::Bootstrap::Identified identified) {
        this->identified(std::move(identified));
      },
      [this](std::error_code code, std::string message) {
        SPDLOG_ERROR("the primary master refused this client: {} ({})", message, code.message());
        bootstrap_.reset();
        refused_ = code;
        for (Done& waiter : std::exchange(ready_waiters_, {})) waiter(code);
      });
}

void Client::Core::identified(cluster::Bootstrap::Identified identified) {
  bootstrap_.reset();
  master_ = identified.connection;
  nid_ = identified.accept.your_nid;
  first_notification_ = true;
  master_->set_nid(identified.accept.nid);
  const std::uint64_t epoch = master_epoch_;
  master_->set_handler(std::make_shared<CallbackHandler>(
      [this](net::Peer& peer, const Frame& frame) { master_packet(peer, frame); },
      [this, epoch](net::Peer& peer, std::error_code reason) {
        if (epoch != master_epoch_ || shutting_down_) return;
        SPDLOG_WARN("{}: connection to the primary master lost ({})", peer.describe(),
                    reason.message());
        master_lost();
      }));
  SPDLOG_INFO("connected to the primary master {} at {} as {}", to_string(identified.accept.nid),
              net::to_string(identified.master), to_string(nid_));
  master_->ask(AskLastTransaction{},
               [this, epoch](Result<AnswerLastTransaction> answer, std::string_view) {
                 if (epoch != master_epoch_ || !answer) return;
                 // Invalidations were missed while disconnected.
                 if (last_tid_ && *last_tid_ != answer->tid) cache_.clear();
                 last_tid_ = answer->tid;
                 last_tid_fresh_ = true;
                 check_ready();
               });
}

void Client::Core::master_packet(net::Peer& peer, const Frame& frame) {
  switch (frame.code) {
    case NotifyNodeInformation::kCode:
      if (auto packet = decode<NotifyNodeInformation>(peer, frame)) node_information(*packet);
      return;
    case SendPartitionTable::kCode:
      if (auto packet = decode<SendPartitionTable>(peer, frame)) {
        if (std::error_code ec = pt_.load(packet->ptid, packet->num_replicas, packet->row_list))
          return peer.abort(ec);
        check_ready();
      }
      return;
    case NotifyPartitionChanges::kCode:
      if (auto packet = decode<NotifyPartitionChanges>(peer, frame)) {
        if (std::error_code ec = pt_.apply(packet->ptid, packet->num_replicas, packet->cell_list,
                                           pt::PartitionTable::PtidRule::Greater))
          return peer.abort(ec);
        check_ready();
      }
      return;
    case InvalidateObjects::kCode:
      if (auto packet = decode<InvalidateObjects>(peer, frame)) invalidate(*packet);
      return;
    case NotifyClusterInformation::kCode:
      return;
    case Ping::kCode:
      return peer.answer(Pong{});
    case Error::kCode:
      SPDLOG_WARN("{}: Error packet from the master", peer.describe());
      return;
    default:
      peer.reject_unexpected(frame);
  }
}

void Client::Core::node_information(const NotifyNodeInformation& notification) {
  node::NodeManager::ApplyOptions options{
      .own_nid = nid_,
      .full = std::exchange(first_notification_, false),
      .forget_storage = [this](NodeId nid) { return pt_.drop_node(nid); }};
  Result<node::NodeManager::Applied> applied =
      nodes_.apply(notification.timestamp, notification.node_list, options);
  if (!applied) {
    SPDLOG_ERROR("invalid NotifyNodeInformation from the master: {}", applied.error().message());
    return master_->abort(applied.error());
  }
  if (applied->own_id_timestamp) id_timestamp_ = applied->own_id_timestamp;
  std::vector<NodeId> gone;
  for (const auto& [nid, link] : storages_) {
    const node::Node* node = nodes_.by_nid(nid);
    if (!node || !node->is_running()) gone.push_back(nid);
  }
  for (NodeId nid : gone) close_storage(nid);
  check_ready();
}

void Client::Core::invalidate(const InvalidateObjects& invalidation) {
  for (Oid oid : invalidation.oid_list) invalidate_oid(oid, invalidation.tid);
  if (!last_tid_ || *last_tid_ < invalidation.tid) last_tid_ = invalidation.tid;
  if (invalidation_) invalidation_(invalidation.tid, invalidation.oid_list);
}

void Client::Core::invalidate_oid(Oid oid, Tid tid) {
  cache_.invalidate(oid, tid);
  if (auto loading = loading_.find(oid); loading != loading_.end())
    loading->second.second.push_back(tid);
}

void Client::Core::check_ready() {
  ready_ = master_ && last_tid_fresh_ && pt_.filled() &&
           pt_.operational([this](NodeId nid) { return nodes_.state_of(nid); });
  if (!ready_) return;
  for (Done& waiter : std::exchange(ready_waiters_, {})) waiter({});
}

void Client::Core::when_ready(Done done) {
  if (refused_) return done(refused_);
  if (ready_) return done({});
  ready_waiters_.push_back(std::move(done));
}

void Client::Core::master_lost() {
  master_.reset();
  ++master_epoch_;
  ready_ = false;
  last_tid_fresh_ = false;
  pt_.clear();
  nodes_.clear();
  for (const auto& [nid, link] : std::map(storages_)) close_storage(nid);
  for (const auto& [ttid, txn] : txns_)
    if (!txn->error) txn->error = make_error_code(errc::transaction_failed);
  find_master();
}

// ---- Storages ---------------------------------------------------------------

void Client::Core::with_storage(NodeId nid,
                                std::function<void(std::shared_ptr<net::Connection>)> fn) {
  if (auto it = storages_.find(nid); it != storages_.end()) {
    if (it->second->identified) return fn(it->second->connection);
    it->second->waiting.push_back(std::move(fn));
    return;
  }
  const node::Node* node = nodes_.by_nid(nid);
  if (!node || !node->is_running() || !node->address() || !nid_) return fn(nullptr);
  auto link = std::make_shared<StorageLink>();
  link->waiting.push_back(std::move(fn));
  auto handler = std::make_shared<CallbackHandler>(
      [this, nid](net::Peer& peer, const Frame& frame) { storage_packet(nid, peer, frame); },
      [this, nid](net::Peer& peer, std::error_code) { storage_lost(nid, &peer); });
  link->connection = net::Connection::connect(
      io_->context, net::Address{node->address()->host, node->address()->port}, handler,
      connection_);
  storages_[nid] = link;
  link->connection->ask(
      identification(id_timestamp_),
      [this, nid, link](Result<AcceptIdentification> accept, std::string_view message) {
        if (storages_.count(nid) == 0 || storages_[nid] != link) return;
        if (!accept || accept->node_type != NodeType::Storage || accept->nid != nid) {
          SPDLOG_WARN("storage {} refused this client: {} {}", to_string(nid),
                      accept ? "not the expected node" : accept.error().message(), message);
          failed_[nid] = Clock::now();
          return close_storage(nid);
        }
        link->identified = true;
        link->connection->set_nid(nid);
        for (auto& waiter : std::exchange(link->waiting, {})) waiter(link->connection);
      });
}

void Client::Core::storage_packet(NodeId nid, net::Peer& peer, const Frame& frame) {
  switch (frame.code) {
    case NotifyDeadlock::kCode:
      if (auto packet = decode<NotifyDeadlock>(peer, frame)) deadlock(nid, peer, *packet);
      return;
    case Ping::kCode:
      return peer.answer(Pong{});
    default:
      peer.reject_unexpected(frame);
  }
}

void Client::Core::storage_lost(NodeId nid, const net::Peer* peer) {
  auto it = storages_.find(nid);
  if (it == storages_.end() || it->second->connection.get() != peer) return;
  std::shared_ptr<StorageLink> link = it->second;
  storages_.erase(it);
  if (!shutting_down_) failed_[nid] = Clock::now();
  for (auto& waiter : std::exchange(link->waiting, {})) waiter(nullptr);
}

void Client::Core::close_storage(NodeId nid) {
  auto it = storages_.find(nid);
  if (it == storages_.end()) return;
  std::shared_ptr<StorageLink> link = it->second;
  storages_.erase(it);
  link->connection->close(make_error_code(errc::connection_closed));
  for (auto& waiter : std::exchange(link->waiting, {})) waiter(nullptr);
}

std::vector<NodeId> Client::Core::read_cells(std::uint32_t offset) {
  std::vector<NodeId> good, failed;
  if (offset >= pt_.num_partitions()) return good;
  const auto now = Clock::now();
  for (const pt::Cell& cell : pt_.row(offset)) {
    if (!cell.readable() || nodes_.state_of(cell.nid) != NodeState::Running) continue;
    auto it = failed_.find(cell.nid);
    (it != failed_.end() && now - it->second < kFailedDelay ? failed : good).push_back(cell.nid);
  }
  std::shuffle(good.begin(), good.end(), random_);
  good.insert(good.end(), failed.begin(), failed.end());
  return good;
}

template <class P>
void Client::Core::ask_read(std::uint32_t offset, P packet,
                            std::function<void(Result<typename P::Answer>)> reply,
                            std::function<std::error_code(const typename P::Answer&)> check) {
  auto attempt = std::make_shared<ReadAttempt<P>>(ReadAttempt<P>{
      offset, std::move(packet), std::move(reply), std::move(check), read_cells(offset)});
  read_next(std::move(attempt));
}

template <class P>
void Client::Core::read_next(std::shared_ptr<ReadAttempt<P>> attempt) {
  using A = typename P::Answer;
  if (attempt->next == attempt->cells.size()) {
    if (++attempt->round >= kReadRounds) return attempt->reply(attempt->last);
    // Every cell failed: the partition table may be late. Barrier, then again.
    return sync([this, attempt](std::error_code ec) {
      if (ec) return attempt->reply(ec);
      attempt->cells = read_cells(attempt->offset);
      attempt->next = 0;
      read_next(attempt);
    });
  }
  const NodeId nid = attempt->cells[attempt->next++];
  with_storage(nid, [this, attempt, nid](std::shared_ptr<net::Connection> connection) {
    if (!connection) {
      attempt->last = make_error_code(errc::connection_closed);
      return read_next(attempt);
    }
    connection->ask(attempt->packet, [this, attempt, nid](Result<A> answer, std::string_view) {
      std::error_code ec = answer ? std::error_code{} : answer.error();
      if (!ec && attempt->check) ec = attempt->check(*answer);
      if (ec && retry_elsewhere(ec)) {
        SPDLOG_DEBUG("read from {} failed ({}): trying another cell", to_string(nid), ec.message());
        attempt->last = ec;
        return read_next(attempt);
      }
      attempt->reply(std::move(answer));
    });
  });
}

template void Client::Core::ask_read<AskTransactionInformation>(
    std::uint32_t, AskTransactionInformation,
    std::function<void(Result<AnswerTransactionInformation>)>,
    std::function<std::error_code(const AnswerTransactionInformation&)>);
template void Client::Core::ask_read<AskObjectUndoSerial>(
    std::uint32_t, AskObjectUndoSerial, std::function<void(Result<AnswerObjectUndoSerial>)>,
    std::function<std::error_code(const AnswerObjectUndoSerial&)>);
template void Client::Core::ask_read<AskFinalTID>(
    std::uint32_t, AskFinalTID, std::function<void(Result<AnswerFinalTID>)>,
    std::function<std::error_code(const AnswerFinalTID&)>);

// ---- Reads ------------------------------------------------------------------

void Client::Core::load(Oid oid, std::optional<Tid> at, std::optional<Tid> before,
                        Reply<Record> reply) {
  const Tid known{last_tid_->value + 1};  // the first TID this client does not know
  const Cache::Entry* entry = at       ? cache_.at(oid, *at)
                              : before ? cache_.before(oid, *before, known)
                                       : cache_.current(oid);
  if (entry) {
    ++hits_;
    return reply(Record{entry->data, entry->serial, entry->next_serial});
  }
  ++misses_;
  if (!at && !before) before = known;
  ++loading_[oid].first;
  ask_read(
      pt_.partition_of(oid), AskObject{oid, at, before},
      [this, oid, reply](Result<AnswerObject> answer) {
        load_answer(oid, std::move(answer), reply);
      },
      [](const AnswerObject& answer) {
        return is_no_data(answer.data, answer.checksum) || sha1(answer.data) == answer.checksum
                   ? std::error_code{}
                   : make_error_code(errc::wrong_checksum);
      });
}

void Client::Core::load_answer(Oid oid, Result<AnswerObject> answer, Reply<Record> reply) {
  std::vector<Tid> invalidations;
  if (auto loading = loading_.find(oid); loading != loading_.end()) {
    invalidations = loading->second.second;
    if (--loading->second.first == 0) loading_.erase(loading);
  }
  if (!answer) return reply(answer.error());
  if (!answer->compression || is_no_data(answer->data, answer->checksum))
    return reply(make_error_code(errc::no_data));
  Result<std::string> data = decompress(*answer->compression, answer->data);
  if (!data) return reply(data.error());
  std::optional<Tid> next = answer->next_serial;
  // An invalidation that arrived while the load was on its way ends it.
  for (Tid tid : invalidations)
    if (answer->serial < tid && (!next || tid < *next)) next = tid;
  cache_.store(oid, answer->serial, next, *data);
  reply(Record{std::move(*data), answer->serial, next});
}

void Client::Core::new_oid(Reply<Oid> reply) {
  if (!oids_.empty()) {
    reply(oids_.front());
    oids_.pop_front();
    return;
  }
  oid_waiters_.push_back(std::move(reply));
  if (oid_waiters_.size() > 1) return;  // already asked
  master_->ask(AskNewOIDs{100}, [this](Result<AnswerNewOIDs> answer, std::string_view) {
    auto waiters = std::exchange(oid_waiters_, {});
    if (answer) oids_.insert(oids_.end(), answer->oid_list.begin(), answer->oid_list.end());
    for (auto& waiter : waiters) {
      if (!answer)
        waiter(answer.error());
      else
        new_oid(std::move(waiter));
    }
  });
}

void Client::Core::last_transaction(Reply<Tid> reply) {
  master_->ask(AskLastTransaction{},
               [reply](Result<AnswerLastTransaction> answer, std::string_view) {
                 reply(answer ? Result<Tid>(answer->tid) : Result<Tid>(answer.error()));
               });
}

void Client::Core::sync(Done done) {
  when_ready([this, done](std::error_code ec) {
    if (ec) return done(ec);
    master_->ask(Ping{}, [done](Result<Pong> answer, std::string_view) {
      done(answer ? std::error_code{} : answer.error());
    });
  });
}

void Client::Core::history(Oid oid, std::size_t size, Reply<std::vector<HistoryEntry>> reply) {
  ask_read(pt_.partition_of(oid), AskObjectHistory{oid, 0, static_cast<std::int64_t>(size)},
           [reply](Result<AnswerObjectHistory> answer) {
             if (!answer) return reply(answer.error());
             std::vector<HistoryEntry> entries;
             for (const auto& entry : answer->history_list)
               entries.push_back({entry.serial, entry.size});
             reply(std::move(entries));
           });
}

void Client::Core::undo_log(std::size_t first, std::size_t last,
                            Reply<std::vector<TransactionInfo>> reply) {
  if (first >= last) return reply(std::vector<TransactionInfo>{});
  std::vector<NodeId> nids;
  for (NodeId nid : pt_.node_set(true))
    if (nodes_.state_of(nid) == NodeState::Running) nids.push_back(nid);
  auto tids = std::make_shared<std::set<Tid, std::greater<>>>();
  auto gather = Gather::make(nids.size(), [this, tids, first, last, reply](std::error_code ec) {
    if (ec) return reply(ec);
    std::vector<Tid> newest(tids->begin(), tids->end());
    if (newest.size() > last - first) newest.resize(last - first);
    transaction_infos(std::move(newest), reply);
  });
  const AskTIDs packet{static_cast<std::int64_t>(first), static_cast<std::int64_t>(last),
                       kInvalidPartition};
  for (NodeId nid : nids) {
    with_storage(nid, [gather, tids, packet](std::shared_ptr<net::Connection> connection) {
      if (!connection) return gather->part_done(make_error_code(errc::connection_closed));
      connection->ask(packet, [gather, tids](Result<AnswerTIDs> answer, std::string_view) {
        if (answer) tids->insert(answer->tid_list.begin(), answer->tid_list.end());
        gather->part_done(answer ? std::error_code{} : answer.error());
      });
    });
  }
}

void Client::Core::transactions(Tid start, Tid stop, std::size_t limit,
                                Reply<std::vector<TransactionInfo>> reply) {
  auto tids = std::make_shared<std::set<Tid>>();
  const std::uint32_t partitions = pt_.num_partitions();
  auto gather = Gather::make(partitions, [this, tids, limit, reply](std::error_code ec) {
    if (ec) return reply(ec);
    std::vector<Tid> oldest(tids->begin(), tids->end());
    if (oldest.size() > limit) oldest.resize(limit);
    transaction_infos(std::move(oldest), reply);
  });
  for (std::uint32_t offset = 0; offset < partitions; ++offset) {
    ask_read(offset, AskTIDsFrom{start, stop, static_cast<std::int64_t>(limit), offset},
             [gather, tids](Result<AnswerTIDsFrom> answer) {
               if (answer) tids->insert(answer->tid_list.begin(), answer->tid_list.end());
               gather->part_done(answer ? std::error_code{} : answer.error());
             });
  }
}

void Client::Core::transaction_infos(std::vector<Tid> tids,
                                     Reply<std::vector<TransactionInfo>> reply) {
  auto infos = std::make_shared<std::vector<std::optional<TransactionInfo>>>(tids.size());
  auto gather = Gather::make(tids.size(), [infos, reply](std::error_code ec) {
    if (ec) return reply(ec);
    std::vector<TransactionInfo> found;
    for (auto& info : *infos)
      if (info) found.push_back(std::move(*info));
    reply(std::move(found));
  });
  for (std::size_t i = 0; i < tids.size(); ++i) {
    ask_read(pt_.partition_of(tids[i]), AskTransactionInformation{tids[i]},
             [gather, infos, i](Result<AnswerTransactionInformation> answer) {
               if (!answer) {  // packed away meanwhile: skipped
                 const bool gone = answer.error() == errc::tid_not_found;
                 return gather->part_done(gone ? std::error_code{} : answer.error());
               }
               (*infos)[i] = TransactionInfo{answer->tid,       answer->user,   answer->description,
                                             answer->extension, answer->packed, answer->oid_list};
               gather->part_done({});
             });
  }
}

CacheStats Client::Core::cache_stats() const {
  return CacheStats{hits_, misses_, cache_.bytes(), cache_.records()};
}

}  // namespace neo::client
