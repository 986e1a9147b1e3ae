#include "nodes/storage/database/sqlite_connection.hpp"

#include <sqlite3.h>

#include <chrono>
#include <thread>
#include <utility>

namespace neo::storage::sqlite {
namespace {

class SqliteCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "sqlite"; }
  std::string message(int value) const override { return sqlite3_errstr(value); }
};

[[noreturn]] void fail_sqlite(sqlite3* db, int rc, std::string_view what) {
  std::string message = sqlite3_errmsg(db);
  if (!what.empty()) {
    message += " (";
    message += what;
    message += ')';
  }
  fail({sqlite3_extended_errcode(db) ? sqlite3_extended_errcode(db) : rc, sqlite_category()},
       std::move(message));
}

}  // namespace

const std::error_category& sqlite_category() noexcept {
  static const SqliteCategory category;
  return category;
}

void fail(std::error_code code, std::string message) { throw Failure{code, std::move(message)}; }

// ---- Query ----

Query::Query(sqlite3* db, sqlite3_stmt* stmt, bool owned) : db_(db), stmt_(stmt), owned_(owned) {}

Query::Query(Query&& other) noexcept
    : db_(other.db_), stmt_(std::exchange(other.stmt_, nullptr)), owned_(other.owned_) {}

Query::~Query() {
  if (!stmt_) return;
  if (owned_) {
    sqlite3_finalize(stmt_);
  } else {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
}

void Query::check(int rc) const {
  if (rc != SQLITE_OK) fail_sqlite(db_, rc, sqlite3_sql(stmt_));
}

void Query::bind_one(int index, std::nullopt_t) { check(sqlite3_bind_null(stmt_, index)); }

void Query::bind_one(int index, std::int64_t value) {
  check(sqlite3_bind_int64(stmt_, index, value));
}

void Query::bind_one(int index, std::string_view blob) {
  // A zero-length BLOB, not NULL, for empty strings.
  check(sqlite3_bind_blob64(stmt_, index, blob.empty() ? "" : blob.data(), blob.size(),
                            SQLITE_TRANSIENT));
}

void Query::bind_one(int index, Text text) {
  check(sqlite3_bind_text64(stmt_, index, text.value.data(), text.value.size(), SQLITE_TRANSIENT,
                            SQLITE_UTF8));
}

bool Query::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  fail_sqlite(db_, rc, sqlite3_sql(stmt_));
}

void Query::run() {
  while (step()) {
  }
}

std::int64_t Query::changes() const { return sqlite3_changes64(db_); }

bool Query::is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }

std::int64_t Query::i64(int col) const { return sqlite3_column_int64(stmt_, col); }

std::optional<std::int64_t> Query::opt_i64(int col) const {
  if (is_null(col)) return std::nullopt;
  return i64(col);
}

std::optional<std::uint64_t> Query::opt_u64(int col) const {
  if (is_null(col)) return std::nullopt;
  return u64(col);
}

std::optional<Tid> Query::opt_tid(int col) const {
  if (is_null(col)) return std::nullopt;
  return tid(col);
}

std::string Query::blob(int col) const {
  const void* data = sqlite3_column_blob(stmt_, col);
  const int size = sqlite3_column_bytes(stmt_, col);
  if (!data || size <= 0) return {};
  return std::string(static_cast<const char*>(data), static_cast<std::size_t>(size));
}

std::optional<std::string> Query::opt_text(int col) const {
  if (is_null(col)) return std::nullopt;
  const unsigned char* text = sqlite3_column_text(stmt_, col);
  const int size = sqlite3_column_bytes(stmt_, col);
  if (!text || size <= 0) return std::string();
  return std::string(reinterpret_cast<const char*>(text), static_cast<std::size_t>(size));
}

// ---- Connection ----

Connection::Connection(const std::string& path, const char* vfs) {
  const int rc =
      sqlite3_open_v2(path.c_str(), &db_,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, vfs);
  if (rc != SQLITE_OK) {
    std::string message = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    sqlite3_close_v2(db_);
    db_ = nullptr;
    fail({rc, sqlite_category()}, "cannot open " + path + ": " + message);
  }
  sqlite3_extended_result_codes(db_, 1);
  sqlite3_busy_timeout(db_, 5000);  // as Python's sqlite3 module
}

Connection::~Connection() {
  clear_cache();
  if (db_) sqlite3_close_v2(db_);
}

Query Connection::query(const std::string& sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    sqlite3_stmt* stmt = nullptr;
    const int rc = sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()),
                                      SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) fail_sqlite(db_, rc, sql);
    it = cache_.emplace(sql, stmt).first;
  }
  return Query(db_, it->second, false);
}

Query Connection::query_once(const std::string& sql) {
  sqlite3_stmt* stmt = nullptr;
  const int rc = sqlite3_prepare_v2(db_, sql.c_str(), static_cast<int>(sql.size()), &stmt, nullptr);
  if (rc != SQLITE_OK) fail_sqlite(db_, rc, sql);
  return Query(db_, stmt, true);
}

void Connection::exec(const std::string& sql) {
  char* error = nullptr;
  const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error);
  if (rc != SQLITE_OK) {
    std::string message = error ? error : sqlite3_errstr(rc);
    sqlite3_free(error);
    fail({sqlite3_extended_errcode(db_), sqlite_category()}, message + " (" + sql + ")");
  }
}

bool Connection::in_transaction() const { return !sqlite3_get_autocommit(db_); }

void Connection::begin() {
  if (!in_transaction()) exec("BEGIN");
}

void Connection::commit() {
  if (!in_transaction()) return;
  // The file lock excludes other storages; a reader (e.g. the sqlite3 shell)
  // may still hold SQLite's lock for a moment: retry like NEO/py.
  for (;;) {
    char* error = nullptr;
    const int rc = sqlite3_exec(db_, "COMMIT", nullptr, nullptr, &error);
    sqlite3_free(error);
    if (rc == SQLITE_OK) return;
    if ((rc & 0xff) != SQLITE_BUSY) fail_sqlite(db_, rc, "COMMIT");
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

void Connection::rollback() {
  if (in_transaction()) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
}

void Connection::clear_cache() {
  for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
  cache_.clear();
}

}  // namespace neo::storage::sqlite
