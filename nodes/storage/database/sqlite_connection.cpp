#include "nodes/storage/database/sqlite_connection.hpp"

#include <chrono>
#include <thread>
#include <utility>

namespace neo::storage::sqlite {
namespace {

[[noreturn]] void fail_sqlite(const neo::sqlite::Database& db, int rc, std::string_view what) {
  std::string message = db.error();
  if (!what.empty()) {
    message += " (";
    message += what;
    message += ')';
  }
  fail({db.extended_errcode() ? db.extended_errcode() : rc, sqlite_category()}, std::move(message));
}

}  // namespace

void fail(std::error_code code, std::string message) { throw Failure{code, std::move(message)}; }

// ---- Query ----

Query::Query(const neo::sqlite::Database& db, neo::sqlite::Statement& cached)
    : db_(&db), stmt_(&cached) {}

Query::Query(const neo::sqlite::Database& db, neo::sqlite::Statement&& owned)
    : db_(&db), owned_(std::move(owned)), stmt_(&owned_) {}

Query::Query(Query&& other) noexcept
    : db_(other.db_),
      owned_(std::move(other.owned_)),
      stmt_(other.stmt_ == &other.owned_ ? &owned_ : other.stmt_) {
  other.stmt_ = nullptr;
}

Query::~Query() {
  // A one-shot statement is finalized with owned_; a cached one is reset.
  if (stmt_ && stmt_ != &owned_) {
    stmt_->reset();
    stmt_->clear_bindings();
  }
}

void Query::check(int rc) const {
  if (rc != SQLITE_OK) fail_sqlite(*db_, rc, stmt_->sql());
}

void Query::bind_one(int index, std::nullopt_t) { check(stmt_->bind_null(index)); }

void Query::bind_one(int index, std::int64_t value) { check(stmt_->bind_int64(index, value)); }

// A zero-length BLOB, not NULL, for empty strings.
void Query::bind_one(int index, std::string_view blob) { check(stmt_->bind_blob(index, blob)); }

void Query::bind_one(int index, Text text) { check(stmt_->bind_text(index, text.value)); }

bool Query::step() {
  const int rc = stmt_->step();
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  fail_sqlite(*db_, rc, stmt_->sql());
}

void Query::run() {
  while (step()) {
  }
}

std::int64_t Query::changes() const { return db_->changes(); }

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

// ---- Connection ----

Connection::Connection(const std::string& path, const char* vfs) {
  const int rc =
      db_.open(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, vfs);
  if (rc != SQLITE_OK) {
    std::string message = db_ ? db_.error() : neo::sqlite::errstr(rc);
    db_.close();
    fail({rc, sqlite_category()}, "cannot open " + path + ": " + message);
  }
  db_.extended_result_codes(true);
  db_.busy_timeout(5000);  // as Python's sqlite3 module
}

Connection::~Connection() {
  clear_cache();
  db_.close();
}

Query Connection::query(std::string_view sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    neo::sqlite::Statement stmt = db_.prepare(sql, SQLITE_PREPARE_PERSISTENT);
    if (!stmt) fail_sqlite(db_, db_.extended_errcode(), sql);
    it = cache_.emplace(std::string(sql), std::move(stmt)).first;
  }
  return Query(db_, it->second);
}

Query Connection::query_once(const std::string& sql) {
  neo::sqlite::Statement stmt = db_.prepare(sql);
  if (!stmt) fail_sqlite(db_, db_.extended_errcode(), sql);
  return Query(db_, std::move(stmt));
}

void Connection::exec(const std::string& sql) {
  std::string error;
  if (db_.exec(sql.c_str(), &error) != SQLITE_OK)
    fail({db_.extended_errcode(), sqlite_category()}, error + " (" + sql + ")");
}

bool Connection::in_transaction() const { return !db_.autocommit(); }

void Connection::begin() {
  if (!in_transaction()) exec("BEGIN");
}

void Connection::commit() {
  if (!in_transaction()) return;
  // The file lock excludes other storages; a reader (e.g. the sqlite3 shell)
  // may still hold SQLite's lock for a moment: retry like NEO/py.
  for (;;) {
    const int rc = db_.exec("COMMIT");
    if (rc == SQLITE_OK) return;
    if ((rc & 0xff) != SQLITE_BUSY) fail_sqlite(db_, rc, "COMMIT");
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

void Connection::rollback() {
  if (in_transaction()) db_.exec("ROLLBACK");
}

void Connection::clear_cache() { cache_.clear(); }

}  // namespace neo::storage::sqlite
