// tests/unit/importer/importer_database_test.cpp
// The Importer backend (nodes/storage/database/importer_database) on ZODB's
// samples, without sockets: what it serves before, during and after the
// import equals what ZODB reads; an interrupted import resumes; new commits
// go above the file's end.
#include "nodes/storage/database/importer_database.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <numeric>

#include "core/util/record_data.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/unit/importer/fs_corpus.hpp"
#include "tests/unit/storage/storage_test_support.hpp"

using namespace neo;
using namespace neo::storage;
using namespace neo::importer::test;

namespace {

struct Fixture {
  // `writeback`: on a copy of the file, written back to.
  explicit Fixture(const std::string& name, bool writeback = false)
      : name(name), manifest(corpus_manifest(name)) {
    if (writeback) std::filesystem::copy_file(corpus_file(name), source);
    std::ofstream(conf) << "[neo]\nadapter = SQLite\ndatabase = " << dir.file("neo.sqlite")
                        << "\nwriteback = " << (writeback ? "true" : "false")
                        << "\n[root]\nstorage =\n  <filestorage>\n    path "
                        << (writeback ? source : corpus_file(name)) << "\n  </filestorage>\n";
  }
  std::unique_ptr<ImporterDatabase> open(bool with_pt = true) {
    auto db = ImporterDatabase::open(conf, false, false);
    if (with_pt && db->num_partitions() == 0) storage::test::give_partitions(*db, 12);
    return db;
  }
  neo::test::TempDir dir{"neo-importer"};
  std::string conf = dir.file("importer.conf");
  std::string source = dir.file("Data.fs");
  std::string name;
  nlohmann::json manifest;
};

// Every revision and transaction of the manifest, as `db` serves them, and
// the latest revision of every oid but `changed`.
void check_all(Database& db, const nlohmann::json& manifest,
               std::optional<Oid> changed = std::nullopt) {
  for (const nlohmann::json& txn : manifest["transactions"]) {
    Tid tid{from_hex64(txn["tid"])};
    Result<std::optional<TransactionInfo>> info = db.transaction(tid, false);
    REQUIRE(info);
    REQUIRE(*info);
    CHECK(hex((*info)->meta.user) == txn["user_hex"]);
    CHECK(hex((*info)->meta.description) == txn["description_hex"]);
    CHECK(hex((*info)->meta.extension) == txn["extension_hex"]);
    CHECK((*info)->meta.oids.size() == txn["records"].size());
    for (const nlohmann::json& record : txn["records"]) {
      Oid oid{from_hex64(record["oid"])};
      INFO("oid " << record["oid"] << " at " << txn["tid"]);
      Result<ObjectRecord> got = db.load(oid, tid, std::nullopt);
      REQUIRE(got);
      CHECK(got->serial == tid);
      CHECK((got->has_data() ? hex(sha1(decompress(*got->compression, got->data).value())) : "") ==
            json_text(record["data_sha1"]));
      CHECK((got->data_serial ? hex64(got->data_serial->value) : "") ==
            json_text(record["data_txn"]));
      Result<ObjectRecord> before = db.load(oid, std::nullopt, Tid{tid.value + 1});
      REQUIRE(before);
      CHECK(before->serial == tid);
      CHECK(before->next_serial == got->next_serial);
    }
  }
  for (const nlohmann::json& object : manifest["objects"]) {
    const Oid oid{from_hex64(object["oid"])};
    if (object["tid"].is_null() || oid == changed) continue;
    Result<ObjectRecord> latest = db.load(oid, std::nullopt, std::nullopt);
    REQUIRE(latest);
    CHECK(hex64(latest->serial.value) == object["tid"]);
    CHECK_FALSE(latest->next_serial);
  }
  Result<LastIds> ids = db.last_ids();
  REQUIRE(ids);
  CHECK(ids->oid->value >= from_hex64(manifest["max_oid"]));  // more if new oids were committed
}

// Commits `objects` as the storage node does: vote, lock, unlock, deferred commit.
void commit(Database& db, Tid tid, const std::vector<ObjectRef>& objects) {
  TransactionMeta meta{.user = "writer", .description = "through NEO", .ttid = tid};
  for (const ObjectRef& object : objects) meta.oids.push_back(object.oid);
  REQUIRE_FALSE(db.store_transaction(tid, objects, &meta, true));
  REQUIRE_FALSE(db.lock_transaction(tid, tid, false));
  REQUIRE_FALSE(db.unlock_transaction(tid, tid, true, true, false));
  db.defer_commit();
  REQUIRE_FALSE(db.commit_deferred());
}

// Imports one transaction per step until `count` are imported.
void import_until(ImporterDatabase& db, std::uint64_t count) {
  while (db.importing() && db.progress().transactions < count) REQUIRE(db.import_step(0));
}

}  // namespace

TEST_CASE("the Importer serves a FileStorage before, during and after its import", "[importer]") {
  for (const char* name : {"small", "history"}) {
    INFO(name);
    Fixture f(name);
    auto db = f.open();
    const std::uint64_t total = f.manifest["transaction_count"];
    CHECK(db->importing());
    CHECK(db->progress().total_transactions == total);
    CHECK(hex64(db->last_ids()->oid->value) == f.manifest["max_oid"]);
    check_all(*db, f.manifest);
    import_until(*db, total / 3);
    CHECK(db->progress().transactions == total / 3);
    check_all(*db, f.manifest);
    import_until(*db, total * 2 / 3);
    check_all(*db, f.manifest);
    CHECK(db->object_history(Oid{0}, 0, 10).error() == errc::backend_not_implemented);
    while (db->importing()) REQUIRE(db->import_step(1));
    CHECK(db->progress().transactions == total);
    CHECK(db->progress().bytes == db->progress().total_bytes);
    check_all(*db, f.manifest);  // now from the destination alone
    CHECK(db->object_history(Oid{0}, 0, 10));
    db.reset();
    auto native = storage::test::open_fast(f.dir.file("neo.sqlite"));
    check_all(*native, f.manifest);
  }
}

TEST_CASE("an interrupted import resumes after its last commit", "[importer]") {
  Fixture f("history");
  const std::uint64_t total = f.manifest["transaction_count"];
  {
    auto db = f.open();
    import_until(*db, 100);
    REQUIRE_FALSE(db->commit());
    import_until(*db, 150);
    db->crash();  // the last 50 were not committed
  }
  auto db = f.open();
  CHECK(db->importing());
  CHECK(db->progress().transactions == 100);
  check_all(*db, f.manifest);
  while (db->importing()) REQUIRE(db->import_step(1));
  CHECK(db->progress().transactions == total);
  check_all(*db, f.manifest);
  db.reset();
  CHECK_FALSE(f.open()->importing());
}

TEST_CASE("new commits go above the file's last tid, even while importing", "[importer]") {
  Fixture f("small");
  auto db = f.open();
  const Tid last{from_hex64(f.manifest["last_tid"])};
  Result<LastIds> ids = db->last_ids();
  REQUIRE(ids);
  CHECK(ids->tid == last);
  const Oid root{0};
  const Tid serial = db->load(root, std::nullopt, std::nullopt)->serial;
  const Tid tid{last.value + 100};
  StoredData stored = compress("new root");
  auto id = db->store_data(sha1(stored.data), root, stored.data, stored.compression, std::nullopt);
  REQUIRE(id);
  std::vector<ObjectRef> objects{{.oid = root, .data_id = *id}};
  TransactionMeta meta{.oids = {root}, .user = "u", .ttid = tid};
  REQUIRE_FALSE(db->store_transaction(tid, objects, &meta, false));
  REQUIRE_FALSE(db->commit());
  CHECK(db->importing());
  CHECK(db->last_ids()->tid == tid);
  CHECK(db->load(root, std::nullopt, std::nullopt)->serial == tid);
  Result<ObjectRecord> previous = db->load(root, std::nullopt, tid);
  REQUIRE(previous);
  CHECK(previous->serial == serial);  // from the file
  CHECK(previous->next_serial == tid);
  std::vector<std::uint32_t> all(12);
  std::iota(all.begin(), all.end(), 0);
  Result<std::vector<Tid>> tids = db->tid_list(0, 1000, all);
  REQUIRE(tids);
  REQUIRE(tids->size() == f.manifest["transaction_count"].get<std::size_t>() + 1);
  CHECK(tids->front() == tid);
  CHECK(tids->at(1) == last);
  // A client's iterator (AskTIDsFrom), partition by partition, ascending.
  std::vector<Tid> iterated;
  for (std::uint32_t p : all) {
    Result<std::vector<Tid>> some = db->replication_tid_list(Tid{}, neo::kMaxTid, std::nullopt, p);
    REQUIRE(some);
    CHECK(std::is_sorted(some->begin(), some->end()));
    iterated.insert(iterated.end(), some->begin(), some->end());
    Result<std::vector<Tid>> two = db->replication_tid_list(Tid{}, neo::kMaxTid, 2, p);
    CHECK(two.value() ==
          std::vector<Tid>(some->begin(), some->begin() + std::min<long>(2, long(some->size()))));
  }
  std::sort(iterated.begin(), iterated.end(), std::greater<>());
  CHECK(iterated == *tids);
  check_all(*db, f.manifest, root);
  while (db->importing()) REQUIRE(db->import_step(1));
  CHECK(db->load(root, std::nullopt, tid)->next_serial == tid);
  CHECK(db->tid_list(0, 1000, all).value() == *tids);
  check_all(*db, f.manifest, root);
}

TEST_CASE("truncation below the file's end is refused", "[importer]") {
  Fixture f("small");
  auto db = f.open();
  const Tid last{from_hex64(f.manifest["last_tid"])};
  CHECK(db->set_truncate_tid(Tid{last.value - 1}) == errc::backend_not_implemented);
  CHECK(db->last_error().find("restart the node on its native backend (-a SQLite -d ") !=
        std::string::npos);
  CHECK_FALSE(db->set_truncate_tid(last));
}

TEST_CASE("writeback appends what NEO commits to the file, whose imported part stays as it was",
          "[importer]") {
  Fixture f("history", true);
  auto db = f.open();
  import_until(*db, 200);  // while importing
  const Tid last{from_hex64(f.manifest["last_tid"])};
  const Oid root{0}, fresh{from_hex64(f.manifest["max_oid"]) + 1};
  const Tid first_root{from_hex64(f.manifest["transactions"][0]["tid"])};
  StoredData stored = compress("new root state");
  auto id = db->hold_data(sha1(stored.data), root, stored.data, stored.compression, std::nullopt);
  auto id2 = db->hold_data(sha1("fresh"), fresh, "fresh", 0, std::nullopt);
  const Tid t1{last.value + 10}, t2{last.value + 20}, t3{last.value + 30};
  commit(*db, t1, {{.oid = root, .data_id = *id}, {.oid = fresh, .data_id = *id2}});
  auto undo = db->hold_data("", root, "", 0, first_root);  // undo to the first revision
  REQUIRE(undo);
  commit(*db, t2, {{.oid = root, .data_id = *undo, .value_serial = first_root}});
  commit(*db, t3, {{.oid = fresh}});  // deleted

  const std::string original = neo::test::read_file(corpus_file("history"));
  CHECK(neo::test::read_file(f.source).substr(0, original.size()) == original);
  importer::FileStorage fs;
  REQUIRE_FALSE(fs.open(f.source));
  importer::FsIndex index;
  REQUIRE_FALSE(importer::update_index(fs, index));
  REQUIRE(index.transactions.size() == f.manifest["transaction_count"].get<std::size_t>() + 3);
  CHECK(index.last_tid == t3);
  auto at = [&](Oid oid, Tid tid) { return importer::load(fs, index, oid, tid, std::nullopt); };
  CHECK(at(root, t1)->data == "new root state");
  CHECK(at(fresh, t1)->data == "fresh");
  CHECK(at(root, t2)->data_tid == first_root);
  CHECK(at(root, t2)->data == at(root, first_root)->data);
  CHECK(at(fresh, t3)->data == std::nullopt);
  auto txn = fs.read_transaction(*index.position_of(t1));
  REQUIRE(txn);
  CHECK((*txn)->user == "writer");
  CHECK((*txn)->description == "through NEO");

  while (db->importing()) REQUIRE(db->import_step(1));
  check_all(*db, f.manifest, root);
  db.reset();
  CHECK(neo::test::read_file(f.source).size() == fs.size());  // nothing written twice at restart
  auto again = f.open();
  REQUIRE_FALSE(again->commit());
  CHECK(neo::test::read_file(f.source).size() == fs.size());
}
