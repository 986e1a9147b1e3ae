// Listings, replication helpers, check digests, deletions, truncation,
// partition drop and pack.
#include <catch2/catch.hpp>

#include "nodes/storage/database/database_logic.hpp"
#include "tests/unit/storage/db_backend.hpp"

using namespace neo;
using namespace neo::storage;
using namespace neo::storage::test;

namespace {

using Records = std::vector<std::pair<Tid, Oid>>;

// Writes a committed transaction the way replication does (AddTransaction,
// AddObject); an empty value is a deletion.
void replicate(Database& db, Tid tid, const std::vector<std::pair<Oid, std::string>>& objects) {
  std::vector<ObjectRef> refs;
  std::vector<Oid> oids;
  for (const auto& [oid, value] : objects) {
    auto id = db.store_data(value.empty() ? "" : sha1(value), oid, value, 0, std::nullopt);
    REQUIRE(id);
    refs.push_back({oid, *id, std::nullopt});
    oids.push_back(oid);
  }
  const TransactionMeta meta{oids, "", "", "", false, tid};
  REQUIRE_FALSE(db.store_transaction(tid, refs, &meta, false));
  REQUIRE_FALSE(db.commit());
}

// np = 2: transactions 10, 12, 20 in partition 0, 15 in partition 1;
// objects (tid, oid): p0 (10,2) (10,4) (12,2) (20,0) (20,4 deleted);
// p1 (15,1) (15,3).
std::unique_ptr<Database> dataset(const BackendDb& backend) {
  auto db = backend.open();
  give_partitions(*db, 2);
  replicate(*db, Tid{10}, {{Oid{2}, "a"}, {Oid{4}, "b"}});
  replicate(*db, Tid{12}, {{Oid{2}, "c"}});
  replicate(*db, Tid{15}, {{Oid{1}, "d"}, {Oid{3}, "e"}});
  replicate(*db, Tid{20}, {{Oid{0}, "f"}, {Oid{4}, ""}});
  return db;
}

std::string hex_digest(const std::string& digest) { return hex_of(digest); }

}  // namespace

TEST_CASE("check digests are SHA-1 of the decimal ids joined with commas", "[storage]") {
  BackendDb backend;
  auto db = dataset(backend);
  // Expected values computed with Python's hashlib.sha1(b"10,12,20") etc.
  auto t = db->check_tid_range(0, std::nullopt, kZeroTid, kMaxTid);
  REQUIRE(t);
  CHECK(t->count == 3);
  CHECK(hex_digest(t->checksum) == "3cead2f7b44407e5e2e630f3bc1e89abf4f7f6d6");
  CHECK(t->max_tid == Tid{20});
  t = db->check_tid_range(0, 2, Tid{11}, kMaxTid);
  REQUIRE(t);
  CHECK(t->count == 2);
  CHECK(hex_digest(t->checksum) == "7fab4f7e0ac11ea32d16cb8c762ef4c0e39a45c9");
  CHECK(t->max_tid == Tid{20});
  t = db->check_tid_range(1, std::nullopt, kZeroTid, kMaxTid);
  REQUIRE(t);
  CHECK(hex_digest(t->checksum) == "f1abd670358e036c31296e66b3b66c382ac00812");
  t = db->check_tid_range(0, std::nullopt, Tid{21}, kMaxTid);
  REQUIRE(t);
  CHECK(t->count == 0);
  CHECK(t->checksum == std::string(20, '\0'));
  CHECK(t->max_tid == kZeroTid);

  auto s = db->check_serial_range(0, std::nullopt, kZeroTid, kMaxTid, kZeroOid);
  REQUIRE(s);
  CHECK(s->count == 5);
  CHECK(hex_digest(s->tid_checksum) == "f4fd3dcdfc1191e111f477f8b87afe3156d74319");
  CHECK(s->max_tid == Tid{20});
  CHECK(hex_digest(s->oid_checksum) == "f17d057851653f1dda9fdad655754598e81ec68c");
  CHECK(s->max_oid == Oid{4});
  s = db->check_serial_range(0, 2, Tid{10}, kMaxTid, Oid{3});
  REQUIRE(s);
  CHECK(s->count == 2);
  CHECK(hex_digest(s->tid_checksum) == "52d9e393df1f2c20d5e07e2587c1111e901dcf25");
  CHECK(s->max_tid == Tid{12});
  CHECK(hex_digest(s->oid_checksum) == "e16ea3d886919b84f47567cc56a60110519b07f8");
  CHECK(s->max_oid == Oid{2});
  s = db->check_serial_range(0, std::nullopt, kZeroTid, Tid{12}, kZeroOid);
  REQUIRE(s);
  CHECK(hex_digest(s->tid_checksum) == "d653dbb56b770e7c5ca8b097cda6e77f9787da76");
  CHECK(hex_digest(s->oid_checksum) == "a6880bd539fae5512b884eefdc5f39b86d51af2c");
  s = db->check_serial_range(1, std::nullopt, Tid{16}, kMaxTid, kZeroOid);
  REQUIRE(s);
  CHECK(s->count == 0);
  CHECK(s->tid_checksum == std::string(20, '\0'));
  CHECK(s->oid_checksum == std::string(20, '\0'));
}

TEST_CASE("replication lists transactions and object records in ranges", "[storage]") {
  BackendDb backend;
  auto db = dataset(backend);
  CHECK(db->replication_tid_list(kZeroTid, kMaxTid, std::nullopt, 0).value() ==
        std::vector<Tid>{Tid{10}, Tid{12}, Tid{20}});
  CHECK(db->replication_tid_list(Tid{11}, Tid{19}, 5, 0).value() == std::vector<Tid>{Tid{12}});
  CHECK(db->replication_tid_list(kZeroTid, kMaxTid, 1, 1).value() == std::vector<Tid>{Tid{15}});

  CHECK(db->replication_object_list(Tid{10}, Tid{20}, std::nullopt, 0, Oid{3}).value() ==
        Records{{Tid{10}, Oid{4}}, {Tid{12}, Oid{2}}, {Tid{20}, Oid{0}}, {Tid{20}, Oid{4}}});
  CHECK(db->replication_object_list(Tid{10}, Tid{20}, 2, 0, Oid{3}).value() ==
        Records{{Tid{10}, Oid{4}}, {Tid{12}, Oid{2}}});
  CHECK(db->replication_object_list(Tid{10}, Tid{20}, 1, 0, kZeroOid).value() ==
        Records{{Tid{10}, Oid{2}}});
  CHECK(db->replication_object_list(Tid{10}, Tid{20}, 0, 0, kZeroOid).value().empty());
  CHECK(db->replication_object_list(Tid{20}, Tid{10}, 5, 0, kZeroOid).value().empty());

  // The record (serial, oid) alone, if any.
  const auto fetch = [&](Tid serial, Oid oid) -> Result<std::optional<ObjectRecord>> {
    std::optional<ObjectRecord> found;
    const auto partition = static_cast<std::uint32_t>(oid.value % 2);  // np = 2
    auto read =
        db->visit_objects(partition, {serial, oid}, {serial, oid}, [&](Oid, ObjectRecord&& r) {
          found = std::move(r);
          return true;
        });
    if (!read) return read.error();
    return found;
  };
  auto deleted = fetch(Tid{20}, Oid{4});
  REQUIRE(deleted);
  REQUIRE(*deleted);
  CHECK_FALSE((*deleted)->has_data());
  auto record = fetch(Tid{10}, Oid{2});
  REQUIRE(record);
  REQUIRE(*record);
  CHECK((*record)->data == "a");
  CHECK_FALSE((*record)->next_serial);  // not computed for replication
  CHECK_FALSE(fetch(Tid{11}, Oid{2}).value());

  // A range of records with their data, bounds included, in (tid, oid) order.
  std::vector<std::string> seen;
  const auto visit = [&](Oid oid, ObjectRecord&& r) {
    seen.push_back(std::to_string(r.serial.value) + ":" + std::to_string(oid.value) + "=" +
                   (r.has_data() ? r.data : "-"));
    return true;
  };
  CHECK(db->visit_objects(0, {Tid{10}, Oid{4}}, {Tid{20}, Oid{0}}, visit).value() == 3);
  CHECK(seen == std::vector<std::string>{"10:4=b", "12:2=c", "20:0=f"});
  seen.clear();
  CHECK(db->visit_objects(0, {Tid{10}, Oid{0}}, {Tid{20}, Oid{9}}, visit).value() == 5);
  CHECK(seen.back() == "20:4=-");  // a deletion
  // The visitor stops the read.
  CHECK(db->visit_objects(0, {Tid{10}, Oid{0}}, {Tid{20}, Oid{9}}, [](Oid, ObjectRecord&&) {
            return false;
          }).value() == 1);
  CHECK(db->visit_objects(5, {Tid{10}, Oid{0}}, {Tid{20}, Oid{9}}, visit).error() ==
        errc::non_readable_cell);  // no cell of ours

  auto info = db->transaction(Tid{15}, false);
  REQUIRE(info);
  REQUIRE(*info);
  CHECK((*info)->meta.oids == std::vector<Oid>{Oid{1}, Oid{3}});
  CHECK((*info)->meta.ttid == Tid{15});
  CHECK_FALSE(db->transaction(Tid{14}, false).value());

  // The same record again (an interrupted replication) is accepted; another is not.
  const ObjectRef same{Oid{2}, 0, std::nullopt};
  CHECK_FALSE(db->store_transaction(Tid{10}, {&same, 1}, nullptr, false));
  const ObjectRef different{Oid{2}, std::nullopt, std::nullopt};
  CHECK(db->store_transaction(Tid{10}, {&different, 1}, nullptr, false));
}

TEST_CASE("oids_from lists the oids alive at a tid, chunk by chunk", "[storage]") {
  BackendDb backend;
  auto db = dataset(backend);
  auto all = db->oids_from(0, 10, kZeroOid, kMaxTid);
  REQUIRE(all);
  CHECK_FALSE(all->next_oid);
  CHECK(all->oids == std::vector<Oid>{Oid{0}, Oid{2}});  // 4 is deleted
  auto chunk = db->oids_from(0, 2, kZeroOid, kMaxTid);
  REQUIRE(chunk);
  CHECK(chunk->next_oid == Oid{4});
  CHECK(chunk->oids == std::vector<Oid>{Oid{0}, Oid{2}});
  auto old = db->oids_from(0, 10, kZeroOid, Tid{10});
  REQUIRE(old);
  CHECK(old->oids == std::vector<Oid>{Oid{2}, Oid{4}});
}

TEST_CASE("deletions, truncation and partition drop prune data", "[storage]") {
  BackendDb backend;
  auto db = dataset(backend);
  CHECK(backend.count("data") == 6);
  REQUIRE_FALSE(db->delete_object(Oid{2}, Tid{12}));
  REQUIRE_FALSE(db->delete_transaction(Tid{12}));
  REQUIRE_FALSE(db->commit());
  CHECK(backend.count("data") == 5);
  CHECK(db->replication_tid_list(kZeroTid, kMaxTid, std::nullopt, 0).value() ==
        std::vector<Tid>{Tid{10}, Tid{20}});

  REQUIRE_FALSE(db->set_truncate_tid(Tid{12}));
  REQUIRE_FALSE(db->commit());
  REQUIRE_FALSE(db->truncate());
  CHECK_FALSE(db->truncate_tid());
  CHECK(db->last_ids().value().tid == Tid{10});
  CHECK(db->last_ids().value().oid == Oid{4});
  CHECK(backend.count("trans") == 1);
  CHECK(backend.count("data") == 2);  // a and b

  bool more = true;
  int calls = 0;
  while (more) {
    auto result = db->drop_partition(0, 1);
    REQUIRE(result);
    more = *result;
    ++calls;
  }
  REQUIRE_FALSE(db->commit());
  CHECK(calls == 4);  // two object rows, one transaction, then nothing
  CHECK(backend.count("obj") + backend.count("trans") + backend.count("data") == 0);
}

TEST_CASE("pack keeps the last revision before the pack TID", "[storage]") {
  BackendDb backend;
  auto db = backend.open();
  give_partitions(*db, 2);
  replicate(*db, Tid{10}, {{Oid{2}, "a"}, {Oid{4}, "b"}, {Oid{6}, "c"}});
  replicate(*db, Tid{12}, {{Oid{2}, "d"}});
  replicate(*db, Tid{14}, {{Oid{4}, ""}});
  replicate(*db, Tid{20}, {{Oid{2}, ""}});
  auto progress = db->pack_partition(0, kZeroOid, Tid{15}, 100);
  REQUIRE(progress);
  CHECK(progress->last_oid == Oid{6});
  CHECK(progress->pruned_data == 2);  // "a" (older than 12) and "b" (deleted at 14)
  progress = db->pack_partition(0, Oid{7}, Tid{15}, 100);
  REQUIRE(progress);
  CHECK_FALSE(progress->last_oid);
  REQUIRE_FALSE(db->commit());
  CHECK(backend.rows("SELECT oid, tid FROM obj ORDER BY oid, tid") ==
        std::vector<std::vector<std::string>>{{"2", "12"}, {"2", "20"}, {"6", "10"}});
  const std::vector<Oid> oids{Oid{2}};
  progress = db->pack_oids(0, oids, Tid{25});
  REQUIRE(progress);
  CHECK(progress->pruned_data == 1);
  REQUIRE_FALSE(db->commit());
  CHECK(backend.rows("SELECT oid, tid FROM obj ORDER BY oid, tid") ==
        std::vector<std::vector<std::string>>{{"6", "10"}});
  CHECK(backend.count("data") == 1);
}

TEST_CASE("pack orders are stored, signed and listed; pack ids per cell", "[storage]") {
  BackendDb backend;
  auto db = backend.open();
  give_partitions(*db, 2);
  const std::optional<std::vector<Oid>> oids = std::vector<Oid>{Oid{2}};
  replicate(*db, Tid{12}, {});
  replicate(*db, Tid{13}, {});
  REQUIRE_FALSE(db->store_pack_order(Tid{12}, std::nullopt, true, oids, Tid{11}));
  REQUIRE_FALSE(db->store_pack_order(Tid{13}, std::nullopt, false, std::nullopt, Tid{13}));
  const std::vector<Tid> approved{Tid{12}, Tid{99}}, rejected{Tid{13}};
  auto signed_ = db->sign_pack_orders(approved, rejected);
  REQUIRE(signed_);
  CHECK(*signed_ == std::vector<Tid>{Tid{12}, Tid{13}});
  auto orders = db->pack_orders(kZeroTid);
  REQUIRE(orders);
  REQUIRE(orders->size() == 2);
  CHECK(orders->at(0) == protocol::PackOrder{Tid{12}, true, true, oids, Tid{11}});
  CHECK(orders->at(1) == protocol::PackOrder{Tid{13}, false, false, std::nullopt, Tid{13}});
  auto info = db->transaction(Tid{12}, false);
  REQUIRE(info);
  REQUIRE(*info);
  REQUIRE((*info)->pack);
  CHECK(*(*info)->pack == protocol::TransactionPack{true, true, oids, Tid{11}});

  using Packed = std::vector<std::pair<std::uint32_t, Tid>>;
  CHECK(db->packed_ids(false).value() == Packed{{0, kZeroTid}, {1, kZeroTid}});
  REQUIRE_FALSE(db->set_partition_packed(0, Tid{12}));
  REQUIRE_FALSE(db->update_completed_pack_by_replication(1, Tid{5}));  // 5 > 0: kept
  CHECK(db->packed_ids(true).value() == Packed{{0, Tid{12}}, {1, kZeroTid}});
  REQUIRE_FALSE(db->update_completed_pack_by_replication(0, Tid{7}));
  CHECK(db->packed_ids(false).value() == Packed{{0, Tid{7}}, {1, kZeroTid}});
}
