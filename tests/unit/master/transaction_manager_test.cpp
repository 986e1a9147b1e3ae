#include "nodes/master/transaction_manager.hpp"
#include "nodes/master/pack_manager.hpp"

#include <catch2/catch.hpp>

using neo::NodeId;
using neo::Oid;
using neo::Tid;
using neo::master::add_tid;
using neo::master::Transaction;
using neo::master::TransactionManager;

namespace {

const NodeId C1{static_cast<std::int32_t>(0xe0000001)}, C2{static_cast<std::int32_t>(0xe0000002)};
const NodeId S1{1}, S2{2};

struct Fixture {
  double now = 1700000000.0;  // 2023-11-14 22:13:20 UTC
  TransactionManager tm{[this] { return now; }};
  std::vector<Tid> committed;
  TransactionManager::Committed on_commit = [this](Transaction& t) { committed.push_back(*t.tid); };

  TransactionManager::Layout layout(std::uint32_t partitions = 4) {
    TransactionManager::Layout l;
    l.num_partitions = partitions;
    l.cells = [](std::uint32_t p) { return std::vector<NodeId>{p % 2 ? S2 : S1}; };
    l.ready = {S1, S2};
    l.operational = [](const std::set<NodeId>& excluded) { return excluded.empty(); };
    return l;
  }
};

}  // namespace

TEST_CASE("add_tid moves the lower part and carries minutes", "[master][tm]") {
  const Tid t = neo::tid_from_time(1700000000.0);
  CHECK(add_tid(t, 1).value == t.value + 1);
  CHECK(add_tid(add_tid(t, 5), -5) == t);
  // the last unit of a minute + 1 = the next minute, lower part 0
  const Tid end{(t.value & ~0xffffffffULL) | 0xffffffffULL};
  const Tid next = add_tid(end, 1);
  CHECK((next.value & 0xffffffffULL) == 0);
  CHECK(neo::time_from_tid(next) == Approx(neo::time_from_tid(Tid{t.value & ~0xffffffffULL}) + 60));
  // and back
  CHECK(add_tid(next, -1) == end);
}

TEST_CASE("new oids follow the last oid", "[master][tm]") {
  Fixture f;
  f.tm.set_last_oid(Oid{10});
  f.tm.set_last_oid(Oid{3});  // never decreases
  CHECK(f.tm.new_oids(3) == std::vector<Oid>{Oid{11}, Oid{12}, Oid{13}});
  CHECK(f.tm.last_oid() == Oid{13});
  CHECK(f.tm.new_oids(0).empty());
}

TEST_CASE("TTIDs are monotonic even when the clock goes backwards", "[master][tm]") {
  Fixture f;
  Tid a = *f.tm.begin(C1, 0, {});
  CHECK(a == neo::tid_from_time(f.now));
  f.now -= 3600;  // clock back one hour
  Tid b = *f.tm.begin(C2, 0, {});
  CHECK(b == add_tid(a, 1));
  // last committed TID in the future too
  f.tm.set_last_transaction(add_tid(b, 1000));
  CHECK(f.tm.last_tid() == b);  // transactions in progress: the max TTID
}

TEST_CASE("the final TID is in the TTID's partition and above every TID given", "[master][tm]") {
  Fixture f;
  Tid ttid = *f.tm.begin(C1, 0, {});
  f.now += 1;
  auto prepared = f.tm.prepare(ttid, {Oid{1}, Oid{2}}, {}, {}, 9, f.layout(7));
  REQUIRE(prepared);
  REQUIRE(prepared->tid);
  CHECK(prepared->tid->value % 7 == ttid.value % 7);
  CHECK(*prepared->tid > ttid);
  CHECK(f.tm.last_oid() == Oid{2});
  // clock back: still above
  Tid ttid2 = *f.tm.begin(C2, 0, {});
  f.now -= 100;
  auto p2 = f.tm.prepare(ttid2, {}, {}, {}, 9, f.layout(7));
  REQUIRE(p2->tid);
  CHECK(*p2->tid > *prepared->tid);
  CHECK(p2->tid->value % 7 == ttid2.value % 7);
}

TEST_CASE("storages to lock: cells of the oids, deleted, checked and ttid partitions",
          "[master][tm]") {
  Fixture f;
  Tid ttid = *f.tm.begin(C1, 0, {});
  // partition of ttid may be either parity; oid 1 -> partition 1 -> S2
  auto prepared = f.tm.prepare(ttid, {Oid{1}}, {}, {0}, 9, f.layout());
  REQUIRE(prepared->tid);
  std::set<NodeId> lock(prepared->lock.begin(), prepared->lock.end());
  CHECK(lock == std::set<NodeId>{S1, S2});
  CHECK(f.tm.find(ttid)->partition_list == std::vector<std::int64_t>{1});
  // invalid partitions are a protocol error
  Tid t2 = *f.tm.begin(C2, 0, {});
  CHECK_FALSE(f.tm.prepare(t2, {}, {99}, {}, 9, f.layout()));
}

TEST_CASE("unlocks are serialized in TID order", "[master][tm]") {
  Fixture f;
  auto l = f.layout();
  l.cells = [](std::uint32_t) { return std::vector<NodeId>{S1, S2}; };
  Tid a = *f.tm.begin(C1, 0, {});
  Tid b = *f.tm.begin(C2, 0, {});
  Tid tid_a = *f.tm.prepare(a, {Oid{1}}, {}, {}, 1, l)->tid;
  Tid tid_b = *f.tm.prepare(b, {Oid{2}}, {}, {}, 2, l)->tid;
  REQUIRE(tid_a < tid_b);
  CHECK(!f.tm.lock(b, S1, f.on_commit));
  CHECK(!f.tm.lock(b, S2, f.on_commit));
  CHECK(f.committed.empty());  // b waits for a
  CHECK(!f.tm.lock(a, S1, f.on_commit));
  CHECK(f.committed.empty());
  CHECK(!f.tm.lock(a, S2, f.on_commit));
  CHECK(f.committed == std::vector<Tid>{tid_a, tid_b});
  CHECK(f.tm.last_transaction() == tid_b);
  CHECK(f.tm.first_tid() == tid_a);
  CHECK_FALSE(f.tm.has_pending());
  // a lock for an unknown ttid is an error
  CHECK(f.tm.lock(a, S1, f.on_commit));
}

TEST_CASE("a storage lost during the commit is not waited for", "[master][tm]") {
  Fixture f;
  auto l = f.layout();
  l.cells = [](std::uint32_t) { return std::vector<NodeId>{S1, S2}; };
  Tid a = *f.tm.begin(C1, 0, {});
  f.tm.register_for_notification(S2);
  (void)f.tm.prepare(a, {Oid{1}}, {}, {}, 1, l);
  CHECK(!f.tm.lock(a, S1, f.on_commit));
  f.tm.storage_lost(S2, f.on_commit);
  REQUIRE(f.committed.size() == 1);
  CHECK_FALSE(f.tm.has_pending());
}

TEST_CASE("begin with a TID: no concurrency, above the last transaction", "[master][tm]") {
  Fixture f;
  f.tm.set_last_transaction(Tid{100});
  CHECK_FALSE(f.tm.begin(C1, 0, Tid{100}));
  Tid t = *f.tm.begin(C1, 0, Tid{200});
  CHECK(t == Tid{200});
  CHECK_FALSE(f.tm.begin(C2, 0, {}));         // one with a TID in progress
  CHECK_FALSE(f.tm.begin(C2, 0, Tid{300}));
  auto p = f.tm.prepare(t, {}, {}, {}, 1, f.layout());
  CHECK(*p->tid == Tid{200});  // the given TID is the final one
}

TEST_CASE("abort, client lost, orphans", "[master][tm]") {
  Fixture f;
  Tid a = *f.tm.begin(C1, 0, {});
  Tid b = *f.tm.begin(C1, 0, {});
  Tid c = *f.tm.begin(C2, 0, {});
  f.tm.register_for_notification(S1);
  auto notify = f.tm.abort(a);
  REQUIRE(notify);
  CHECK(*notify == std::set<NodeId>{S1});
  CHECK_FALSE(f.tm.abort(a));  // unknown now
  (void)f.tm.prepare(c, {}, {}, {}, 1, f.layout());
  CHECK_FALSE(f.tm.abort(c));  // commit already requested
  f.tm.find(b)->notify.insert(C2);
  auto aborted = f.tm.client_lost(C1);
  REQUIRE(aborted.size() == 1);
  CHECK(aborted[0].first == b);
  CHECK(f.tm.client_lost(C2).empty());  // c is prepared: orphan, goes on
  CHECK(f.tm.find(c)->client == std::nullopt);
}

TEST_CASE("failed vote", "[master][tm]") {
  Fixture f;
  auto op = [](const std::set<NodeId>& ex) { return !ex.count(S1) || !ex.count(S2); };
  Tid a = *f.tm.begin(C1, 0, {});
  Tid b = *f.tm.begin(C2, 0, {});
  CHECK(*f.tm.vote(a, {}, op));
  CHECK(*f.tm.vote(a, {S1}, op));
  CHECK_FALSE(*f.tm.vote(b, {S1, S2}, op));
  // b failing on S2 with a failed on S1: retry later
  auto r = f.tm.vote(b, {S2}, op);
  REQUIRE_FALSE(r);
  CHECK(r.error() == neo::errc::not_ready);
  // a's failed storage is closed, not locked, at prepare
  auto l = f.layout();
  l.cells = [](std::uint32_t) { return std::vector<NodeId>{S1, S2}; };
  l.operational = [&](const std::set<NodeId>& ex) { return op(ex); };
  auto p = f.tm.prepare(a, {}, {}, {}, 1, l);
  CHECK(p->close == std::vector<NodeId>{S1});
  CHECK(p->lock == std::vector<NodeId>{S2});
}

TEST_CASE("pack manager: autosign, dump, completion", "[master][pack]") {
  neo::master::PackManager pm;
  CHECK(pm.create(Tid{10}, std::nullopt, Tid{5}));
  pm.add({Tid{20}, std::nullopt, true, std::vector<Oid>{Oid{1}}, Tid{6}});  // awaiting approval
  CHECK_FALSE(pm.create(Tid{30}, std::vector<Oid>{Oid{2}}, Tid{7}));   // no autosign then
  CHECK(pm.dump(Tid{11}, true).empty());  // no approved one from 11 on
  CHECK(pm.dump(neo::kZeroTid, true).size() == 1);
  CHECK(pm.dump(Tid{11}, false).size() == 2);
  auto signed_packs = pm.approved_rejected();
  CHECK(signed_packs.approved == std::vector<Tid>{Tid{10}});
  CHECK(signed_packs.rejected.empty());
  CHECK(pm.completed(Tid{20}) == std::vector<Tid>{Tid{10}, Tid{20}});
  CHECK(pm.max_completed() == Tid{20});
  CHECK(pm.contains(Tid{30}));
  CHECK_FALSE(pm.contains(Tid{10}));
}
