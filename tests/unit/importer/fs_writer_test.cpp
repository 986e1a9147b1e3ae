// tests/unit/importer/fs_writer_test.cpp
// The FileStorage writer: copies of ZODB's files come out byte for byte, and
// appending to an existing file behaves as ZODB's restore().
#include "importer/fs_writer.hpp"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "importer/file_storage.hpp"
#include "importer/fs_index.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/unit/importer/fs_corpus.hpp"

using namespace neo;
using namespace neo::importer;
using namespace neo::importer::test;

namespace {

// What the writer needs to write `txn` again as it is.
FsNewTransaction as_new(const FsTransaction& txn, const std::vector<FsRecord>& records) {
  FsNewTransaction out{.tid = txn.tid(),
                       .status = txn.header.status,
                       .user = txn.user,
                       .description = txn.description,
                       .extension = txn.extension};
  for (const FsRecord& r : records) {
    FsNewRecord record{.oid = r.oid()};
    if (r.header.plen) record.data = r.data;
    if (r.back) record.data_tid = r.data_tid;
    out.records.push_back(std::move(record));
  }
  return out;
}

FsNewTransaction one_record(Tid tid, Oid oid, std::optional<std::string> data,
                            std::optional<Tid> data_tid = std::nullopt) {
  return FsNewTransaction{.tid = tid,
                          .user = "bob",
                          .description = "appended",
                          .records = {{.oid = oid, .data = data, .data_tid = data_tid}}};
}

}  // namespace

TEST_CASE("a file copied through the writer is the same, byte for byte", "[importer]") {
  neo::test::TempDir dir("neo-fs-writer");
  for (const std::string& name : corpus_names()) {
    INFO(name);
    FileStorage source;
    REQUIRE_FALSE(source.open(corpus_file(name)));
    FsWriter writer;
    const std::string copy = dir.file(name + ".fs");
    REQUIRE_FALSE(writer.create(copy));
    FsIterator it(source);
    for (;;) {
      Result<std::optional<FsTransaction>> txn = it.next();
      REQUIRE(txn);
      if (!*txn) break;
      Result<std::vector<FsRecord>> records = source.read_records(**txn);
      REQUIRE(records);
      INFO(writer.error());
      REQUIRE_FALSE(writer.append(as_new(**txn, *records)));
    }
    REQUIRE_FALSE(writer.sync());
    CHECK(neo::test::read_file(copy) ==
          neo::test::read_file(corpus_file(name)).substr(0, it.pos()));
  }
}

TEST_CASE("appending cuts a transaction left being committed, then goes on", "[importer]") {
  neo::test::TempDir dir("neo-fs-writer");
  const std::string path = dir.file("inprogress.fs");
  std::filesystem::copy_file(corpus_file("inprogress"), path);
  const std::string before = neo::test::read_file(path);
  FsWriter writer;
  REQUIRE_FALSE(writer.open(path));
  const FsIndex first = writer.index();
  CHECK(writer.cut_bytes() == before.size() - first.end);
  const Oid root{0};
  const Tid last = *first.last_tid;
  const Tid next{last.value + 1};
  REQUIRE_FALSE(writer.append(one_record(next, root, "new root state")));
  const Tid undo{next.value + 1};
  REQUIRE_FALSE(writer.append(one_record(undo, root, std::nullopt, last)));
  REQUIRE_FALSE(writer.append(one_record(Tid{undo.value + 1}, Oid{1ULL << 33}, std::nullopt)));
  REQUIRE_FALSE(writer.sync());

  const std::string after = neo::test::read_file(path);
  CHECK(after.substr(0, first.end) == before.substr(0, first.end));
  FileStorage fs;
  REQUIRE_FALSE(fs.open(path));
  FsIndex index;
  REQUIRE_FALSE(update_index(fs, index));
  CHECK(index.end == fs.size());
  CHECK(index.transactions.size() == first.transactions.size() + 3);
  CHECK(*index.max_oid == Oid{1ULL << 33});
  Result<FsRevision> latest = load(fs, index, root, std::nullopt, std::nullopt);
  REQUIRE(latest);
  CHECK(latest->serial == undo);
  CHECK(latest->data_tid == last);
  Result<FsRevision> original = load(fs, index, root, last, std::nullopt);
  REQUIRE(original);
  CHECK(latest->data == original->data);
  CHECK(load(fs, index, root, next, std::nullopt)->data == "new root state");
  Result<FsRevision> deleted = load(fs, index, Oid{1ULL << 33}, std::nullopt, std::nullopt);
  REQUIRE(deleted);
  CHECK_FALSE(deleted->data);
}

TEST_CASE("the writer refuses what ZODB could not read, and leaves the file as it was",
          "[importer]") {
  neo::test::TempDir dir("neo-fs-writer");
  const std::string path = dir.file("small.fs");
  std::filesystem::copy_file(corpus_file("small"), path);
  FsWriter writer;
  REQUIRE_FALSE(writer.open(path));
  const Tid last = *writer.index().last_tid;
  const Tid next{last.value + 1};
  CHECK(writer.append(one_record(last, Oid{0}, "x")) == errc::invalid_argument);
  CHECK(writer.error().find("is not above the last one") != std::string::npos);
  CHECK(writer.append(one_record(next, Oid{0}, "")) == errc::invalid_argument);
  FsNewTransaction twice = one_record(next, Oid{0}, "x");
  twice.records.push_back(twice.records.front());
  CHECK(writer.append(twice) == errc::invalid_argument);
  FsNewTransaction long_user = one_record(next, Oid{0}, "x");
  long_user.user.assign(65536, 'u');
  CHECK(writer.append(long_user) == errc::invalid_argument);
  CHECK(writer.append(one_record(next, Oid{0}, std::nullopt, Tid{5})) == errc::tid_not_found);
  CHECK(writer.error().find("for a backpointer") != std::string::npos);
  CHECK(neo::test::read_file(path) == neo::test::read_file(corpus_file("small")));
  CHECK_FALSE(writer.append(one_record(next, Oid{0}, "x")));
}

TEST_CASE("a new file is not created over an existing one", "[importer]") {
  neo::test::TempDir dir("neo-fs-writer");
  const std::string path = dir.file("small.fs");
  std::filesystem::copy_file(corpus_file("small"), path);
  FsWriter writer;
  CHECK(writer.create(path) == std::errc::file_exists);
  CHECK(writer.error().find(path) == 0);
}
