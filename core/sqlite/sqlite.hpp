// core/sqlite/sqlite.hpp
// A small RAII layer over SQLite's C API, shared by the storage node's
// database (nodes/storage/database), the log writer (core/log) and neolog's
// reader (cli/neolog): a connection (Database) that closes itself and
// prepared statements (Statement) that finalize themselves, with bind, step
// and column helpers. No policy and no exceptions: calls return SQLite's
// result codes as they are, and each user decides what a failure means
// (retry, report, throw). The calls made per row are inline: as fast as
// the C API. A connection and its statements are used from one thread at a
// time (the callers serialize; SQLITE_OPEN_NOMUTEX or not is their choice).
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

namespace neo::sqlite {

// The error category of SQLite result codes (extended codes included).
const std::error_category& category() noexcept;
// SQLite's English text for a result code.
inline const char* errstr(int rc) { return sqlite3_errstr(rc); }

// Whether SQLite copies bound bytes (Copy), or uses them in place (Static:
// they must stay valid until the statement is reset or bound again).
enum class Bytes { Copy, Static };

// A prepared statement, finalized on destruction. Bind (1-based), step,
// then read the columns (0-based) of the current row.
class Statement {
 public:
  Statement() = default;
  explicit Statement(sqlite3_stmt* stmt) : stmt_(stmt) {}
  Statement(Statement&& other) noexcept : stmt_(std::exchange(other.stmt_, nullptr)) {}
  Statement& operator=(Statement&& other) noexcept {
    if (this != &other) {
      sqlite3_finalize(stmt_);
      stmt_ = std::exchange(other.stmt_, nullptr);
    }
    return *this;
  }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement() { sqlite3_finalize(stmt_); }

  explicit operator bool() const { return stmt_ != nullptr; }
  sqlite3_stmt* get() const { return stmt_; }
  const char* sql() const { return sqlite3_sql(stmt_); }

  // SQLITE_ROW, SQLITE_DONE or an error code.
  int step() { return sqlite3_step(stmt_); }
  void reset() { sqlite3_reset(stmt_); }
  void clear_bindings() { sqlite3_clear_bindings(stmt_); }

  // Each returns SQLite's result code.
  int bind_null(int index) { return sqlite3_bind_null(stmt_, index); }
  int bind_int64(int index, std::int64_t value) { return sqlite3_bind_int64(stmt_, index, value); }
  int bind_double(int index, double value) { return sqlite3_bind_double(stmt_, index, value); }
  int bind_text(int index, std::string_view text, Bytes bytes = Bytes::Copy) {
    return sqlite3_bind_text64(stmt_, index, text.data(), text.size(), destructor(bytes),
                               SQLITE_UTF8);
  }
  // An empty `blob` binds a zero-length BLOB, never NULL.
  int bind_blob(int index, std::string_view blob, Bytes bytes = Bytes::Copy) {
    return sqlite3_bind_blob64(stmt_, index, blob.data() ? blob.data() : "", blob.size(),
                               destructor(bytes));
  }

  int type(int col) const { return sqlite3_column_type(stmt_, col); }
  bool is_null(int col) const { return type(col) == SQLITE_NULL; }
  std::int64_t int64(int col) const { return sqlite3_column_int64(stmt_, col); }
  double real(int col) const { return sqlite3_column_double(stmt_, col); }
  // Valid until the next step, reset or type conversion of the column.
  std::string_view text(int col) const {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
    return {p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col))};
  }
  std::string_view blob(int col) const {
    const auto* p = static_cast<const char*>(sqlite3_column_blob(stmt_, col));
    return {p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col))};
  }
  std::optional<std::string> opt_text(int col) const {
    if (is_null(col)) return std::nullopt;
    return std::string(text(col));
  }
  // The column's own value (one call; then sqlite3_value_type/_text/...):
  // the fast path for readers of many rows.
  sqlite3_value* value(int col) const { return sqlite3_column_value(stmt_, col); }

 private:
  static sqlite3_destructor_type destructor(Bytes bytes) {
    return bytes == Bytes::Copy ? SQLITE_TRANSIENT : SQLITE_STATIC;
  }

  sqlite3_stmt* stmt_ = nullptr;
};

// A connection, closed on destruction (after its statements are finalized:
// sqlite3_close_v2).
class Database {
 public:
  Database() = default;
  Database(Database&& other) noexcept : db_(std::exchange(other.db_, nullptr)) {}
  Database& operator=(Database&& other) noexcept {
    if (this != &other) {
      close();
      db_ = std::exchange(other.db_, nullptr);
    }
    return *this;
  }
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  ~Database() { close(); }

  // Opens `path` with SQLITE_OPEN_* `flags` through the VFS `vfs` (SQLite's
  // default if null); SQLite's result code. On failure the handle stays
  // open, as SQLite leaves it, so that error() says why: close() it.
  int open(const std::string& path, int flags, const char* vfs = nullptr);
  void close();
  explicit operator bool() const { return db_ != nullptr; }
  sqlite3* get() const { return db_; }

  // `sql`'s first statement (SQLITE_PREPARE_* `flags`); empty if SQLite
  // refused it (errcode() and error() say why) or `sql` holds none.
  Statement prepare(std::string_view sql, unsigned flags = 0) const;
  // Runs SQL text (DDL, pragmas, BEGIN/COMMIT); SQLite's result code. On
  // failure, `error` (if given) gets SQLite's message.
  int exec(const char* sql, std::string* error = nullptr);

  void busy_timeout(int ms) { sqlite3_busy_timeout(db_, ms); }
  void extended_result_codes(bool on) { sqlite3_extended_result_codes(db_, on); }
  // The last failure's code and message ("out of memory" if not open).
  int errcode() const { return sqlite3_errcode(db_); }
  int extended_errcode() const { return sqlite3_extended_errcode(db_); }
  std::string error() const { return sqlite3_errmsg(db_); }
  // False while a transaction is open.
  bool autocommit() const { return sqlite3_get_autocommit(db_) != 0; }
  std::int64_t changes() const { return sqlite3_changes64(db_); }

 private:
  sqlite3* db_ = nullptr;
};

}  // namespace neo::sqlite
