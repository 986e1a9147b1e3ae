// The life cycle of a transaction (store, vote, lock, unlock, abort) and loads.
#include <catch2/catch.hpp>

#include "nodes/storage/database/database_logic.hpp"
#include "tests/unit/storage/db_backend.hpp"

using namespace neo;
using namespace neo::storage;
using namespace neo::storage::test;

namespace {

using Rows = std::vector<std::vector<std::string>>;

// What the node keeps in memory for a transaction being committed.
struct PendingTransaction {
  Tid ttid{};
  std::vector<ObjectRef> objects{};
  std::vector<std::uint64_t> held{};
};

void store(Database& db, PendingTransaction& txn, Oid oid, const std::string& data,
           std::optional<Tid> data_serial = std::nullopt) {
  auto id = db.hold_data(data.empty() ? std::string() : sha1(data), oid, data, 0, data_serial);
  REQUIRE(id);
  txn.objects.push_back({oid, *id, data_serial});
  if (*id) txn.held.push_back(**id);
}

void vote(Database& db, const PendingTransaction& txn, const std::string& description) {
  std::vector<Oid> oids;
  for (const auto& object : txn.objects) oids.push_back(object.oid);
  const TransactionMeta meta{oids, "user", description, "", false, txn.ttid};
  REQUIRE_FALSE(db.store_transaction(txn.ttid, txn.objects, &meta, true));
  REQUIRE_FALSE(db.commit());
}

void finish(Database& db, const PendingTransaction& txn, Tid tid) {
  REQUIRE_FALSE(db.lock_transaction(tid, txn.ttid, false));
  REQUIRE_FALSE(db.unlock_transaction(tid, txn.ttid, true, true, false));
  db.defer_commit();
  REQUIRE_FALSE(db.commit_deferred());
}

void commit(Database& db, PendingTransaction txn, Tid tid, const std::string& description = "") {
  vote(db, txn, description);
  finish(db, txn, tid);
}

ObjectRecord load(Database& db, Oid oid, std::optional<Tid> at = std::nullopt,
                  std::optional<Tid> before = std::nullopt) {
  auto record = db.load(oid, at, before);
  INFO(record.error().message());
  REQUIRE(record);
  return *record;
}

std::error_code load_error(Database& db, Oid oid, std::optional<Tid> at = std::nullopt,
                           std::optional<Tid> before = std::nullopt) {
  return db.load(oid, at, before).error();
}

constexpr Oid A{1}, B{2};                // partitions 1 and 0 of 2
constexpr Tid T1{0x1000}, TID1{0x1002};  // ttid and tid, partition 0
constexpr Tid T2{0x2000}, TID2{0x2004};
constexpr Tid T3{0x3000}, TID3{0x3002};

}  // namespace

TEST_CASE("SHA-1 is the one NEO/py computes", "[storage]") {
  CHECK(hex_of(sha1("v1")) == "5a6df720540c20d95d530d3fd6885511223d5d20");
}

TEST_CASE("a transaction goes through store, vote, lock and unlock, then loads", "[storage]") {
  BackendDb backend;
  auto db = backend.open();
  give_partitions(*db, 2);

  // Stores: data rows at once, ids (partition << 48) + n.
  PendingTransaction t1{T1};
  store(*db, t1, A, "v1");
  store(*db, t1, B, "b1");
  CHECK(t1.held == std::vector<std::uint64_t>{(std::uint64_t{1} << 48) + 0, 0});
  REQUIRE_FALSE(db->commit());
  CHECK(backend.rows("SELECT id, hash, compression, value FROM data ORDER BY id") ==
        Rows{{"0", "x'" + hex_of(sha1("b1")) + "'", "0", "x'" + hex_of("b1") + "'"},
             {"281474976710656", "x'" + hex_of(sha1("v1")) + "'", "0", "x'" + hex_of("v1") + "'"}});

  // Vote: tobj/ttrans rows, ttrans.tid NULL; the ttid is unfinished.
  vote(*db, t1, "first");
  CHECK(backend.rows("SELECT `partition`, oid, tid, data_id, value_tid FROM tobj ORDER BY oid") ==
        Rows{{"1", "1", "4096", "281474976710656", "NULL"}, {"0", "2", "4096", "0", "NULL"}});
  CHECK(backend.rows(
            "SELECT `partition`, tid, packed, oids, user, description, ext, ttid FROM ttrans") ==
        Rows{{"0", "NULL", "0", "x'00000000000000010000000000000002'", "x'75736572'",
              "x'6669727374'", "x''", "4096"}});
  auto locked = db->locked_transactions();
  REQUIRE(locked);
  CHECK(*locked == std::vector<std::pair<Tid, std::optional<Tid>>>{{T1, std::nullopt}});
  CHECK(load_error(*db, A) == errc::oid_does_not_exist);

  // Lock: the final tid is recorded (and committed).
  REQUIRE_FALSE(db->lock_transaction(TID1, T1, false));
  CHECK(backend.rows("SELECT tid FROM ttrans") == Rows{{"4098"}});
  locked = db->locked_transactions();
  REQUIRE(locked);
  CHECK(*locked == std::vector<std::pair<Tid, std::optional<Tid>>>{{T1, TID1}});
  auto info = db->transaction(TID1, true);
  REQUIRE(info);
  REQUIRE(*info);
  CHECK((*info)->meta.description == "first");

  // Unlock: moved to trans/obj with the final tid; the commit is deferred.
  REQUIRE_FALSE(db->unlock_transaction(TID1, T1, true, true, false));
  db->defer_commit();
  CHECK(backend.count("obj") == 0);  // not committed yet
  REQUIRE_FALSE(db->commit_deferred());
  CHECK(backend.rows("SELECT `partition`, oid, tid, data_id, value_tid FROM obj ORDER BY oid") ==
        Rows{{"1", "1", "4098", "281474976710656", "NULL"}, {"0", "2", "4098", "0", "NULL"}});
  CHECK(backend.rows("SELECT `partition`, tid, packed, ttid FROM trans") ==
        Rows{{"0", "4098", "0", "4096"}});
  CHECK(backend.count("tobj") + backend.count("ttrans") == 0);
  locked = db->locked_transactions();
  REQUIRE(locked);
  CHECK(locked->empty());
  auto final_tid = db->final_tid(T1);
  REQUIRE(final_tid);
  CHECK(*final_tid == TID1);

  ObjectRecord a = load(*db, A);
  CHECK(a.serial == TID1);
  CHECK_FALSE(a.next_serial);
  CHECK(a.compression == 0);
  CHECK(a.checksum == sha1("v1"));
  CHECK(a.data == "v1");
  CHECK_FALSE(a.data_serial);
  info = db->transaction(TID1, false);
  REQUIRE(info);
  REQUIRE(*info);
  CHECK((*info)->meta == TransactionMeta{{A, B}, "user", "first", "", false, T1});
  CHECK_FALSE((*info)->pack);

  // A second transaction: a new revision of A, B deleted.
  PendingTransaction t2{T2};
  store(*db, t2, A, "v2");
  store(*db, t2, B, "");
  CHECK(t2.objects[1].data_id == std::nullopt);
  commit(*db, t2, TID2);

  CHECK(load(*db, A).serial == TID2);
  CHECK(load(*db, A).data == "v2");
  ObjectRecord a1 = load(*db, A, TID1);
  CHECK(a1.serial == TID1);
  CHECK(a1.next_serial == TID2);
  CHECK(a1.data == "v1");
  ObjectRecord before = load(*db, A, std::nullopt, TID2);
  CHECK(before.serial == TID1);
  CHECK(before.next_serial == TID2);
  CHECK(load(*db, A, std::nullopt, Tid{TID2.value + 1}).serial == TID2);
  CHECK(load_error(*db, A, std::nullopt, TID1) == errc::oid_not_found);
  CHECK(load_error(*db, A, Tid{0x1500}) == errc::oid_not_found);
  CHECK(load_error(*db, Oid{3}) == errc::oid_does_not_exist);
  CHECK(load_error(*db, Oid{3}, Tid{0x1500}) == errc::oid_does_not_exist);
  ObjectRecord deleted = load(*db, B);
  CHECK(deleted.serial == TID2);
  CHECK_FALSE(deleted.has_data());
  CHECK(deleted.checksum.empty());
  CHECK(load(*db, B, std::nullopt, TID2).data == "b1");
  auto last = db->last_object_tid(B);
  REQUIRE(last);
  CHECK(*last == TID2);

  // Undo of t2 for A: the undo serial is TID1, and the store reuses its data row.
  auto undo = db->find_undo_tid(A, Tid{TID2.value + 1}, TID2, std::nullopt);
  REQUIRE(undo);
  REQUIRE(*undo);
  CHECK((*undo)->current_serial == TID2);
  CHECK((*undo)->undo_serial == TID1);
  CHECK((*undo)->is_current);
  const std::size_t data_rows = backend.count("data");
  PendingTransaction t3{T3};
  store(*db, t3, A, "v1", TID1);
  CHECK(t3.objects[0].data_id == (std::uint64_t{1} << 48) + 0);
  CHECK(backend.count("data") == data_rows);
  commit(*db, t3, TID3);
  ObjectRecord undone = load(*db, A);
  CHECK(undone.serial == TID3);
  CHECK(undone.data == "v1");
  CHECK(undone.data_serial == TID1);
  CHECK(load(*db, A, TID2).next_serial == TID3);
  // Undoing TID3 would go back to TID2's data (the chain is followed).
  undo = db->find_undo_tid(A, std::nullopt, TID3, std::nullopt);
  REQUIRE(undo);
  REQUIRE(*undo);
  CHECK((*undo)->undo_serial == TID2);
  // Nothing of A at T2's ttid; nothing to undo.
  undo = db->find_undo_tid(A, std::nullopt, T2, std::nullopt);
  REQUIRE(undo);
  CHECK_FALSE(*undo);
  // A back-pointer to a revision that does not exist (packed away).
  CHECK(db->hold_data(sha1("x"), A, "x", 0, Tid{0x999}).error() == errc::undo_pack_error);

  // Last ids, history, transaction listing.
  auto ids = db->last_ids();
  REQUIRE(ids);
  CHECK(ids->tid == TID3);
  CHECK(ids->oid == B);
  CHECK(db->last_tid(std::nullopt).value() == TID3);
  CHECK(db->last_tid(TID2).value() == TID2);
  CHECK(db->first_tid().value() == TID1);
  auto history = db->object_history(A, 0, 10);
  REQUIRE(history);
  CHECK(*history == std::vector<protocol::HistoryEntry>{{TID3, 2}, {TID2, 2}, {TID1, 2}});
  CHECK(db->object_history(B, 1, 5).value() == std::vector<protocol::HistoryEntry>{{TID1, 2}});
  CHECK(db->object_history(Oid{3}, 0, 5).error() == errc::oid_not_found);
  const std::vector<std::uint32_t> all{0, 1};
  CHECK(db->tid_list(0, 2, all).value() == std::vector<Tid>{TID3, TID2});
  CHECK(db->tid_list(2, 5, all).value() == std::vector<Tid>{TID1});

  // Everything survives a restart.
  db.reset();
  db = backend.open();
  CHECK(load(*db, A).data_serial == TID1);
  CHECK(db->last_ids().value().tid == TID3);
}

TEST_CASE("an aborted transaction leaves nothing visible and its data is pruned", "[storage]") {
  BackendDb backend;
  auto db = backend.open();
  give_partitions(*db, 2);
  PendingTransaction t1{T1};
  store(*db, t1, A, "v1");
  commit(*db, t1, TID1);
  const std::size_t data_rows = backend.count("data");

  // Aborted after vote.
  PendingTransaction t2{T2};
  store(*db, t2, A, "aborted");
  store(*db, t2, B, "aborted too");
  vote(*db, t2, "doomed");
  CHECK(backend.count("data") == data_rows + 2);
  REQUIRE_FALSE(db->abort_transaction(T2));
  REQUIRE_FALSE(db->release_data(t2.held, true));
  REQUIRE_FALSE(db->commit());
  CHECK(backend.count("data") == data_rows);
  CHECK(backend.count("tobj") + backend.count("ttrans") == 0);
  CHECK(db->locked_transactions().value().empty());
  CHECK(load(*db, A).serial == TID1);
  CHECK(load_error(*db, B) == errc::oid_does_not_exist);

  // Aborted before vote: only the held data exists.
  PendingTransaction t3{T3};
  store(*db, t3, A, "never voted");
  REQUIRE_FALSE(db->abort_transaction(T3));
  REQUIRE_FALSE(db->release_data(t3.held, true));
  REQUIRE_FALSE(db->commit());
  CHECK(backend.count("data") == data_rows);

  // Data still held by another transaction is not pruned.
  PendingTransaction t4{Tid{0x4000}};
  store(*db, t4, A, "held");
  REQUIRE_FALSE(db->commit());
  REQUIRE_FALSE(db->release_data({}, true));
  auto pruned = db->prune_data(t4.held);
  REQUIRE(pruned);
  CHECK(*pruned == 0);
  CHECK(backend.count("data") == data_rows + 1);
}

TEST_CASE("unfinished transactions survive a restart until dropped", "[storage]") {
  BackendDb backend;
  {
    auto db = backend.open();
    give_partitions(*db, 2);
    PendingTransaction voted{T1}, locked{T2};
    store(*db, voted, A, "voted");
    vote(*db, voted, "");
    store(*db, locked, B, "locked");
    vote(*db, locked, "");
    REQUIRE_FALSE(db->lock_transaction(TID2, T2, false));
  }
  auto db = backend.open();
  auto unfinished = db->locked_transactions();
  REQUIRE(unfinished);
  CHECK(*unfinished ==
        std::vector<std::pair<Tid, std::optional<Tid>>>{{T1, std::nullopt}, {T2, TID2}});
  // The data of unfinished transactions is referenced: pruning keeps it.
  auto ids = backend.rows("SELECT id FROM data");
  std::vector<std::uint64_t> data_ids;
  for (const auto& row : ids) data_ids.push_back(std::stoull(row[0]));
  CHECK(db->prune_data(data_ids).value() == 0);
  // Replay of the locked one (ValidateTransaction), then drop of the rest.
  REQUIRE_FALSE(db->lock_transaction(TID2, T2, false));
  REQUIRE_FALSE(db->unlock_transaction(TID2, T2, true, true, false));
  REQUIRE_FALSE(db->commit());
  REQUIRE_FALSE(db->drop_unfinished_data());
  CHECK(db->locked_transactions().value().empty());
  CHECK(load(*db, B).data == "locked");
  CHECK(load_error(*db, A) == errc::oid_does_not_exist);
  CHECK(backend.count("data") == 1);
}

// NEO/py keeps the pack order of an aborted transaction: listed unsigned to
// the next master, it stops every later pack from being approved.
TEST_CASE("pack orders of aborted or unfinished transactions go with them", "[storage]") {
  BackendDb backend;
  auto db = backend.open();
  give_partitions(*db, 2);
  const auto voted_pack = [&](Tid ttid) {
    PendingTransaction txn{ttid};
    vote(*db, txn, "IStorage.pack");
    REQUIRE_FALSE(db->store_pack_order(ttid, std::nullopt, false, std::nullopt, Tid{0x800}));
    REQUIRE_FALSE(db->commit());
  };
  voted_pack(T1);  // committed
  REQUIRE_FALSE(db->lock_transaction(TID1, T1, true));
  REQUIRE_FALSE(db->unlock_transaction(TID1, T1, true, false, true));
  voted_pack(T2);  // aborted
  REQUIRE_FALSE(db->abort_transaction(T2));
  REQUIRE_FALSE(db->commit());
  voted_pack(T3);  // left unfinished, then dropped
  REQUIRE_FALSE(db->drop_unfinished_data());
  CHECK(backend.rows("SELECT tid, approved FROM pack") == Rows{{std::to_string(TID1.value), "1"}});
  // An order left by an aborted transaction in an older database is not
  // listed to the master.
  REQUIRE_FALSE(db->store_pack_order(Tid{0x5000}, std::nullopt, false, std::nullopt, TID1));
  REQUIRE_FALSE(db->commit());
  auto orders = db->pack_orders(kZeroTid);
  REQUIRE(orders);
  CHECK(*orders == std::vector<protocol::PackOrder>{{TID1, true, false, std::nullopt, Tid{0x800}}});
}

TEST_CASE("with --dedup identical data is stored once, otherwise twice", "[storage]") {
  for (bool dedup : {true, false}) {
    BackendDb backend;
    auto db = backend.open(dedup);
    give_partitions(*db, 2);
    auto first = db->store_data(sha1("same"), A, "same", 0, std::nullopt);
    auto second = db->store_data(sha1("same"), B, "same", 0, std::nullopt);
    auto other = db->store_data(sha1("same"), B, "same", 1, std::nullopt);
    REQUIRE(first);
    REQUIRE(second);
    REQUIRE(other);
    REQUIRE_FALSE(db->commit());
    if (dedup) {
      CHECK(*second == *first);
      CHECK(backend.count("data") == 2);  // compression is part of the key
    } else {
      CHECK(*second != *first);
      CHECK(backend.count("data") == 3);
    }
    // A different value under the same hash is an error, never a silent reuse.
    auto collision = db->store_data(sha1("same"), A, "not the same", 0, std::nullopt);
    CHECK(collision.has_value() == !dedup);
    if (dedup) CHECK(collision.error().category() == BackendDb::error_category());
  }
}

TEST_CASE("data ids continue per partition after a restart", "[storage]") {
  BackendDb backend;
  {
    auto db = backend.open();
    give_partitions(*db, 3);
    CHECK(db->store_data(sha1("a"), Oid{5}, "a", 0, std::nullopt).value() ==
          (std::uint64_t{2} << 48));
    CHECK(db->store_data(sha1("b"), Oid{8}, "b", 0, std::nullopt).value() ==
          (std::uint64_t{2} << 48) + 1);
    CHECK(db->store_data(sha1("c"), Oid{3}, "c", 0, std::nullopt).value() == 0);
    REQUIRE_FALSE(db->commit());
  }
  auto db = backend.open();
  CHECK(db->store_data(sha1("d"), Oid{2}, "d", 0, std::nullopt).value() ==
        (std::uint64_t{2} << 48) + 2);
  CHECK(db->store_data(sha1("e"), Oid{1}, "e", 0, std::nullopt).value() ==
        (std::uint64_t{1} << 48));
  auto data = db->load_data(std::uint64_t{2} << 48);
  REQUIRE(data);
  CHECK(data->value == "a");
  CHECK(data->checksum == sha1("a"));
}

TEST_CASE("reads of a partition that is not readable are refused", "[storage]") {
  BackendDb backend;
  auto db = backend.open();
  REQUIRE_FALSE(db->set_nid(NodeId{1}));
  const std::vector<protocol::CellChange> table{{0, NodeId{1}, CellState::UpToDate},
                                                {1, NodeId{1}, CellState::OutOfDate}};
  REQUIRE(db->change_partition_table(1, 0, table, true, kZeroTid));
  CHECK(load_error(*db, Oid{1}) == errc::non_readable_cell);
  CHECK(load_error(*db, Oid{2}) == errc::oid_does_not_exist);
  CHECK(db->transaction(Tid{3}, false).error() == errc::non_readable_cell);
  const std::vector<std::uint32_t> both{0, 1};
  CHECK(db->tid_list(0, 10, both).error() == errc::non_readable_cell);
  CHECK(db->oids_from(1, 10, kZeroOid, kMaxTid).error() == errc::non_readable_cell);
  // Stores into a non-readable partition are accepted (replication in progress).
  CHECK(db->hold_data(sha1("x"), Oid{1}, "x", 0, Tid{5}).has_value());
}
