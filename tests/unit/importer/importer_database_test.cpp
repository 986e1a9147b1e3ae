// tests/unit/importer/importer_database_test.cpp
// The Importer backend (nodes/storage/database/importer_database) on ZODB's
// samples, without sockets: what it serves before, during and after the
// import equals what ZODB reads; an interrupted import resumes; new commits
// go above the file's end.
#include "nodes/storage/database/importer_database.hpp"

#include <catch2/catch.hpp>
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
  explicit Fixture(const std::string& name) : name(name), manifest(corpus_manifest(name)) {
    std::ofstream(conf) << "[neo]\nadapter = SQLite\ndatabase = " << dir.file("neo.sqlite")
                        << "\n[root]\nstorage =\n  <filestorage>\n    path " << corpus_file(name)
                        << "\n  </filestorage>\n";
  }
  std::unique_ptr<ImporterDatabase> open(bool with_pt = true) {
    auto db = ImporterDatabase::open(conf, false, false);
    if (with_pt && db->num_partitions() == 0) storage::test::give_partitions(*db, 12);
    return db;
  }
  neo::test::TempDir dir{"neo-importer"};
  std::string conf = dir.file("importer.conf");
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
  CHECK(hex64(ids->oid->value) == manifest["max_oid"]);
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
  CHECK_FALSE(db->set_truncate_tid(last));
}
