#include "tests/unit/storage/storage_test_support.hpp"

#include <sqlite3.h>
#include <unistd.h>

#include <random>
#include <stdexcept>

namespace neo::storage::test {

TempDir::TempDir() {
  std::random_device random;
  for (;;) {
    path_ = std::filesystem::temp_directory_path() /
            ("neo-storage-test-" + std::to_string(getpid()) + "-" + std::to_string(random()));
    if (std::filesystem::create_directory(path_)) break;
  }
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::unique_ptr<SqliteDatabase> open_fast(const std::string& path,
                                          SqliteDatabase::Options options) {
  return SqliteDatabase::open("file:" + path + "?synchronous=OFF", options);
}

namespace {

struct Db {
  sqlite3* db = nullptr;
  explicit Db(const std::string& path) {
    if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) throw std::runtime_error("open " + path);
  }
  ~Db() { sqlite3_close(db); }
};

}  // namespace

std::vector<std::vector<std::string>> sql_rows(const std::string& path, const std::string& sql) {
  Db db(path);
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db.db, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
    throw std::runtime_error(std::string(sqlite3_errmsg(db.db)) + ": " + sql);
  }
  std::vector<std::vector<std::string>> rows;
  while (sqlite3_step(stmt) == SQLITE_ROW) {
    std::vector<std::string>& row = rows.emplace_back();
    for (int i = 0; i < sqlite3_column_count(stmt); ++i) {
      switch (sqlite3_column_type(stmt, i)) {
        case SQLITE_NULL: row.push_back("NULL"); break;
        case SQLITE_BLOB: {
          std::string bytes(static_cast<const char*>(sqlite3_column_blob(stmt, i)) ?: "",
                            sqlite3_column_bytes(stmt, i));
          row.push_back("x'" + hex_of(bytes) + "'");
          break;
        }
        default: row.push_back(reinterpret_cast<const char*>(sqlite3_column_text(stmt, i)));
      }
    }
  }
  sqlite3_finalize(stmt);
  return rows;
}

void sql_exec(const std::string& path, const std::string& sql) {
  Db db(path);
  char* error = nullptr;
  if (sqlite3_exec(db.db, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
    std::string message = error ? error : "?";
    sqlite3_free(error);
    throw std::runtime_error(message + ": " + sql);
  }
}

std::string hex_of(const std::string& bytes) {
  static const char digits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

std::string unhex(const std::string& hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    out += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
  }
  return out;
}

void give_partitions(Database& db, std::uint32_t np, std::int32_t own_nid) {
  if (db.set_nid(NodeId{own_nid})) throw std::runtime_error("set_nid");
  std::vector<protocol::CellChange> cells;
  for (std::uint32_t p = 0; p < np; ++p) {
    cells.push_back({p, NodeId{own_nid}, CellState::UpToDate});
  }
  if (!db.change_partition_table(1, 0, cells, true, kZeroTid)) throw std::runtime_error("pt");
  if (db.commit()) throw std::runtime_error("commit");
}

}  // namespace neo::storage::test
