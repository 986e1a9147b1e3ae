// include/neo/client.hpp: the NEO client library for C++ programs.
//
// A Client talks to a NEO cluster (ours or NEO/py's, protocol version 5) the
// way NEO/py's client (neo.client.Storage) does: it finds the primary master,
// follows the node list and the partition table, opens connections to
// storages on demand (reads from a readable cell, writes to every cell of a
// partition), keeps a size-bounded cache of object revisions, and commits
// with NEO's two-phase commit.
//
// Threading: every call is thread-safe and blocking. The protocol state is
// used by one thread at a time: a call does the I/O itself when no other
// thread does (else it hands its work to the one that does), and waits for
// the outcome (at most Options::timeout); between calls, the library's own
// I/O thread does it. A Transaction is used by one thread at a time. The
// invalidation and cache reset callbacks run on the thread doing the I/O
// (the I/O thread, or one inside a call of this Client): they must return
// quickly and must not call the Client.
//
// Errors: calls return neo::Result<T> or std::error_code (core/util/error.hpp):
//   errc::oid_not_found, oid_does_not_exist  no such object / revision
//   errc::no_data          the revision has no data (deleted, creation undone)
//   errc::conflict         a store met a newer committed serial (see conflicts())
//   errc::read_conflict    check_current_serial met a newer committed serial
//   errc::wrong_checksum   every replica sent data that fails its SHA-1
//   errc::transaction_failed  the master or needed storages were lost
//   errc::timed_out        the cluster did not answer within Options::timeout
//   errc::read_only_access a write on a read-only client (or backup cluster)
//   errc::invalid_argument bad Options (unparsable master address...)
// and the codes of the cluster's Error answers (DENIED, UNDO_PACK_ERROR...).
// The connection to the cluster is kept up by the library: a lost master or
// storage is reconnected to, and calls wait for it (within the timeout).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <system_error>
#include <vector>

#include "core/util/error.hpp"
#include "core/util/ids.hpp"

namespace neo::client {

struct Options {
  std::vector<std::string> masters{};  // "127.0.0.1:10000", "[::1]:10000"
  std::string cluster{};               // the cluster name
  // TLS: all three files, or none (plain TCP).
  std::string ca{}, cert{}, key{};
  std::size_t cache_bytes = 20 << 20;  // NEO/py's default cache-size
  std::chrono::milliseconds timeout = std::chrono::seconds(60);
  bool read_only = false;
  bool compress = true;  // zlib when it makes data smaller, as NEO/py
  // A blocking call first waits this long awake, polling the sockets (at
  // most one caller per two cores at a time; rarely while spins keep
  // failing; never for votes and finishes), then sleeps: answers on loopback
  // come back faster than a sleeping thread wakes up. 0: always sleep.
  std::chrono::microseconds spin = std::chrono::microseconds(100);
};

// One revision of an object, valid from `serial` until `next_serial`
// (nullopt: the latest one known).
struct Record {
  std::string data;
  Tid serial{};
  std::optional<Tid> next_serial;
};

// One revision as a transaction stored it, for copying a database (export):
// Client::revisions().
struct Revision {
  Oid oid{};
  std::optional<std::string> data{};  // nullopt: no data (deleted, creation undone)
  // The earlier revision whose data this one reuses (NEO's backpointer, as
  // undo writes them); `data` is then that revision's data, if it has some.
  std::optional<Tid> data_serial{};
};

struct TransactionInfo {
  Tid tid{};
  std::string user, description, extension;
  bool packed = false;
  std::vector<Oid> oids;
};

struct HistoryEntry {
  Tid serial{};
  std::int64_t size = 0;  // bytes of data
};

// A store (or check) that met another committed revision. To resolve it,
// store again with `serial = committed`, then vote again.
struct Conflict {
  Oid oid{};
  Tid committed{};    // the object's latest committed serial
  Tid base{};         // the serial the store (or check) was based on
  bool read = false;  // from check_current_serial: ReadConflictError
};

struct Metadata {
  std::string user{}, description{}, extension{};
};

struct CacheStats {
  std::uint64_t hits = 0, misses = 0;
  std::size_t bytes = 0, records = 0;
};

class Transaction;

class Client {
 public:
  // Connects and waits until the cluster is operational (at most
  // options.timeout).
  static Result<std::unique_ptr<Client>> connect(Options options);
  ~Client();  // aborts unfinished transactions, closes every connection
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // The latest revision as of the last transaction this client knows.
  Result<Record> load(Oid oid);
  // The revision current just before `before` (ZODB loadBefore);
  // errc::oid_not_found when the object did not exist then.
  Result<Record> load_before(Oid oid, Tid before);
  // Exactly revision `serial` (ZODB loadSerial).
  Result<Record> load_serial(Oid oid, Tid serial);

  // New object ids from the master (kept in advance, 100 at a time).
  Result<Oid> new_oid();
  // The last committed transaction, asked to the master.
  Result<Tid> last_transaction();
  // The last transaction this client knows, without asking the master: from
  // the connection, its own commits and the invalidations received (NEO/py's
  // app.last_tid). The invalidation callback sees every later one.
  Result<Tid> last_tid();
  // Barrier: every invalidation the master sent before is processed.
  std::error_code sync();

  // Revisions of `oid`, newest first, at most `size`.
  Result<std::vector<HistoryEntry>> history(Oid oid, std::size_t size);
  // Transactions at positions [first, last) counted from the newest.
  Result<std::vector<TransactionInfo>> undo_log(std::size_t first, std::size_t last);
  // Transactions with start <= tid <= stop, oldest first, at most `limit`:
  // call again from the last tid + 1 to iterate.
  Result<std::vector<TransactionInfo>> transactions(Tid start, Tid stop, std::size_t limit = 100);

  // The revisions transaction `tid` stored of `oids` (a TransactionInfo's),
  // in that order, as stored: without data or reusing an earlier revision's
  // data is no error here. All are asked at once; the cache is not used.
  // An oid without a revision at `tid` (packed away) is left out.
  Result<std::vector<Revision>> revisions(Tid tid, std::span<const Oid> oids);

  // Called with (tid, oids) for each transaction committed by another
  // client, on the thread doing the I/O (see the top of this file).
  using InvalidationFn = std::function<void(Tid tid, std::span<const Oid> oids)>;
  void on_invalidation(InvalidationFn fn);
  // Called, on the thread doing the I/O, with the cluster's last TID when
  // the client empties its cache because it missed invalidations: a new
  // connection to the master found another last TID (commits made while it
  // was disconnected, or a truncation). An application's own cache must be
  // emptied too (NEO/py's client calls ZODB's DB.invalidateCache()).
  using CacheResetFn = std::function<void(Tid last_tid)>;
  void on_cache_reset(CacheResetFn fn);

  // Starts a transaction (tid: an import's imposed TID).
  Result<std::unique_ptr<Transaction>> begin(Metadata metadata = {},
                                             std::optional<Tid> tid = std::nullopt);

  // Packs the database at min(tid, the last transaction this client knows),
  // as NEO/py's client: the storages remove the revisions older than the one
  // each object had at that TID (no garbage collection: unreachable objects
  // stay). The pack order is a transaction (description "IStorage.pack");
  // the storages process it in the background. With `wait`, the call also
  // waits (within Options::timeout) until every storage has done it, then
  // empties this client's cache. errc::invalid_argument for kZeroTid
  // (nothing sent); nothing is done while the database has no transaction;
  // errc::protocol_error if the master refuses the pack TID ("invalid pack
  // time"). Once packed, load_serial / load_before of a removed revision give
  // errc::oid_not_found.
  std::error_code pack(Tid tid, bool wait = false);

  CacheStats cache_stats();
  // This client's node id (C1...) once identified.
  std::optional<NodeId> nid();

  class Core;  // the I/O side and its ClientState (nodes/client)

 private:
  explicit Client(std::shared_ptr<Core> core);
  std::shared_ptr<Core> core_;
};

// A transaction in progress, used by one thread at a time. Its oid list
// (TransactionInfo::oids) keeps the order of the first store or check of
// each oid, as NEO/py's client. Stores and checks are gathered and sent together (at vote(),
// undo(), finish(), or once 1 MiB of data is waiting), without waiting for their answers; vote()
// waits for them. Destroying an unfinished transaction aborts it.
class Transaction {
 public:
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  Tid ttid() const { return ttid_; }
  // Stores `data` as the new revision of `oid`, based on revision `serial`
  // (kZeroTid for a new object).
  void store(Oid oid, Tid serial, std::string data);
  // Deletes `oid` (based on `serial`).
  void remove(Oid oid, Tid serial);
  // Stores a revision of `oid` (based on `serial`) that reuses the data of
  // its committed revision `data_serial`, as undo does: NEO's backpointer.
  // A copy of a database keeps its undo information this way. The vote fails
  // with errc::undo_pack_error if the storages have no such revision.
  void store_backpointer(Oid oid, Tid serial, Tid data_serial);
  // Fails the vote with errc::read_conflict unless `serial` is still the
  // latest revision of `oid` (ZODB checkCurrentSerialInTransaction).
  void check_current_serial(Oid oid, Tid serial);
  // Sends what was gathered now, without waiting for the answers (as
  // NEO/py's client sends each store and check): a check then holds its
  // lock before another transaction can take it.
  void flush();
  // Undoes transaction `tid` inside this one: stores, for each of its
  // objects, the revision before it. errc::undo_pack_error / oid_not_found
  // when it cannot be undone. errc::conflict: the objects of conflicts()
  // have later revisions (`committed`; `base`: the revision to go back to)
  // and were not stored, the others were: store a resolution of each, or
  // abort.
  std::error_code undo(Tid tid);

  // Waits for the stores, then makes the transaction durable on every
  // storage involved. errc::conflict / read_conflict: conflicts() says
  // which; store the resolved data again and vote again, or abort.
  // errc::frame_too_large: an object does not fit in a 64 MiB packet.
  std::error_code vote();
  const std::vector<Conflict>& conflicts() const { return conflicts_; }
  // Votes if needed, then commits: the final TID.
  Result<Tid> finish();
  void abort();

 private:
  friend class Client;
  Transaction(std::shared_ptr<Client::Core> core, Tid ttid);
  void queue(std::function<void(Client::Core&)> op, std::size_t bytes);
  // Posts what was gathered, to be sent by the call that follows.
  void hand_over();
  std::shared_ptr<Client::Core> core_;
  Tid ttid_;
  bool done_ = false;
  std::vector<Conflict> conflicts_;
  std::vector<std::function<void(Client::Core&)>> pending_;
  std::size_t pending_bytes_ = 0;
};

}  // namespace neo::client
