// tests/unit/importer/fs_reader_test.cpp
// The FileStorage reader against the samples ZODB wrote, and against damaged
// copies of them.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <functional>

#include "importer/file_storage.hpp"
#include "importer/fs_index.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/unit/importer/fs_corpus.hpp"

using namespace neo;
using namespace neo::importer;
using namespace neo::importer::test;

namespace {

// A copy of corpus file `name` in `dir`, changed by `patch`.
std::string damaged(const neo::test::TempDir& dir, const std::string& name,
                    const std::function<void(std::string&)>& patch) {
  std::string bytes = neo::test::read_file(corpus_file(name));
  patch(bytes);
  std::string path = dir.file(name + ".fs");
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
  return path;
}

// Reads every transaction and record; the first error's message, or "".
std::string scan_error(const std::string& path, int* transactions = nullptr) {
  FileStorage fs;
  if (fs.open(path)) return fs.error();
  FsIterator it(fs);
  int count = 0;
  for (;;) {
    Result<std::optional<FsTransaction>> txn = it.next();
    if (!txn) return fs.error();
    if (!*txn) break;
    if (!fs.read_records(**txn)) return fs.error();
    ++count;
  }
  if (transactions) *transactions = count;
  return "";
}

void put64(std::string& bytes, std::uint64_t pos, std::uint64_t value) {
  bytes.replace(pos, 8, p64(value));
}

}  // namespace

TEST_CASE("every corpus file reads as ZODB read it, record for record", "[importer]") {
  for (const std::string& name : corpus_names()) {
    INFO(name);
    nlohmann::json manifest = corpus_manifest(name);
    FileStorage fs;
    REQUIRE_FALSE(fs.open(corpus_file(name)));
    FsIterator it(fs);
    std::size_t records = 0;
    for (const nlohmann::json& expected : manifest["transactions"]) {
      Result<std::optional<FsTransaction>> txn = it.next();
      REQUIRE(txn);
      REQUIRE(*txn);
      const FsTransaction& t = **txn;
      CHECK(hex64(t.tid().value) == expected["tid"]);
      CHECK(std::string(1, t.header.status) == expected["status"]);
      CHECK(t.pos == expected["pos"]);
      CHECK(t.header.tlen == expected["tlen"]);
      CHECK(hex(t.user) == expected["user_hex"]);
      CHECK(hex(t.description) == expected["description_hex"]);
      CHECK(hex(t.extension) == expected["extension_hex"]);
      Result<std::vector<FsRecord>> got = fs.read_records(t);
      REQUIRE(got);
      REQUIRE(got->size() == expected["records"].size());
      for (std::size_t i = 0; i < got->size(); ++i) {
        const FsRecord& r = (*got)[i];
        const nlohmann::json& e = expected["records"][i];
        INFO("record at " << r.pos);
        CHECK(hex64(r.oid().value) == e["oid"]);
        CHECK(r.pos == e["pos"]);
        CHECK(r.header.prev == e["prev"]);
        CHECK(r.header.plen == e["plen"]);
        CHECK((r.header.plen ? nlohmann::json() : nlohmann::json(r.back)) == e["back"]);
        CHECK(sha1_hex(r.data) == json_text(e["data_sha1"]));
        CHECK((r.data ? nlohmann::json(r.data->size()) : nlohmann::json()) == e["data_len"]);
        CHECK((r.data_tid ? hex64(r.data_tid->value) : "") == json_text(e["data_txn"]));
      }
      records += got->size();
    }
    Result<std::optional<FsTransaction>> end = it.next();
    REQUIRE(end);
    CHECK_FALSE(*end);
    CHECK(records == manifest["record_count"]);
  }
}

TEST_CASE("loads through the index give every oid's current state", "[importer]") {
  for (const std::string& name : corpus_names()) {
    INFO(name);
    nlohmann::json manifest = corpus_manifest(name);
    FileStorage fs;
    REQUIRE_FALSE(fs.open(corpus_file(name)));
    FsIndex index;
    REQUIRE_FALSE(update_index(fs, index));
    // ZODB's read-only lastTransaction() counts a trailing 'c' transaction; we do not.
    CHECK(hex64(index.last_tid->value) == manifest["transactions"].back()["tid"]);
    if (name != "inprogress") CHECK(hex64(index.last_tid->value) == manifest["last_tid"]);
    CHECK(hex64(index.max_oid->value) == manifest["max_oid"]);
    CHECK(index.latest.size() == manifest["object_count"]);
    CHECK(index.transactions.size() == manifest["transaction_count"]);
    for (const nlohmann::json& txn : manifest["transactions"]) {
      Tid tid{from_hex64(txn["tid"])};
      CHECK(index.position_of(tid) == txn["pos"].get<std::uint64_t>());
      CHECK_FALSE(index.position_of(Tid{tid.value + 1}));
    }
    for (const nlohmann::json& object : manifest["objects"]) {
      Oid oid{from_hex64(object["oid"])};
      Result<FsRevision> got = load(fs, index, oid, std::nullopt, std::nullopt);
      INFO(object["oid"]);
      REQUIRE(got);
      if (object["tid"].is_null()) {
        CHECK_FALSE(got->data);  // deleted, or its creation undone
        continue;
      }
      CHECK(hex64(got->serial.value) == object["tid"]);
      CHECK_FALSE(got->next_serial);
      CHECK(sha1_hex(got->data) == object["data_sha1"]);
    }
  }
}

TEST_CASE("every revision loads at its tid and before the next one", "[importer]") {
  nlohmann::json manifest = corpus_manifest("history");
  FileStorage fs;
  REQUIRE_FALSE(fs.open(corpus_file("history")));
  FsIndex index;
  REQUIRE_FALSE(update_index(fs, index));
  for (const nlohmann::json& txn : manifest["transactions"]) {
    Tid tid{from_hex64(txn["tid"])};
    for (const nlohmann::json& record : txn["records"]) {
      Oid oid{from_hex64(record["oid"])};
      Result<FsRevision> at = load(fs, index, oid, tid, std::nullopt);
      REQUIRE(at);
      CHECK(sha1_hex(at->data) == json_text(record["data_sha1"]));
      Result<FsRevision> before = load(fs, index, oid, std::nullopt, Tid{tid.value + 1});
      REQUIRE(before);
      CHECK(before->serial == tid);
      CHECK(before->pos == record["pos"]);
      if (at->next_serial) CHECK(*at->next_serial > tid);
    }
  }
  Oid root{0};
  CHECK(load(fs, index, root, std::nullopt, index.latest.empty() ? Tid{} : Tid{1}).error() ==
        errc::oid_does_not_exist);
  CHECK(load(fs, index, Oid{1ULL << 60}, std::nullopt, std::nullopt).error() ==
        errc::oid_does_not_exist);
  CHECK(load(fs, index, root, Tid{3}, std::nullopt).error() == errc::tid_not_found);
}

TEST_CASE("a transaction still being committed ends the file", "[importer]") {
  int transactions = 0;
  CHECK(scan_error(corpus_file("inprogress"), &transactions) == "");
  CHECK(transactions == 2);
  FileStorage fs;
  REQUIRE_FALSE(fs.open(corpus_file("inprogress")));
  FsIndex index;
  REQUIRE_FALSE(update_index(fs, index));
  CHECK(index.end < fs.size());
}

TEST_CASE("damaged files are refused, naming the file and the offset", "[importer]") {
  neo::test::TempDir dir("neo-fs-test");
  nlohmann::json manifest = corpus_manifest("small");
  const nlohmann::json& second = manifest["transactions"][1];
  const std::uint64_t pos = second["pos"];
  auto refused = [&](const std::function<void(std::string&)>& patch, const std::string& why) {
    std::string path = damaged(dir, "small", patch);
    std::string error = scan_error(path);
    INFO(error);
    CHECK(error.starts_with(path + ": offset "));
    CHECK(error.find(why) != std::string::npos);
  };
  refused([](std::string& b) { b[0] = 'X'; }, "not a FileStorage file");
  refused([](std::string& b) { b.resize(b.size() - 10); }, "it is truncated");
  refused([&](std::string& b) { b.resize(pos + 10); }, "it is truncated");
  refused([&](std::string& b) { put64(b, pos + 8, 1ULL << 40); }, "it is truncated");
  refused([&](std::string& b) { put64(b, pos + 8, 10); }, "shorter than its header");
  refused([&](std::string& b) { put64(b, pos + 8, second["tlen"].get<std::uint64_t>() - 8); },
          "redundant transaction length");
  refused([&](std::string& b) { b[pos + 16] = 'c'; }, "is not the last one");
  refused([&](std::string& b) { b[pos + 16] = 'x'; }, "invalid status");
  refused([&](std::string& b) { b.replace(pos, 8, b.substr(4, 8)); }, "is not above");
  const std::uint64_t record = second["records"][0]["pos"];
  refused([&](std::string& b) { put64(b, record + 24, 4); }, "points to the transaction at 4");
  refused([&](std::string& b) { put64(b, record + 16, record); }, "previous-record pointer");
  refused([&](std::string& b) { put64(b, record + 34, 1ULL << 50); }, "goes past");
}

TEST_CASE("a backpointer out of range or to another oid is refused", "[importer]") {
  neo::test::TempDir dir("neo-fs-test");
  nlohmann::json manifest = corpus_manifest("history");
  std::vector<nlohmann::json> records;
  for (const nlohmann::json& txn : manifest["transactions"])
    for (const nlohmann::json& record : txn["records"]) records.push_back(record);
  auto backpointer = std::find_if(records.begin(), records.end(), [](const nlohmann::json& r) {
    return r["back"].is_number() && r["back"] != 0;
  });
  REQUIRE(backpointer != records.end());
  const std::uint64_t at = (*backpointer)["pos"];
  auto other = std::find_if(records.begin(), backpointer, [&](const nlohmann::json& r) {
    return r["oid"] != (*backpointer)["oid"];
  });
  REQUIRE(other != backpointer);
  const std::uint64_t other_oid_record = (*other)["pos"];
  for (auto [back, why] : {std::pair<std::uint64_t, std::string>{at, "out of range"},
                           {1ULL << 62, "out of range"},
                           {other_oid_record, "where oid"}}) {
    std::string path = damaged(dir, "history", [&](std::string& b) { put64(b, at + 42, back); });
    std::string error = scan_error(path);
    INFO(error);
    CHECK(error.find(why) != std::string::npos);
  }
}
