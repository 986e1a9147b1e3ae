// replication_bench: the dataset, written straight into a storage's SQLite
// database with the storage library (much faster than committing it through
// a client), and a row count to check a replica.
#include <sqlite3.h>

#include <chrono>
#include <ctime>
#include <stdexcept>

#include "core/util/record_data.hpp"
#include "nodes/storage/database/sqlite_database.hpp"
#include "tests/interop/bench/replication_bench.hpp"
#include "tests/support/sqlite_rows.hpp"

namespace neo::bench {
namespace {

constexpr std::size_t kObjectsPerTransaction = 10;
constexpr std::uint64_t kTransactionsPerCommit = 20000;

// splitmix64: fast, deterministic bytes.
struct Random {
  std::uint64_t state = 0x9e3779b97f4a7c15ULL;
  std::uint64_t next() {
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  std::string data() {
    std::string bytes(100 + next() % 901, '\0');
    for (std::size_t i = 0; i < bytes.size(); i += 8) {
      const std::uint64_t word = next();
      for (std::size_t j = 0; j < 8 && i + j < bytes.size(); ++j)
        bytes[i + j] = static_cast<char>(word >> (8 * j));
    }
    return bytes;
  }
};

void check(std::error_code ec, storage::Database& db, const char* what) {
  if (ec) throw std::runtime_error(std::string(what) + ": " + ec.message() + " " + db.last_error());
}

// One transaction of kObjectsPerTransaction new objects from `next_oid`.
void put_transaction(storage::Database& db, Tid tid, std::uint64_t& next_oid, Random& random,
                     Dataset& dataset) {
  std::vector<storage::ObjectRef> objects;
  storage::TransactionMeta meta{{}, "bench", "replication_bench", "", false, tid};
  for (std::size_t i = 0; i < kObjectsPerTransaction; ++i) {
    const Oid oid{next_oid++};
    const std::string data = random.data();
    auto id = db.store_data(sha1(data), oid, data, 0, std::nullopt);
    if (!id) check(id.error(), db, "store_data");
    objects.push_back({oid, *id, std::nullopt});
    meta.oids.push_back(oid);
    dataset.bytes += data.size();
  }
  check(db.store_transaction(tid, objects, &meta, false), db, "store_transaction");
  dataset.objects += objects.size();
  ++dataset.transactions;
}

}  // namespace

Dataset fill_database(const std::string& uri, std::uint64_t bytes) {
  const auto start = std::chrono::steady_clock::now();
  auto db = storage::SqliteDatabase::open(uri);
  if (db->num_partitions() == 0) throw std::runtime_error(uri + " has no partition table");
  Random random;
  Dataset dataset;
  std::uint64_t tid = tid_from_time(static_cast<double>(std::time(nullptr)) - 30 * 86400.0).value;
  std::uint64_t next_oid = 1;
  while (dataset.bytes < bytes) {
    put_transaction(*db, Tid{tid++}, next_oid, random, dataset);
    if (dataset.transactions % kTransactionsPerCommit == 0) check(db->commit(), *db, "commit");
  }
  check(db->commit(), *db, "commit");
  check(db->close(), *db, "close");
  dataset.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return dataset;
}

std::int64_t count_objects(const std::string& path) { return test::count_rows(path, "obj"); }

}  // namespace neo::bench
