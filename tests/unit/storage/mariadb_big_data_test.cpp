// Values of 16 MiB or more on MariaDB: split into 8 MiB `bigdata` rows with
// the compression flag 0x80, read back whole (NEO/py's loadData returns the
// pointer instead: ours must not), pruned with their chunks.
#include <catch2/catch.hpp>

#include "nodes/storage/database/mariadb_database.hpp"
#include "tests/unit/storage/db_backend.hpp"

using namespace neo;
using namespace neo::storage;
using namespace neo::storage::test;

namespace {

std::string big_value(std::size_t size, char seed) {
  std::string value(size, '\0');
  for (std::size_t i = 0; i < size; ++i) value[i] = static_cast<char>(seed + i * 7 + (i >> 13));
  return value;
}

}  // namespace

TEST_CASE("values of 16, 17 and 40 MiB are stored in bigdata chunks and read back whole",
          "[storage][mariadb]") {
  BackendDb backend;
  auto db = backend.open();
  give_partitions(*db, 1);
  const std::size_t mib = 1 << 20;
  const std::vector<std::pair<std::size_t, std::size_t>> sizes{
      {16 * mib, 2}, {17 * mib, 3}, {40 * mib, 5}, {16 * mib - 1, 0}};
  std::size_t chunks = 0;
  std::uint64_t oid = 1;
  for (const auto& [size, expected_chunks] : sizes) {
    INFO("size " << size);
    const std::string value = big_value(size, static_cast<char>(oid));
    auto id = db->store_data(sha1(value), Oid{oid}, value, 1, std::nullopt);
    REQUIRE(id);
    REQUIRE(*id);
    const ObjectRef ref{Oid{oid}, *id, std::nullopt};
    const TransactionMeta meta{{Oid{oid}}, "", "", "", false, Tid{oid * 10}};
    REQUIRE_FALSE(db->store_transaction(Tid{oid * 10}, std::span(&ref, 1), &meta, false));
    REQUIRE_FALSE(db->commit());
    chunks += expected_chunks;
    CHECK(backend.count("bigdata") == chunks);
    const auto stored = backend.rows("SELECT compression, LENGTH(value) FROM data WHERE id=" +
                                     std::to_string(**id));
    CHECK(stored ==
          std::vector<std::vector<std::string>>{
              {expected_chunks ? "129" : "1", expected_chunks ? "8" : std::to_string(size)}});
    auto data = db->load_data(**id);
    REQUIRE(data);
    CHECK(data->compression == 1);
    CHECK(data->value.size() == size);
    CHECK(data->value == value);
    CHECK(data->checksum == sha1(value));
    auto record = db->load(Oid{oid}, std::nullopt, std::nullopt);
    REQUIRE(record);
    CHECK(record->compression == 1);
    CHECK(record->data == value);
    auto history = db->object_history(Oid{oid}, 0, 1);
    REQUIRE(history);
    CHECK(history->at(0).size == static_cast<std::int64_t>(size));
    ++oid;
  }
  // A replica reads them back whole too.
  std::size_t visited = 0;
  auto count = db->visit_objects(0, {kZeroTid, kZeroOid}, {kMaxTid, Oid{~0ull}},
                                 [&](Oid, ObjectRecord&& record) {
                                   visited += record.data.size();
                                   return true;
                                 });
  REQUIRE(count);
  CHECK(visited == (16 + 17 + 40 + 16) * mib - 1);
  // Deleting the 40 MiB object prunes its data row and its 5 chunks.
  REQUIRE_FALSE(db->delete_object(Oid{3}, std::nullopt));
  REQUIRE_FALSE(db->commit());
  CHECK(backend.count("bigdata") == chunks - 5);
  CHECK(db->load(Oid{3}, std::nullopt, std::nullopt).error() == errc::oid_does_not_exist);
  CHECK(db->load(Oid{2}, std::nullopt, std::nullopt)->data == big_value(17 * mib, 2));
}

TEST_CASE("with --dedup a big value is stored once", "[storage][mariadb]") {
  BackendDb backend;
  auto db = backend.open(true);
  give_partitions(*db, 2);
  const std::string value = big_value(17 << 20, 'x');
  auto first = db->store_data(sha1(value), Oid{1}, value, 0, std::nullopt);
  auto second = db->store_data(sha1(value), Oid{2}, value, 0, std::nullopt);
  REQUIRE(first);
  REQUIRE(second);
  CHECK(*first == *second);
  REQUIRE_FALSE(db->commit());
  CHECK(backend.count("bigdata") == 3);
}
