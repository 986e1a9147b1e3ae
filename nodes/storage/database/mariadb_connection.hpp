// A connection to a MariaDB/MySQL server for MariaDbDatabase (internal to
// this folder), on the MariaDB C client library: NEO/py's database string,
// the session settings and checks NEO/py's MySQL adapter makes when it
// connects (sql_mode, exclusive GET_LOCK, max_allowed_packet), text queries
// with escaped literals, and reconnection after a lost connection when
// nothing is uncommitted.
//
// Owned by one MariaDbDatabase, used from its thread only. Failures throw
// `Failure` (a code in mariadb_category(), i.e. the server's or client's
// error number, or neo::errc) which MariaDbDatabase turns into an error
// code; the constructor also throws DatabaseError for startup failures.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "core/util/ids.hpp"
#include "nodes/storage/database/sql_failure.hpp"

typedef struct st_mysql MYSQL;

namespace neo::storage::mariadb {

// Error numbers of the server (ER_*) and of the client library (CR_*).
const std::error_category& category() noexcept;
inline constexpr int kDupEntry = 1062;     // ER_DUP_ENTRY
inline constexpr int kNoSuchTable = 1146;  // ER_NO_SUCH_TABLE
inline constexpr int kDataTooLong = 1406;  // ER_DATA_TOO_LONG
inline constexpr int kServerGone = 2006;   // CR_SERVER_GONE_ERROR
inline constexpr int kServerLost = 2013;   // CR_SERVER_LOST

using Failure = SqlFailure;  // an internal failure (sql_failure.hpp)
[[noreturn]] void fail(std::error_code code, std::string message);

// NEO/py's database string `[user[:password]@]database[socket]`: the socket
// starts at the first '/', '~' or '.' after the user part.
struct Target {
  std::optional<std::string> user;
  std::optional<std::string> password;
  std::string database;
  std::optional<std::string> socket;  // as written ('~' not expanded)
};
// Throws DatabaseError if `text` does not match.
Target parse_target(std::string_view text);

// One row of a result; NULL columns are nullopt. Numbers come as decimal text.
class Row {
 public:
  explicit Row(std::vector<std::optional<std::string>> columns) : columns_(std::move(columns)) {}
  bool is_null(std::size_t col) const { return !columns_.at(col); }
  const std::string& str(std::size_t col) const;  // fails on NULL
  std::optional<std::string> opt_str(std::size_t col) const { return columns_.at(col); }
  std::int64_t i64(std::size_t col) const;
  std::uint64_t u64(std::size_t col) const;
  std::optional<std::int64_t> opt_i64(std::size_t col) const;
  std::optional<std::uint64_t> opt_u64(std::size_t col) const;
  Tid tid(std::size_t col) const { return Tid{u64(col)}; }
  Oid oid(std::size_t col) const { return Oid{u64(col)}; }
  std::optional<Tid> opt_tid(std::size_t col) const;

 private:
  std::vector<std::optional<std::string>> columns_;
};
using Rows = std::vector<Row>;

class Connection {
 public:
  struct Settings {
    Target target;
    std::string engine = "InnoDB";  // InnoDB or RocksDB
    bool lock = true;               // take GET_LOCK('<db>.neostorage', 0)
    double wait = 0;                // seconds to retry connecting; < 0: forever
  };
  // Seconds GET_LOCK waits (NEO/py: 0). The server releases the lock of a
  // closed connection a moment after the client closed it: a storage
  // restarted at once (or a test reopening) would find it still held.
  static constexpr int kLockWait = 1;
  // The smallest max_allowed_packet accepted (NEO/py's: 32769 KiB).
  static constexpr std::uint64_t kMinAllowedPacket = 32769 * 1024;

  // Connects and sets the session up. Throws DatabaseError ("database is
  // locked", max_allowed_packet too small, cannot connect).
  explicit Connection(Settings settings);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs one statement. A statement that modifies rows marks the
  // connection active (uncommitted changes); DDL commits implicitly. A lost
  // connection is reestablished (twice at most) and the statement rerun
  // only when nothing was uncommitted; otherwise it fails, and so does
  // every query and commit until rollback().
  Rows query(std::string_view sql);
  // Rows changed by the last statement.
  std::uint64_t affected_rows() const { return affected_; }
  // The AUTO_INCREMENT id of the last INSERT.
  std::uint64_t insert_id() const;
  // `_binary'...'`: a byte string as an SQL literal.
  std::string literal(std::string_view bytes) const;
  void commit();
  void rollback();
  bool active() const { return active_; }
  std::uint64_t max_allowed_packet() const { return max_allowed_packet_; }
  const Settings& settings() const { return settings_; }
  // The server-side id of this connection (tests kill it).
  std::uint64_t thread_id() const;

 private:
  void connect();
  void setup_session();
  void reconnect();  // connect(), failing with Failure
  Rows run(std::string_view sql);
  void close();
  Failure failure_of(std::string_view sql) const;

  Settings settings_;
  MYSQL* mysql_ = nullptr;
  bool active_ = false;
  bool doomed_ = false;  // lost with uncommitted changes: only rollback() helps
  std::uint64_t affected_ = 0;
  std::uint64_t max_allowed_packet_ = kMinAllowedPacket;
};

}  // namespace neo::storage::mariadb
