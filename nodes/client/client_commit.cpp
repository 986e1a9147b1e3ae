// Client::Core: transactions (spec/flows.md sections 3 and 4).
#include <spdlog/spdlog.h>

#include <algorithm>

#include "core/protocol/frame_reader.hpp"
#include "core/util/record_data.hpp"
#include "nodes/client/client_core.hpp"
#include "nodes/client/client_txn.hpp"

namespace neo::client {

using namespace protocol;

namespace {

// The largest data a store may carry: NEO's packet limit less room for the
// store's other fields.
constexpr std::size_t kMaxStoredBytes = protocol::kMaxFrameSize - 4096;

std::error_code error_of(std::error_code ec, std::string_view message, const char* what) {
  if (ec && ec != errc::connection_closed)
    SPDLOG_WARN("{} failed: {} {}", what, ec.message(), message);
  return ec;
}

}  // namespace

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

Client::Core::Txn* Client::Core::txn(Tid ttid) {
  auto it = txns_.find(ttid);
  return it == txns_.end() ? nullptr : it->second.get();
}

void Client::Core::begin(Metadata metadata, std::optional<Tid> tid, Reply<Tid> reply) {
  if (options_.read_only) return reply(make_error_code(errc::read_only_access));
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

void Client::Core::txn_storage(Txn& txn, NodeId nid,
                               std::function<void(std::shared_ptr<net::Connection>)> fn) {
  if (auto it = txn.connections.find(nid); it != txn.connections.end()) {
    if (it->second && it->second->closed()) it->second.reset();
    return fn(it->second);
  }
  with_storage(nid, [this, ttid = txn.ttid, nid, fn](std::shared_ptr<net::Connection> connection) {
    Txn* txn = this->txn(ttid);
    if (!txn) return fn(nullptr);
    auto [it, added] = txn->connections.try_emplace(nid, connection);
    if (!added && it->second != connection) it->second.reset();  // raced with a failure
    fn(it->second);
  });
}

void Client::Core::write(Txn& txn, std::uint32_t offset, WriteFn send) {
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

void Client::Core::write_to(Txn& txn, NodeId nid, WriteFn send) {
  ++txn.pending;
  txn_storage(txn, nid, [this, ttid = txn.ttid, nid, send](std::shared_ptr<net::Connection> c) {
    if (!c) return write_done(ttid, nid, make_error_code(errc::connection_closed));
    send(*c, nid, [this, ttid, nid](std::error_code ec) { write_done(ttid, nid, ec); });
  });
}

void Client::Core::write_done(Tid ttid, NodeId nid, std::error_code ec) {
  Txn* txn = this->txn(ttid);
  if (!txn) return;
  if (ec == errc::connection_closed) {
    txn->connections[nid].reset();
  } else if (ec && !txn->error) {
    txn->error = ec;
  }
  if (--txn->pending == 0 && txn->on_idle) std::exchange(txn->on_idle, nullptr)();
}

void Client::Core::when_idle(Txn& txn, std::function<void()> fn) {
  if (txn.pending == 0) return fn();
  txn.on_idle = std::move(fn);
}

template <class P>
void Client::Core::write_object(Txn& txn, std::uint32_t offset, P packet, std::uint64_t generation,
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

void Client::Core::store(Tid ttid, StoreRequest request) {
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
  Txn::Object& object = txn->objects[request.oid];
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

void Client::Core::check_current_serial(Tid ttid, Oid oid, Tid serial) {
  Txn* txn = this->txn(ttid);
  if (!txn || txn->objects.count(oid)) return;  // a store checks it already
  Txn::Object& object = txn->objects[oid];
  object.serial = serial;
  object.checked = true;
  write_object(*txn, pt_.partition_of(oid), AskCheckCurrentSerial{ttid, oid, serial},
               ++object.generation, "check");
}

void Client::Core::store_answer(Tid ttid, Oid oid, std::uint64_t generation, NodeId nid,
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

void Client::Core::deadlock(NodeId nid, net::Peer& peer, const NotifyDeadlock& notification) {
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

void Client::Core::vote(Tid ttid, VoteReply reply) {
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
void Client::Core::vote_metadata(Tid ttid, VoteReply reply) {
  Txn& txn = *this->txn(ttid);
  txn.voting = true;
  std::vector<NodeId> others;
  const std::uint32_t offset = pt_.partition_of(ttid);
  for (const auto& [nid, connection] : txn.connections)
    if (connection && !pt_.find_cell(offset, nid)) others.push_back(nid);
  std::vector<Oid> oids;
  for (const auto& [oid, object] : txn.objects) oids.push_back(oid);
  const AskStoreTransaction metadata{ttid,
                                     txn.metadata.user,
                                     txn.metadata.description,
                                     txn.metadata.extension,
                                     std::move(oids),
                                     std::nullopt};
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
void Client::Core::vote_failures(Tid ttid, VoteReply reply) {
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

void Client::Core::voted(Tid ttid, VoteReply reply) {
  Txn* txn = this->txn(ttid);
  if (!txn) return reply(make_error_code(errc::transaction_failed), {});
  // The master was lost since tpc_begin: the finish would fail.
  if (txn->master_epoch != master_epoch_ || !master_)
    return reply(make_error_code(errc::transaction_failed), {});
  txn->voted = true;
  reply({}, {});
}

// ---- Finish and abort -------------------------------------------------------

void Client::Core::finish(Tid ttid, Reply<Tid> reply) {
  Txn* txn = this->txn(ttid);
  if (!txn || !txn->voted || txn->master_epoch != master_epoch_ || !master_)
    return reply(make_error_code(errc::transaction_failed));
  AskFinishTransaction finish{.ttid = ttid};
  std::set<std::int64_t> deleted, checked;
  for (const auto& [oid, object] : txn->objects) {
    const std::uint32_t offset = pt_.partition_of(oid);
    if (object.checked)
      checked.insert(offset);
    else if (!object.data && !object.data_serial)
      deleted.insert(offset);
    else
      finish.oid_list.push_back(oid);
  }
  finish.deleted.assign(deleted.begin(), deleted.end());
  finish.checked.assign(checked.begin(), checked.end());
  master_->ask(finish, [this, ttid, reply](Result<AnswerTransactionFinished> answer,
                                           std::string_view message) {
    if (answer) {
      finished(ttid, answer->tid);
      return reply(answer->tid);
    }
    if (answer.error() == errc::connection_closed) return final_tid(ttid, reply);
    txns_.erase(ttid);
    reply(error_of(answer.error(), message, "tpc_finish"));
  });
}

void Client::Core::finished(Tid ttid, Tid tid) {
  Txn* txn = this->txn(ttid);
  if (!txn) return;
  for (auto& [oid, object] : txn->objects) {
    if (object.checked) continue;
    invalidate_oid(oid, tid);
    if (object.data && !object.data_serial) cache_.store(oid, tid, std::nullopt, *object.data);
  }
  if (!last_tid_ || *last_tid_ < tid) last_tid_ = tid;
  txns_.erase(ttid);
}

// The master was lost while finishing: ask whether the transaction committed.
void Client::Core::final_tid(Tid ttid, Reply<Tid> reply) {
  when_ready([this, ttid, reply](std::error_code ec) {
    if (ec) return txns_.erase(ttid), reply(ec);
    master_->ask(
        AskFinalTID{ttid}, [this, ttid, reply](Result<AnswerFinalTID> answer, std::string_view) {
          if (!answer) return final_tid(ttid, reply);
          const auto done = [this, ttid, reply](std::optional<Tid> tid) {
            if (!tid) return txns_.erase(ttid), reply(make_error_code(errc::transaction_failed));
            finished(ttid, *tid);
            reply(*tid);
          };
          if (answer->tid != kMaxTid) return done(answer->tid);
          // Committed; only the storages know the final TID.
          ask_read(pt_.partition_of(ttid), AskFinalTID{ttid},
                   [done](Result<AnswerFinalTID> tid) { done(tid ? tid->tid : std::nullopt); });
        });
  });
}

void Client::Core::send_abort(const Txn& txn) {
  std::vector<NodeId> nids;
  for (const auto& [nid, connection] : txn.connections) {
    nids.push_back(nid);
    if (connection && !connection->closed()) connection->notify(AbortTransaction{txn.ttid, {}});
  }
  if (master_) master_->notify(AbortTransaction{txn.ttid, nids});
}

void Client::Core::abort(Tid ttid) {
  auto it = txns_.find(ttid);
  if (it == txns_.end()) return;
  send_abort(*it->second);
  txns_.erase(it);
}

// ---- Undo -------------------------------------------------------------------

void Client::Core::undo(Tid ttid, Tid undone, VoteReply reply) {
  if (!txn(ttid)) return reply(make_error_code(errc::transaction_failed), {});
  const Tid snapshot{last_tid_->value + 1};
  ask_read(pt_.partition_of(undone), AskTransactionInformation{undone},
           [this, ttid, undone, snapshot, reply](Result<AnswerTransactionInformation> info) {
             if (!info) return reply(info.error(), {});
             std::map<std::uint32_t, std::vector<Oid>> by_partition;
             for (Oid oid : info->oid_list) by_partition[pt_.partition_of(oid)].push_back(oid);
             auto serials = std::make_shared<std::map<Oid, UndoSerial>>();
             auto gather = Gather::make(by_partition.size(),
                                        [this, ttid, serials, reply](std::error_code ec) {
                                          if (ec) return reply(ec, {});
                                          undo_stores(ttid, std::move(*serials), reply);
                                        });
             for (auto& [offset, oids] : by_partition) {
               ask_read(offset, AskObjectUndoSerial{ttid, snapshot, undone, std::move(oids)},
                        [gather, serials](Result<AnswerObjectUndoSerial> answer) {
                          if (answer)
                            for (const auto& [oid, serial] : answer->object_tid_dict)
                              (*serials)[oid] = serial;
                          gather->part_done(answer ? std::error_code{} : answer.error());
                        });
             }
           });
}

// For each object, the revision before the undone one, as a back-pointer.
void Client::Core::undo_stores(Tid ttid, std::map<Oid, UndoSerial> serials, VoteReply reply) {
  std::vector<Conflict> conflicts;
  for (const auto& [oid, serial] : serials)
    if (!serial.is_current)  // later revisions: resolution is the application's
      conflicts.push_back(
          Conflict{oid, serial.current_serial, serial.undo_serial.value_or(kZeroTid), false});
  if (!conflicts.empty()) return reply(make_error_code(errc::conflict), conflicts);
  auto gather = Gather::make(serials.size(), [reply](std::error_code ec) { reply(ec, {}); });
  for (const auto& [oid, serial] : serials) {
    if (!serial.undo_serial) {  // undoing the creation
      store(ttid, make_store(oid, serial.current_serial, std::nullopt, false));
      gather->part_done({});
      continue;
    }
    // The data goes along for cells that lack the old record.
    load(oid, serial.undo_serial, std::nullopt,
         [this, ttid, oid, serial, gather](Result<Record> record) {
           if (!record && record.error() != errc::no_data) return gather->part_done(record.error());
           std::optional<std::string> data;
           if (record) data = std::move(record->data);
           store(ttid, make_store(oid, serial.current_serial, std::move(data), options_.compress,
                                  serial.undo_serial));
           gather->part_done({});
         });
  }
}

}  // namespace neo::client
