// A thin SQLite connection for SqliteDatabase (internal to this folder), on
// core/sqlite's wrapper: cached prepared statements, typed binding of NEO
// ids, lazy write transactions. Failures throw `Failure`, which
// SqliteDatabase turns into an error code at its public boundary; nothing
// here escapes the library.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <unordered_map>

#include "core/sqlite/sqlite.hpp"
#include "core/util/ids.hpp"
#include "nodes/storage/database/sql_failure.hpp"

namespace neo::storage::sqlite {

// The error category of SQLite result codes (extended codes are kept).
inline const std::error_category& sqlite_category() noexcept { return neo::sqlite::category(); }

// An internal failure: a code (sqlite_category or neo::errc) and details.
using Failure = SqlFailure;  // an internal failure (sql_failure.hpp)
[[noreturn]] void fail(std::error_code code, std::string message);

// A TEXT value to bind (plain string views bind as BLOBs).
struct Text {
  std::string_view value;
};

// One execution of a prepared statement: bind, then step through the rows.
// Resets a cached statement (or finalizes a one-shot one) on destruction.
class Query {
 public:
  // A cached statement, borrowed.
  Query(const neo::sqlite::Database& db, neo::sqlite::Statement& cached);
  // A statement for this query only.
  Query(const neo::sqlite::Database& db, neo::sqlite::Statement&& owned);
  Query(Query&& other) noexcept;
  Query(const Query&) = delete;
  Query& operator=(const Query&) = delete;
  Query& operator=(Query&&) = delete;
  ~Query();

  template <class... Args>
  Query& bind(const Args&... args) {
    int index = 0;
    (bind_one(++index, args), ...);
    return *this;
  }
  // Advances to the next row; false when done.
  bool step();
  // Runs a statement that returns no row of interest.
  void run();
  // Number of rows changed by the last run().
  std::int64_t changes() const;

  bool is_null(int col) const { return stmt_->is_null(col); }
  std::int64_t i64(int col) const { return stmt_->int64(col); }
  std::uint64_t u64(int col) const { return static_cast<std::uint64_t>(i64(col)); }
  std::optional<std::int64_t> opt_i64(int col) const;
  std::optional<std::uint64_t> opt_u64(int col) const;
  Tid tid(int col) const { return Tid{u64(col)}; }
  Oid oid(int col) const { return Oid{u64(col)}; }
  std::optional<Tid> opt_tid(int col) const;
  std::string blob(int col) const { return std::string(stmt_->blob(col)); }
  std::string str(int col) const { return blob(col); }  // as mariadb::Row (sql_rows.hpp)
  std::optional<std::string> opt_text(int col) const { return stmt_->opt_text(col); }

 private:
  void bind_one(int index, std::nullopt_t);
  void bind_one(int index, std::int64_t value);
  void bind_one(int index, std::uint64_t value) {
    bind_one(index, static_cast<std::int64_t>(value));
  }
  void bind_one(int index, int value) { bind_one(index, static_cast<std::int64_t>(value)); }
  void bind_one(int index, unsigned value) { bind_one(index, static_cast<std::int64_t>(value)); }
  void bind_one(int index, bool value) { bind_one(index, static_cast<std::int64_t>(value)); }
  void bind_one(int index, Oid value) { bind_one(index, value.value); }
  void bind_one(int index, Tid value) { bind_one(index, value.value); }
  void bind_one(int index, std::string_view blob);
  void bind_one(int index, const std::string& blob) { bind_one(index, std::string_view(blob)); }
  void bind_one(int index, Text text);
  template <class T>
  void bind_one(int index, const std::optional<T>& value) {
    if (value) {
      bind_one(index, *value);
    } else {
      bind_one(index, std::nullopt);
    }
  }
  void check(int rc) const;

  const neo::sqlite::Database* db_;
  neo::sqlite::Statement owned_;  // a one-shot statement, or empty
  neo::sqlite::Statement* stmt_;  // &owned_ or a cached one; null once moved from
};

class Connection {
 public:
  // Opens (creating if needed) the file at `path`, through the VFS named
  // `vfs` (SQLite's default if null). Throws Failure.
  explicit Connection(const std::string& path, const char* vfs = nullptr);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // A cached prepared statement (for SQL that does not vary).
  Query query(std::string_view sql);
  // A statement prepared for one use (SQL built at run time).
  Query query_once(const std::string& sql);
  // Executes SQL text (DDL, pragmas) directly.
  void exec(const std::string& sql);
  // Starts a write transaction unless one is open.
  void begin();
  bool in_transaction() const;
  // Commits the open transaction, if any (retrying while SQLite is busy).
  void commit();
  // Rolls back the open transaction, if any.
  void rollback();
  // Finalizes the cached statements (after DROP TABLE).
  void clear_cache();
  sqlite3* handle() const { return db_.get(); }

 private:
  neo::sqlite::Database db_;
  // Looked up by string_view: a query per object allocates nothing.
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view sql) const {
      return std::hash<std::string_view>{}(sql);
    }
  };
  std::unordered_map<std::string, neo::sqlite::Statement, Hash, std::equal_to<>> cache_;
};

}  // namespace neo::storage::sqlite
