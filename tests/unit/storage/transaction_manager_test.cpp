// TransactionManager: stores, conflicts, delayed locks, deadlock avoidance,
// readCurrent, vote, lock/unlock, aborts and bad input (no sockets, a real
// temporary SQLite database).
#include "nodes/storage/transaction_manager.hpp"

#include <catch2/catch.hpp>

#include "nodes/storage/database/database_logic.hpp"
#include "tests/unit/storage/storage_test_support.hpp"

using namespace neo;
using namespace neo::storage;
using namespace neo::storage::test;

namespace {

constexpr Oid A{1}, B{2};
constexpr Tid T1{0x1000}, TID1{0x1002};
constexpr Tid T2{0x2000}, TID2{0x2004};
const NodeId C1 = make_node_id(2, 1), C2 = make_node_id(2, 2);

// The answer of one store/check: not yet (delayed), or the conflict field / an error.
struct Answer {
  bool answered = false;
  std::optional<Tid> conflict{};
  std::error_code error{};
  std::string message{};
};

struct Fixture {
  TempDir dir;
  std::string path = dir.file("db.sqlite");
  std::unique_ptr<SqliteDatabase> db;
  TransactionManager tm{*db};
  std::vector<std::pair<NodeId, protocol::NotifyDeadlock>> deadlocks;
  std::map<NodeId, bool> alive{{C1, true}, {C2, true}};

  explicit Fixture(bool dedup = false) : db(open_fast(path, {.dedup = dedup})) {
    give_partitions(*db, 2);
    tm.on_deadlock = [this](NodeId c, const protocol::NotifyDeadlock& p) {
      deadlocks.emplace_back(c, p);
    };
  }
  TransactionManager::Origin origin(NodeId c) {
    return {c, [this, c] { return alive[c]; }};
  }
  std::shared_ptr<Answer> store(NodeId c, Tid ttid, Oid oid, Tid serial, const std::string& data) {
    protocol::AskStoreObject ask{.oid = oid,
                                 .serial = serial,
                                 .compression = 0,
                                 .checksum = data.empty() ? std::string(kZeroHash) : sha1(data),
                                 .data = data,
                                 .ttid = ttid};
    return store(c, std::move(ask));
  }
  std::shared_ptr<Answer> store(NodeId c, protocol::AskStoreObject ask) {
    auto answer = std::make_shared<Answer>();
    tm.store_object(origin(c), std::move(ask),
                    [answer](Result<std::optional<Tid>> r, const std::string& message) {
                      answer->answered = true;
                      if (r)
                        answer->conflict = *r;
                      else
                        answer->error = r.error();
                      answer->message = message;
                    });
    return answer;
  }
  std::shared_ptr<Answer> check(NodeId c, Tid ttid, Oid oid, Tid serial) {
    auto answer = std::make_shared<Answer>();
    tm.check_current_serial(origin(c), {ttid, oid, serial},
                            [answer](Result<std::optional<Tid>> r, const std::string&) {
                              answer->answered = true;
                              if (r)
                                answer->conflict = *r;
                              else
                                answer->error = r.error();
                            });
    return answer;
  }
  void vote_with_meta(NodeId c, Tid ttid, std::vector<Oid> oids) {
    std::string message;
    protocol::AskStoreTransaction ask{
        .ttid = ttid, .user = "u", .description = "d", .oid_list = std::move(oids)};
    REQUIRE_FALSE(tm.store_transaction(origin(c), ask, message));
  }
  void commit(NodeId c, Tid ttid, Tid tid, std::vector<Oid> oids) {
    vote_with_meta(c, ttid, oids);
    std::string message;
    REQUIRE_FALSE(tm.lock(ttid, tid, false, message));
    REQUIRE_FALSE(tm.unlock(ttid, message));
    REQUIRE_FALSE(db->commit());
  }
  std::size_t rows(const std::string& table) {
    return std::stoul(sql_rows(path, "SELECT COUNT(*) FROM " + table)[0][0]);
  }
};

bool locked(const std::shared_ptr<Answer>& a) { return a->answered && !a->error && !a->conflict; }

}  // namespace

TEST_CASE("a store locks the oid and a full commit makes it loadable", "[storage][tm]") {
  Fixture f;
  auto a = f.store(C1, T1, A, kZeroTid, "data A");
  REQUIRE(locked(a));
  CHECK(f.tm.write_locker(A) == T1);
  CHECK(f.db->load(A, std::nullopt, std::nullopt).error() == errc::oid_does_not_exist);

  f.vote_with_meta(C1, T1, {A});
  CHECK(f.rows("tobj") == 1);
  CHECK(f.rows("ttrans") == 1);
  std::string message;
  REQUIRE_FALSE(f.tm.lock(T1, TID1, false, message));
  CHECK(f.tm.load_locked(A));
  REQUIRE_FALSE(f.tm.unlock(T1, message));
  REQUIRE_FALSE(f.db->commit());
  CHECK_FALSE(f.tm.load_locked(A));
  CHECK_FALSE(f.tm.has_transaction(T1));
  CHECK_FALSE(f.tm.write_locker(A));
  auto record = f.db->load(A, std::nullopt, std::nullopt);
  REQUIRE(record);
  CHECK(record->serial == TID1);
  CHECK(record->data == "data A");
  CHECK(f.rows("tobj") == 0);
  CHECK(f.rows("obj") == 1);
}

TEST_CASE("a store based on an old serial gets the conflicting serial", "[storage][tm]") {
  Fixture f;
  REQUIRE(locked(f.store(C1, T1, A, kZeroTid, "v1")));
  f.commit(C1, T1, TID1, {A});
  auto a = f.store(C2, T2, A, kZeroTid, "v2");
  REQUIRE(a->answered);
  CHECK(a->conflict == TID1);
  CHECK_FALSE(f.tm.write_locker(A));
  // Resolved: stored again on the right serial.
  CHECK(locked(f.store(C2, T2, A, TID1, "v1+v2")));
  CHECK(f.tm.write_locker(A) == T2);
}

TEST_CASE("a younger store waits behind an older lock and proceeds on abort", "[storage][tm]") {
  Fixture f;
  REQUIRE(locked(f.store(C1, T1, A, kZeroTid, "v1")));
  auto a = f.store(C2, T2, A, kZeroTid, "v2");
  CHECK_FALSE(a->answered);
  CHECK(f.tm.queued() == 1);
  REQUIRE_FALSE(f.tm.abort(T1));
  CHECK(locked(a));
  CHECK(f.tm.write_locker(A) == T2);
  CHECK(f.tm.queued() == 0);
}

TEST_CASE("a delayed store conflicts once the older transaction commits", "[storage][tm]") {
  Fixture f;
  REQUIRE(locked(f.store(C1, T1, A, kZeroTid, "v1")));
  auto a = f.store(C2, T2, A, kZeroTid, "v2");
  CHECK_FALSE(a->answered);
  f.commit(C1, T1, TID1, {A});
  REQUIRE(a->answered);
  CHECK(a->conflict == TID1);
}

TEST_CASE("an older store behind a younger lock triggers NotifyDeadlock, relock resolves it",
          "[storage][tm]") {
  Fixture f;
  REQUIRE(locked(f.store(C2, T2, A, kZeroTid, "young")));
  auto older = f.store(C1, T1, A, kZeroTid, "old");
  CHECK_FALSE(older->answered);
  REQUIRE(f.deadlocks.size() == 1);
  CHECK(f.deadlocks[0].first == C2);
  CHECK(f.deadlocks[0].second.ttid == T2);
  CHECK(f.deadlocks[0].second.oid == A);
  // Retrying does not notify again.
  REQUIRE(locked(f.store(C2, T2, B, kZeroTid, "other")));
  CHECK(f.deadlocks.size() == 1);

  std::optional<Result<protocol::AnswerRelockObject>> relock;
  f.tm.relock_object(f.origin(C2), T2, A,
                     [&](Result<protocol::AnswerRelockObject> r) { relock = std::move(r); });
  CHECK(locked(older));  // the older transaction took the lock
  CHECK(f.tm.write_locker(A) == T1);
  CHECK_FALSE(relock);  // the younger waits
  f.commit(C1, T1, TID1, {A});
  REQUIRE(relock);
  REQUIRE(*relock);
  REQUIRE((*relock)->conflict);
  CHECK((*relock)->conflict->serial == kZeroTid);
  CHECK((*relock)->conflict->conflict_serial == TID1);
  REQUIRE((*relock)->conflict->data);
  CHECK((*relock)->conflict->data->data == "young");
  CHECK_FALSE(f.tm.write_locker(A));
}

TEST_CASE("a store behind a voted transaction is delayed, not a deadlock", "[storage][tm]") {
  Fixture f;
  REQUIRE(locked(f.store(C2, T2, A, kZeroTid, "young")));
  std::string message;
  REQUIRE_FALSE(f.tm.vote(T2, message));
  auto older = f.store(C1, T1, A, kZeroTid, "old");
  CHECK_FALSE(older->answered);
  CHECK(f.deadlocks.empty());
}

TEST_CASE("readCurrent: checks lock, conflict and wait like stores", "[storage][tm]") {
  Fixture f;
  REQUIRE(locked(f.store(C1, T1, A, kZeroTid, "v1")));
  f.commit(C1, T1, TID1, {A});
  auto stale = f.check(C2, T2, A, kZeroTid);
  REQUIRE(stale->answered);
  CHECK(stale->conflict == TID1);
  Tid T3{0x3000};
  auto current = f.check(C2, T3, A, TID1);
  CHECK(locked(current));
  CHECK(f.tm.write_locker(A) == T3);
  Tid T4{0x4000};
  auto waiting = f.store(C1, T4, A, TID1, "v2");
  CHECK_FALSE(waiting->answered);
  REQUIRE_FALSE(f.tm.abort(T3));
  CHECK(locked(waiting));
}

TEST_CASE("loads of locked objects wait until unlock", "[storage][tm]") {
  Fixture f;
  REQUIRE(locked(f.store(C1, T1, A, kZeroTid, "v1")));
  f.vote_with_meta(C1, T1, {A});
  std::string message;
  REQUIRE_FALSE(f.tm.lock(T1, TID1, false, message));
  bool loaded = false;
  auto attempt = [&] {
    if (f.tm.load_locked(A)) return false;
    loaded = f.db->load(A, std::nullopt, std::nullopt).has_value();
    return true;
  };
  REQUIRE_FALSE(attempt());
  f.tm.queue_read(attempt);
  CHECK(f.tm.queued_reads() == 1);
  REQUIRE_FALSE(f.tm.unlock(T1, message));
  CHECK(loaded);
  CHECK(f.tm.queued_reads() == 0);
}

TEST_CASE("bad input gets clear errors and leaves nothing behind", "[storage][tm]") {
  Fixture f;
  SECTION("checksum mismatch") {
    protocol::AskStoreObject ask{
        .oid = A, .serial = kZeroTid, .checksum = sha1("x"), .data = "y", .ttid = T1};
    auto a = f.store(C1, ask);
    CHECK(a->error == errc::protocol_error);
    CHECK(a->message == "invalid checksum");
    CHECK_FALSE(f.tm.has_transaction(T1));
    CHECK(f.rows("data") == 0);
  }
  SECTION("compression value") {
    protocol::AskStoreObject ask{.oid = A,
                                 .serial = kZeroTid,
                                 .compression = 2,
                                 .checksum = sha1("y"),
                                 .data = "y",
                                 .ttid = T1};
    CHECK(f.store(C1, ask)->error == errc::protocol_error);
  }
  SECTION("vote of an unknown transaction") {
    std::string message;
    CHECK(f.tm.vote(T1, message) == errc::protocol_error);
    CHECK(message == "unknown ttid 0000000000001000");
  }
  SECTION("lock and unlock of unknown or unvoted transactions") {
    std::string message;
    CHECK(f.tm.lock(T1, TID1, false, message) == errc::protocol_error);
    CHECK(f.tm.unlock(T1, message) == errc::protocol_error);
    REQUIRE(locked(f.store(C1, T1, A, kZeroTid, "v")));
    CHECK(f.tm.lock(T1, TID1, false, message) == errc::protocol_error);  // not voted
  }
  SECTION("too many oids") {
    std::string message;
    protocol::AskStoreTransaction ask{.ttid = T1, .oid_list = std::vector<Oid>(0x200000)};
    CHECK(f.tm.store_transaction(f.origin(C1), ask, message) == errc::protocol_error);
    CHECK_FALSE(f.tm.has_transaction(T1));
  }
}

TEST_CASE("aborts: by transaction, by lost client, by stopped client", "[storage][tm]") {
  Fixture f;
  REQUIRE(locked(f.store(C1, T1, A, kZeroTid, "v1")));
  REQUIRE(locked(f.store(C2, T2, B, kZeroTid, "v2")));
  std::string message;
  REQUIRE_FALSE(f.tm.vote(T2, message));
  CHECK(f.rows("tobj") == 1);
  // Connection lost: only non-voted transactions go.
  REQUIRE_FALSE(f.tm.abort_for(C1, false));
  REQUIRE_FALSE(f.tm.abort_for(C2, false));
  CHECK_FALSE(f.tm.has_transaction(T1));
  CHECK(f.tm.has_transaction(T2));
  // The master says the client is not RUNNING: voted ones go too.
  REQUIRE_FALSE(f.tm.abort_for(C2, true));
  CHECK_FALSE(f.tm.has_transaction(T2));
  CHECK(f.rows("tobj") == 0);
  CHECK(f.rows("data") == 0);
  CHECK_FALSE(f.tm.write_locker(A));
  CHECK_FALSE(f.tm.write_locker(B));
}

TEST_CASE("a locked transaction is not aborted; delayed stores of closed clients are dropped",
          "[storage][tm]") {
  Fixture f;
  REQUIRE(locked(f.store(C1, T1, A, kZeroTid, "v1")));
  f.vote_with_meta(C1, T1, {A});
  std::string message;
  REQUIRE_FALSE(f.tm.lock(T1, TID1, false, message));
  REQUIRE_FALSE(f.tm.abort(T1));
  CHECK(f.tm.has_transaction(T1));
  auto a = f.store(C2, T2, A, TID1, "v2");
  CHECK_FALSE(a->answered);
  f.alive[C2] = false;
  REQUIRE_FALSE(f.tm.unlock(T1, message));
  CHECK_FALSE(a->answered);
  CHECK(f.tm.queued() == 0);
  auto final_tid = f.tm.final_tid(T1);
  REQUIRE(final_tid);
  CHECK(*final_tid == TID1);
}

TEST_CASE("a deletion stores no data", "[storage][tm]") {
  Fixture f;
  REQUIRE(locked(f.store(C1, T1, A, kZeroTid, "v1")));
  f.commit(C1, T1, TID1, {A});
  REQUIRE(locked(f.store(C2, T2, A, TID1, "")));
  f.commit(C2, T2, TID2, {A});
  auto record = f.db->load(A, std::nullopt, std::nullopt);
  REQUIRE(record);
  CHECK(record->serial == TID2);
  CHECK_FALSE(record->has_data());
}

TEST_CASE("with --dedup, identical data of several transactions is stored once", "[storage][tm]") {
  for (bool dedup : {false, true}) {
    Fixture f(dedup);
    REQUIRE(locked(f.store(C1, T1, A, kZeroTid, "same bytes")));
    REQUIRE(locked(f.store(C1, T1, B, kZeroTid, "same bytes")));
    f.commit(C1, T1, TID1, {A, B});
    CHECK(f.rows("data") == (dedup ? 1u : 2u));
    auto a = f.db->load(A, std::nullopt, std::nullopt);
    auto b = f.db->load(B, std::nullopt, std::nullopt);
    REQUIRE(a);
    REQUIRE(b);
    CHECK(a->data == "same bytes");
    CHECK(b->data == "same bytes");
  }
}
