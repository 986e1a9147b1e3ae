// ClientState: reads (objects, history, transaction lists), each from a
// readable cell of its partition, retried on the others; oids and the last
// transaction from the master.
#include <spdlog/spdlog.h>

#include <set>

#include "core/util/record_data.hpp"
#include "nodes/client/client_state.hpp"
#include "nodes/client/client_txn.hpp"

namespace neo::client {

using namespace protocol;

namespace {

// Rounds of "every readable cell failed: barrier, then try again".
constexpr int kReadRounds = 3;
constexpr std::int64_t kInvalidPartition = 0xffffffff;

bool retry_elsewhere(std::error_code ec) {
  return ec == errc::connection_closed || ec == errc::non_readable_cell || ec == errc::not_ready ||
         ec == errc::wrong_checksum;
}

// An AnswerObject's data must match its checksum (else another cell is asked).
std::error_code check_object(const AnswerObject& answer) {
  return is_no_data(answer.data, answer.checksum) || sha1(answer.data) == answer.checksum
             ? std::error_code{}
             : make_error_code(errc::wrong_checksum);
}

}  // namespace

template <class P>
struct ClientState::ReadAttempt {
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

template <class P>
void ClientState::ask_read(std::uint32_t offset, P packet,
                           std::function<void(Result<typename P::Answer>)> reply,
                           std::function<std::error_code(const typename P::Answer&)> check) {
  auto attempt = std::make_shared<ReadAttempt<P>>(ReadAttempt<P>{
      offset, std::move(packet), std::move(reply), std::move(check), read_cells(offset)});
  read_next(std::move(attempt));
}

template <class P>
void ClientState::read_next(std::shared_ptr<ReadAttempt<P>> attempt) {
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
  with_storage(nid, [this, attempt, nid](std::shared_ptr<net::Peer> connection) {
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

template void ClientState::ask_read<AskTransactionInformation>(
    std::uint32_t, AskTransactionInformation,
    std::function<void(Result<AnswerTransactionInformation>)>,
    std::function<std::error_code(const AnswerTransactionInformation&)>);
template void ClientState::ask_read<AskObjectUndoSerial>(
    std::uint32_t, AskObjectUndoSerial, std::function<void(Result<AnswerObjectUndoSerial>)>,
    std::function<std::error_code(const AnswerObjectUndoSerial&)>);
template void ClientState::ask_read<AskFinalTID>(
    std::uint32_t, AskFinalTID, std::function<void(Result<AnswerFinalTID>)>,
    std::function<std::error_code(const AnswerFinalTID&)>);

// ---- Reads ------------------------------------------------------------------

void ClientState::load(Oid oid, std::optional<Tid> at, std::optional<Tid> before,
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
      check_object);
}

void ClientState::load_answer(Oid oid, Result<AnswerObject> answer, Reply<Record> reply) {
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

void ClientState::new_oid(Reply<Oid> reply) {
  if (!oids_.empty()) {
    reply(oids_.front());
    oids_.pop_front();
    return;
  }
  if (!master_) return reply(make_error_code(errc::connection_closed));
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

void ClientState::last_transaction(Reply<Tid> reply) {
  if (!master_) return reply(make_error_code(errc::connection_closed));
  master_->ask(AskLastTransaction{},
               [reply](Result<AnswerLastTransaction> answer, std::string_view) {
                 reply(answer ? Result<Tid>(answer->tid) : Result<Tid>(answer.error()));
               });
}

void ClientState::sync(Done done) {
  when_ready([this, done](std::error_code ec) {
    if (ec) return done(ec);
    master_->ask(Ping{}, [done](Result<Pong> answer, std::string_view) {
      done(answer ? std::error_code{} : answer.error());
    });
  });
}

void ClientState::history(Oid oid, std::size_t size, Reply<std::vector<HistoryEntry>> reply) {
  ask_read(pt_.partition_of(oid), AskObjectHistory{oid, 0, static_cast<std::int64_t>(size)},
           [reply](Result<AnswerObjectHistory> answer) {
             if (!answer) return reply(answer.error());
             std::vector<HistoryEntry> entries;
             for (const auto& entry : answer->history_list)
               entries.push_back({entry.serial, entry.size});
             reply(std::move(entries));
           });
}

void ClientState::undo_log(std::size_t first, std::size_t last,
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
    with_storage(nid, [gather, tids, packet](std::shared_ptr<net::Peer> connection) {
      if (!connection) return gather->part_done(make_error_code(errc::connection_closed));
      connection->ask(packet, [gather, tids](Result<AnswerTIDs> answer, std::string_view) {
        if (answer) tids->insert(answer->tid_list.begin(), answer->tid_list.end());
        gather->part_done(answer ? std::error_code{} : answer.error());
      });
    });
  }
}

void ClientState::transactions(Tid start, Tid stop, std::size_t limit,
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

void ClientState::transaction_infos(std::vector<Tid> tids,
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

// Every revision asked at once, each from a readable cell of its partition.
void ClientState::revisions(Tid tid, const std::vector<Oid>& oids,
                            Reply<std::vector<Revision>> reply) {
  auto found = std::make_shared<std::vector<std::optional<Revision>>>(oids.size());
  auto gather = Gather::make(oids.size(), [found, reply](std::error_code ec) {
    if (ec) return reply(ec);
    std::vector<Revision> revisions;
    for (auto& revision : *found)
      if (revision) revisions.push_back(std::move(*revision));
    reply(std::move(revisions));
  });
  for (std::size_t i = 0; i < oids.size(); ++i) {
    ask_read(
        pt_.partition_of(oids[i]), AskObject{oids[i], tid, std::nullopt},
        [gather, found, i](Result<AnswerObject> answer) {
          if (!answer) {  // packed away: skipped
            const bool gone =
                answer.error() == errc::oid_not_found || answer.error() == errc::oid_does_not_exist;
            return gather->part_done(gone ? std::error_code{} : answer.error());
          }
          Revision revision{.oid = answer->oid, .data_serial = answer->data_serial};
          if (answer->compression && !is_no_data(answer->data, answer->checksum)) {
            Result<std::string> data = decompress(*answer->compression, answer->data);
            if (!data) return gather->part_done(data.error());
            revision.data = std::move(*data);
          }
          (*found)[i] = std::move(revision);
          gather->part_done({});
        },
        check_object);
  }
}

CacheStats ClientState::cache_stats() const {
  return CacheStats{hits_, misses_, cache_.bytes(), cache_.records()};
}

}  // namespace neo::client
