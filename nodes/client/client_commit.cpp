// ClientState: transactions up to the vote (spec/flows.md sections 3 and 4):
// begin, stores and checks to every cell, conflicts, deadlock avoidance,
// vote (with storages lost meanwhile).
#include <spdlog/spdlog.h>

#include <algorithm>

#include "core/protocol/frame_reader.hpp"
#include "core/util/record_data.hpp"
#include "nodes/client/client_state.hpp"
#include "nodes/client/client_txn.hpp"

namespace neo::client {

using namespace protocol;

namespace {

// The largest data a store may carry: NEO's packet limit less room for the
// store's other fields.
constexpr std::size_t kMaxStoredBytes = protocol::kMaxFrameSize - 4096;

}  // namespace

std::error_code error_of(std::error_code ec, std::string_view message, const char* what) {
  if (ec && ec != errc::connection_closed)
    SPDLOG_WARN("{} failed: {} {}", what, ec.message(), message);
  return ec;
}

StoreRequest make_store(Oid oid, Tid serial, std::optional<std::string> data, bool compress,
                        std::optional<Tid> data_serial) {
  StoreRequest request{.oid = oid, .serial = serial, .data_serial = data_serial};
  if (!data) {
    request.checksum = std::string(kZeroHash);
    return request;
  }
  StoredData stored = compress ? neo::compress(*data) : StoredData{0, *data};
  request.compression = stored.compression;
  request.stored = std::move(stored.data);
  request.checksum = sha1(request.stored);
  request.data = std::move(data);
  return request;
}

ClientState::Txn* ClientState::txn(Tid ttid) {
  auto it = txns_.find(ttid);
  return it == txns_.end() ? nullptr : it->second.get();
}

void ClientState::begin(Metadata metadata, std::optional<Tid> tid, Reply<Tid> reply) {
  if (config_.read_only) return reply(make_error_code(errc::read_only_access));
  if (!master_) return reply(make_error_code(errc::connection_closed));
  const std::uint64_t epoch = master_epoch_;
  master_->ask(AskBeginTransaction{tid},
               [this, metadata = std::move(metadata), epoch, reply](
                   Result<AnswerBeginTransaction> answer, std::string_view message) {
                 if (!answer) return reply(error_of(answer.error(), message, "tpc_begin"));
                 auto txn = std::make_unique<Txn>();
                 txn->ttid = answer->ttid;
                 txn->metadata = metadata;
                 txn->master_epoch = epoch;
                 txns_[answer->ttid] = std::move(txn);
                 reply(answer->ttid);
               });
}

// ---- Writes -----------------------------------------------------------------

void ClientState::txn_storage(Txn& txn, NodeId nid,
                              std::function<void(std::shared_ptr<net::Peer>)> fn) {
  if (auto it = txn.connections.find(nid); it != txn.connections.end()) {
    if (it->second && it->second->closed()) it->second.reset();
    return fn(it->second);
  }
  with_storage(nid, [this, ttid = txn.ttid, nid, fn](std::shared_ptr<net::Peer> connection) {
    Txn* txn = this->txn(ttid);
    if (!txn) return fn(nullptr);
    auto [it, added] = txn->connections.try_emplace(nid, connection);
    if (!added && it->second != connection) it->second.reset();  // raced with a failure
    fn(it->second);
  });
}

void ClientState::write(Txn& txn, std::uint32_t offset, WriteFn send) {
  // A transaction that cannot commit (e.g. begun with a master since lost)
  // sends nothing more: a store would take a lock nobody releases until the
  // application aborts.
  if (txn.error) return;
  if (offset >= pt_.num_partitions() || pt_.row(offset).empty()) {
    txn.error = make_error_code(errc::transaction_failed);
    return;
  }
  for (const pt::Cell& cell : std::vector(pt_.row(offset))) write_to(txn, cell.nid, send);
}

void ClientState::write_to(Txn& txn, NodeId nid, WriteFn send) {
  ++txn.pending;
  txn_storage(txn, nid, [this, ttid = txn.ttid, nid, send](std::shared_ptr<net::Peer> c) {
    if (!c) return write_done(ttid, nid, make_error_code(errc::connection_closed));
    send(*c, nid, [this, ttid, nid](std::error_code ec) { write_done(ttid, nid, ec); });
  });
}

void ClientState::write_done(Tid ttid, NodeId nid, std::error_code ec) {
  Txn* txn = this->txn(ttid);
  if (!txn) return;
  if (ec == errc::connection_closed) {
    txn->connections[nid].reset();
  } else if (ec && !txn->error) {
    txn->error = ec;
  }
  if (--txn->pending == 0 && txn->on_idle) std::exchange(txn->on_idle, nullptr)();
}

void ClientState::when_idle(Txn& txn, std::function<void()> fn) {
  if (txn.pending == 0) return fn();
  txn.on_idle = std::move(fn);
}

template <class P>
void ClientState::write_object(Txn& txn, std::uint32_t offset, P packet, std::uint64_t generation,
                               const char* what) {
  write(txn, offset,
        [this, packet = std::move(packet), generation, offset, what](net::Peer& peer, NodeId nid,
                                                                     Done done) {
          peer.ask(packet,
                   [this, ttid = packet.ttid, oid = packet.oid, generation, offset, nid, done,
                    what](Result<typename P::Answer> answer, std::string_view message) {
                     if (answer) store_answer(ttid, oid, generation, nid, offset, answer->conflict);
                     done(answer ? std::error_code{} : error_of(answer.error(), message, what));
                   });
        });
}

void ClientState::store(Tid ttid, StoreRequest request) {
  Txn* txn = this->txn(ttid);
  if (!txn) return;
  // A packet over NEO's 64 MiB limit would only make the storage close the
  // connection: fail the transaction here instead.
  if (request.stored.size() > kMaxStoredBytes) {
    SPDLOG_ERROR("{}: object {} is too large to store ({} bytes, at most {})", to_string(ttid),
                 to_string(request.oid), request.stored.size(), kMaxStoredBytes);
    if (!txn->error) txn->error = make_error_code(errc::frame_too_large);
    return;
  }
  auto [it, added] = txn->objects.try_emplace(request.oid);
  if (added) txn->order.push_back(request.oid);
  Txn::Object& object = it->second;
  object = Txn::Object{request.serial, std::move(request.data), request.data_serial, false,
                       object.generation + 1};
  std::erase_if(txn->conflicts, [&](const Conflict& c) { return c.oid == request.oid; });
  AskStoreObject packet{request.oid,
                        request.serial,
                        request.compression,
                        request.checksum,
                        std::move(request.stored),
                        request.data_serial,
                        ttid};
  write_object(*txn, pt_.partition_of(request.oid), std::move(packet), object.generation, "store");
}

void ClientState::check_current_serial(Tid ttid, Oid oid, Tid serial) {
  Txn* txn = this->txn(ttid);
  if (!txn || txn->objects.count(oid)) return;  // a store checks it already
  Txn::Object& object = txn->objects[oid];
  txn->order.push_back(oid);
  object.serial = serial;
  object.checked = true;
  write_object(*txn, pt_.partition_of(oid), AskCheckCurrentSerial{ttid, oid, serial},
               ++object.generation, "check");
}

void ClientState::store_answer(Tid ttid, Oid oid, std::uint64_t generation, NodeId nid,
                               std::uint32_t offset, std::optional<Tid> conflict) {
  Txn* txn = this->txn(ttid);
  if (!txn || !conflict) return;
  if (*conflict == kZeroTid) {  // stored without lock: the cell is being replicated
    txn->lockless[offset].insert(nid);
    return;
  }
  const Txn::Object& object = txn->objects[oid];
  if (object.generation != generation) return;  // stored again since
  if (std::any_of(txn->conflicts.begin(), txn->conflicts.end(),
                  [&](const Conflict& c) { return c.oid == oid; }))
    return;
  txn->conflicts.push_back(Conflict{oid, *conflict, object.serial, object.checked});
}

void ClientState::deadlock(NodeId nid, net::Peer& peer, const NotifyDeadlock& notification) {
  Txn* txn = this->txn(notification.ttid);
  if (!txn || txn->voting) return;  // voting: the storage waits for us
  auto object = txn->objects.find(notification.oid);
  if (object == txn->objects.end()) return;
  SPDLOG_DEBUG("deadlock avoidance: relocking {} of {} on {}", to_string(notification.oid),
               to_string(notification.ttid), to_string(nid));
  ++txn->pending;
  const std::uint64_t generation = object->second.generation;
  const std::uint32_t offset = pt_.partition_of(notification.oid);
  peer.ask(AskRelockObject{notification.ttid, notification.oid},
           [this, notification, generation, offset, nid](Result<AnswerRelockObject> answer,
                                                         std::string_view message) {
             if (answer && answer->conflict)
               store_answer(notification.ttid, notification.oid, generation, nid, offset,
                            answer->conflict->conflict_serial);
             write_done(notification.ttid, nid,
                        answer ? std::error_code{} : error_of(answer.error(), message, "relock"));
           });
}

// ---- Vote -------------------------------------------------------------------

void ClientState::vote(Tid ttid, VoteReply reply) {
  Txn* txn = this->txn(ttid);
  if (!txn) return reply(make_error_code(errc::transaction_failed), {});
  if (txn->voted) return reply({}, {});
  when_idle(*txn, [this, ttid, reply] {
    Txn* txn = this->txn(ttid);
    if (!txn) return reply(make_error_code(errc::transaction_failed), {});
    if (!txn->conflicts.empty()) {
      const bool read = std::all_of(txn->conflicts.begin(), txn->conflicts.end(),
                                    [](const Conflict& c) { return c.read; });
      return reply(make_error_code(read ? errc::read_conflict : errc::conflict), txn->conflicts);
    }
    if (txn->error) return reply(txn->error, {});
    vote_metadata(ttid, reply);
  });
}

// AskStoreTransaction to the cells of the ttid's partition, AskVoteTransaction
// to the other storages written to.
void ClientState::vote_metadata(Tid ttid, VoteReply reply) {
  Txn& txn = *this->txn(ttid);
  txn.voting = true;
  std::vector<NodeId> others;
  const std::uint32_t offset = pt_.partition_of(ttid);
  for (const auto& [nid, connection] : txn.connections)
    if (connection && !pt_.find_cell(offset, nid)) others.push_back(nid);
  const AskStoreTransaction metadata{
      ttid,      txn.metadata.user, txn.metadata.description, txn.metadata.extension,
      txn.order, txn.pack};
  write(txn, offset, [metadata](net::Peer& peer, NodeId, Done done) {
    peer.ask(metadata, [done](Result<AnswerStoreTransaction> answer, std::string_view message) {
      done(answer ? std::error_code{} : error_of(answer.error(), message, "vote"));
    });
  });
  for (NodeId nid : others) {
    write_to(txn, nid, [ttid](net::Peer& peer, NodeId, Done done) {
      peer.ask(AskVoteTransaction{ttid},
               [done](Result<AnswerVoteTransaction> answer, std::string_view message) {
                 done(answer ? std::error_code{} : error_of(answer.error(), message, "vote"));
               });
    });
  }
  when_idle(txn, [this, ttid, reply] { vote_failures(ttid, reply); });
}

// Storages lost during the transaction: the commit may go on without them if
// every partition stays write-locked elsewhere and the master agrees.
void ClientState::vote_failures(Tid ttid, VoteReply reply) {
  Txn* txn = this->txn(ttid);
  if (!txn) return reply(make_error_code(errc::transaction_failed), {});
  if (txn->error) return reply(txn->error, {});
  std::set<NodeId> failed;
  for (const auto& [nid, connection] : txn->connections)
    if (!connection) failed.insert(nid);
  if (failed.empty()) return voted(ttid, reply);
  for (const auto& [offset, lockless] : txn->lockless) {
    const auto& row = pt_.row(offset);
    if (std::none_of(row.begin(), row.end(), [&](const pt::Cell& cell) {
          return !failed.count(cell.nid) && !lockless.count(cell.nid);
        })) {
      SPDLOG_WARN("{}: partition {} is not fully write-locked", to_string(ttid), offset);
      return reply(make_error_code(errc::transaction_failed), {});
    }
  }
  std::vector<NodeId> running;
  for (NodeId nid : failed)
    if (nodes_.state_of(nid) == NodeState::Running) running.push_back(nid);
  if (running.empty()) return voted(ttid, reply);
  if (!master_ || txn->master_epoch != master_epoch_)
    return reply(make_error_code(errc::transaction_failed), {});
  master_->ask(FailedVote{ttid, running},
               [this, ttid, reply](Result<Error> answer, std::string_view message) {
                 if (!answer) return reply(answer.error(), {});
                 if (answer->code != static_cast<std::int64_t>(errc::ack)) {
                   SPDLOG_WARN("{}: the master refused to commit without the failed storages: {}",
                               to_string(ttid), answer->message);
                   return reply(net::error_from_wire(answer->code), {});
                 }
                 voted(ttid, reply);
               });
}

void ClientState::voted(Tid ttid, VoteReply reply) {
  Txn* txn = this->txn(ttid);
  if (!txn) return reply(make_error_code(errc::transaction_failed), {});
  // The master was lost since tpc_begin: the finish would fail.
  if (txn->master_epoch != master_epoch_ || !master_)
    return reply(make_error_code(errc::transaction_failed), {});
  txn->voted = true;
  reply({}, {});
}

}  // namespace neo::client
