// The blocking public API: each call hands its work to the thread doing the
// I/O (Core::call: this one when no other does) and waits for the reply (at
// most Options::timeout).
#include "neo/client.hpp"

#include <atomic>
#include <chrono>
#include <optional>
#include <thread>

#include "nodes/client/client_core.hpp"

namespace neo::client {

namespace {

using Core = Client::Core;

// Whether a call waits awake first: not for those that wait for the disk.
enum class Wait { spin, sleep };

// Runs `work(reply)` on the thread doing the I/O once the cluster is ready,
// and waits for its reply.
template <class T>
Result<T> call(Core& core, std::function<void(Reply<T>)> work, Wait wait = Wait::spin) {
  struct Shared {
    std::optional<Result<T>> result;
    std::atomic<bool> done{false};
  };
  auto shared = std::make_shared<Shared>();
  auto reply = [shared, &core](Result<T> result) {
    shared->result = std::move(result);
    shared->done.store(true);
    core.completed();
  };
  std::error_code ec = core.call(
      [&core, work = std::move(work), reply] {
        core.state().when_ready([work, reply](std::error_code ec) {
          if (ec) return reply(ec);
          work(reply);
        });
      },
      shared->done, wait == Wait::spin);
  if (ec) return ec;
  return std::move(*shared->result);
}

struct Unit {};

std::error_code call_done(Core& core, std::function<void(Done)> work, Wait wait = Wait::spin) {
  Result<Unit> result = call<Unit>(
      core,
      [work](Reply<Unit> reply) {
        work([reply](std::error_code ec) { reply(ec ? Result<Unit>(ec) : Result<Unit>(Unit{})); });
      },
      wait);
  return result.error();
}

}  // namespace

Result<std::unique_ptr<Client>> Client::connect(Options options) {
  auto core = std::make_shared<Core>(std::move(options));
  if (std::error_code ec = core->start()) return ec;
  std::unique_ptr<Client> client(new Client(core));
  if (std::error_code ec = call_done(*core, [](Done done) { done({}); })) return ec;
  return client;
}

Client::Client(std::shared_ptr<Core> core) : core_(std::move(core)) {}

Client::~Client() { core_->stop(); }

Result<Record> Client::load(Oid oid) {
  return call<Record>(*core_, [this, oid](Reply<Record> reply) {
    core_->state().load(oid, std::nullopt, std::nullopt, reply);
  });
}

Result<Record> Client::load_before(Oid oid, Tid before) {
  return call<Record>(*core_, [this, oid, before](Reply<Record> reply) {
    core_->state().load(oid, std::nullopt, before, reply);
  });
}

Result<Record> Client::load_serial(Oid oid, Tid serial) {
  return call<Record>(*core_, [this, oid, serial](Reply<Record> reply) {
    core_->state().load(oid, serial, std::nullopt, reply);
  });
}

Result<Oid> Client::new_oid() {
  return call<Oid>(*core_, [this](Reply<Oid> reply) { core_->state().new_oid(reply); });
}

Result<Tid> Client::last_transaction() {
  return call<Tid>(*core_, [this](Reply<Tid> reply) { core_->state().last_transaction(reply); });
}

Result<Tid> Client::last_tid() {
  return call<Tid>(
      *core_, [this](Reply<Tid> reply) { reply(core_->state().last_tid().value_or(kZeroTid)); });
}

std::error_code Client::sync() {
  return call_done(*core_, [this](Done done) { core_->state().sync(done); });
}

Result<std::vector<HistoryEntry>> Client::history(Oid oid, std::size_t size) {
  return call<std::vector<HistoryEntry>>(
      *core_, [this, oid, size](auto reply) { core_->state().history(oid, size, reply); });
}

Result<std::vector<TransactionInfo>> Client::undo_log(std::size_t first, std::size_t last) {
  return call<std::vector<TransactionInfo>>(
      *core_, [this, first, last](auto reply) { core_->state().undo_log(first, last, reply); });
}

Result<std::vector<TransactionInfo>> Client::transactions(Tid start, Tid stop, std::size_t limit) {
  return call<std::vector<TransactionInfo>>(*core_, [this, start, stop, limit](auto reply) {
    core_->state().transactions(start, stop, limit, reply);
  });
}

Result<std::vector<Revision>> Client::revisions(Tid tid, std::span<const Oid> oids) {
  return call<std::vector<Revision>>(
      *core_, [this, tid, oids = std::vector<Oid>(oids.begin(), oids.end())](auto reply) {
        core_->state().revisions(tid, oids, reply);
      });
}

void Client::on_invalidation(InvalidationFn fn) {
  call_done(*core_, [this, fn = std::move(fn)](Done done) {
    core_->state().set_invalidation(fn);
    done({});
  });
}

void Client::on_cache_reset(CacheResetFn fn) {
  call_done(*core_, [this, fn = std::move(fn)](Done done) {
    core_->state().set_cache_reset(fn);
    done({});
  });
}

Result<std::unique_ptr<Transaction>> Client::begin(Metadata metadata, std::optional<Tid> tid) {
  Result<Tid> ttid =
      call<Tid>(*core_, [this, metadata = std::move(metadata), tid](Reply<Tid> reply) {
        core_->state().begin(metadata, tid, reply);
      });
  if (!ttid) return ttid.error();
  return std::unique_ptr<Transaction>(new Transaction(core_, *ttid));
}

std::error_code Client::pack(Tid tid, bool wait) {
  return call_done(
      *core_, [this, tid, wait](Done done) { core_->state().pack(tid, wait, done); },
      Wait::sleep);  // a commit: the storages write to disk first
}

CacheStats Client::cache_stats() {
  Result<CacheStats> stats = call<CacheStats>(
      *core_, [this](Reply<CacheStats> reply) { reply(core_->state().cache_stats()); });
  return stats ? *stats : CacheStats{};
}

std::optional<NodeId> Client::nid() {
  Result<std::optional<NodeId>> nid = call<std::optional<NodeId>>(
      *core_, [this](Reply<std::optional<NodeId>> reply) { reply(core_->state().nid()); });
  return nid ? *nid : std::nullopt;
}

// ---- Transaction ------------------------------------------------------------

Transaction::Transaction(std::shared_ptr<Client::Core> core, Tid ttid)
    : core_(std::move(core)), ttid_(ttid) {}

Transaction::~Transaction() {
  if (!done_) abort();
}

// Data gathered before the stores are handed to the I/O thread anyway.
constexpr std::size_t kFlushBytes = 1 << 20;

void Transaction::queue(std::function<void(Core&)> op, std::size_t bytes) {
  pending_.push_back(std::move(op));
  pending_bytes_ += bytes;
  if (pending_bytes_ >= kFlushBytes) flush();
}

void Transaction::flush() {
  hand_over();
  core_->wake();
}

// One hand-over for all of them, sent in one write. Not run at once: by the
// call that follows (vote, finish...), which runs what was posted first.
void Transaction::hand_over() {
  if (pending_.empty()) return;
  pending_bytes_ = 0;
  core_->post(
      [core = core_.get(), ops = std::exchange(pending_, {})] {
        for (const auto& op : ops) op(*core);
      },
      false);
}

void Transaction::store(Oid oid, Tid serial, std::string data) {
  auto request = std::make_shared<StoreRequest>(
      make_store(oid, serial, std::move(data), core_->options().compress));
  const std::size_t bytes = request->stored.size() + 64;
  queue([ttid = ttid_, request](Core& core) { core.state().store(ttid, std::move(*request)); },
        bytes);
}

void Transaction::remove(Oid oid, Tid serial) {
  queue([ttid = ttid_, oid, serial](
            Core& core) { core.state().store(ttid, make_store(oid, serial, std::nullopt, false)); },
        64);
}

void Transaction::store_backpointer(Oid oid, Tid serial, Tid data_serial) {
  queue(
      [ttid = ttid_, oid, serial, data_serial](Core& core) {
        core.state().store(ttid, make_store(oid, serial, std::nullopt, false, data_serial));
      },
      64);
}

void Transaction::check_current_serial(Oid oid, Tid serial) {
  queue([ttid = ttid_, oid,
         serial](Core& core) { core.state().check_current_serial(ttid, oid, serial); },
        64);
}

namespace {

// Waits for a VoteReply; its conflicts go to `conflicts`.
std::error_code call_vote(Core& core, std::vector<Conflict>& conflicts,
                          std::function<void(VoteReply)> work) {
  auto found = std::make_shared<std::vector<Conflict>>();
  std::error_code ec = call_done(
      core,
      [work, found](Done done) {
        work([found, done](std::error_code ec, std::vector<Conflict> conflicts) {
          *found = std::move(conflicts);
          done(ec);
        });
      },
      Wait::sleep);                               // the storages write to disk first
  if (ec != errc::timed_out) conflicts = *found;  // else the I/O thread may still write it
  return ec;
}

}  // namespace

std::error_code Transaction::undo(Tid tid) {
  hand_over();
  return call_vote(*core_, conflicts_, [core = core_.get(), ttid = ttid_, tid](VoteReply reply) {
    core->state().undo(ttid, tid, reply);
  });
}

std::error_code Transaction::vote() {
  hand_over();
  return call_vote(*core_, conflicts_, [core = core_.get(), ttid = ttid_](VoteReply reply) {
    core->state().vote(ttid, reply);
  });
}

Result<Tid> Transaction::finish() {
  if (done_) return make_error_code(errc::transaction_failed);
  hand_over();
  // Vote (if not yet) and finish in one hand-over to the I/O thread.
  struct Vote {
    bool failed = false;
    std::vector<Conflict> conflicts;
  };
  auto vote = std::make_shared<Vote>();
  Result<Tid> tid = call<Tid>(
      *core_,
      [core = core_.get(), ttid = ttid_, vote](Reply<Tid> reply) {
        core->state().vote(
            ttid, [core, ttid, vote, reply](std::error_code ec, std::vector<Conflict> found) {
              if (ec) {
                *vote = {true, std::move(found)};
                return reply(ec);
              }
              core->state().finish(ttid, reply);
            });
      },
      Wait::sleep);
  if (!tid && tid.error() != errc::timed_out && vote->failed) {
    // As vote(): store resolutions and finish again, or abort.
    conflicts_ = std::move(vote->conflicts);
    return tid;
  }
  if (tid || tid.error() != errc::timed_out) done_ = true;
  return tid;
}

void Transaction::abort() {
  if (std::exchange(done_, true)) return;
  pending_.clear();
  core_->post([core = core_.get(), ttid = ttid_] { core->state().abort(ttid); });
}

}  // namespace neo::client
