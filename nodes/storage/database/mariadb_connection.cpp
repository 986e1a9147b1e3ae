#include "nodes/storage/database/mariadb_connection.hpp"

#include <mysql.h>

#include <charconv>
#include <chrono>
#include <regex>
#include <thread>

#include "core/config/ini_file.hpp"
#include "nodes/storage/database/database.hpp"

namespace neo::storage::mariadb {
namespace {

class Category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "mariadb"; }
  std::string message(int code) const override { return "MariaDB error " + std::to_string(code); }
};

template <class T>
T parse_number(const std::string& text) {
  T value{};
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) {
    fail(make_error_code(errc::corrupted_record), "not a number: " + text);
  }
  return value;
}

// The first word of a statement, uppercased.
std::string verb_of(std::string_view sql) {
  std::size_t i = 0;
  while (i < sql.size() && std::isspace(static_cast<unsigned char>(sql[i]))) ++i;
  std::string verb;
  while (i < sql.size() && std::isalpha(static_cast<unsigned char>(sql[i])))
    verb += static_cast<char>(std::toupper(static_cast<unsigned char>(sql[i++])));
  return verb;
}

bool is_lost(unsigned code) { return code == kServerGone || code == kServerLost; }

constexpr const char* kDoomed =
    "the connection to MySQL was lost with uncommitted changes: roll back first";

}  // namespace

const std::error_category& category() noexcept {
  static const Category instance;
  return instance;
}

void fail(std::error_code code, std::string message) { throw Failure{code, std::move(message)}; }

Target parse_target(std::string_view text) {
  // Same expression as NEO/py's (Python's `$` also matches before a final
  // newline, which `.` never crosses).
  static const std::regex pattern("(?:([^:]+)(?::(.*))?@)?([^~./]+)(.+)?");
  std::string input(text);
  if (input.ends_with('\n')) input.pop_back();
  std::smatch m;
  if (!std::regex_match(input, m, pattern)) {
    throw DatabaseError("invalid MySQL database string: " + std::string(text) +
                        " (expected [user[:password]@]database[socket])");
  }
  Target target;
  if (m[1].matched) target.user = m[1].str();
  if (m[2].matched) target.password = m[2].str();
  target.database = m[3].str();
  if (m[4].matched) target.socket = m[4].str();
  return target;
}

// ---- Row ----

const std::string& Row::str(std::size_t col) const {
  if (!columns_.at(col)) fail(make_error_code(errc::corrupted_record), "unexpected NULL");
  return *columns_[col];
}

std::int64_t Row::i64(std::size_t col) const { return parse_number<std::int64_t>(str(col)); }
std::uint64_t Row::u64(std::size_t col) const { return parse_number<std::uint64_t>(str(col)); }

std::optional<std::int64_t> Row::opt_i64(std::size_t col) const {
  if (is_null(col)) return std::nullopt;
  return i64(col);
}

std::optional<std::uint64_t> Row::opt_u64(std::size_t col) const {
  if (is_null(col)) return std::nullopt;
  return u64(col);
}

std::optional<Tid> Row::opt_tid(std::size_t col) const {
  if (is_null(col)) return std::nullopt;
  return tid(col);
}

// ---- Connection ----

Connection::Connection(Settings settings) : settings_(std::move(settings)) {
  try {
    connect();
  } catch (const Failure& failure) {
    close();
    throw DatabaseError(failure.message);
  } catch (...) {
    close();  // ends the session: a lock taken is released
    throw;
  }
}

Connection::~Connection() { close(); }

void Connection::close() {
  if (mysql_) mysql_close(mysql_);
  mysql_ = nullptr;
  active_ = false;
}

void Connection::connect() {
  const Target& t = settings_.target;
  const std::string socket = t.socket ? config::expand_user(*t.socket) : std::string();
  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + std::chrono::duration<double>(std::max(0.0, settings_.wait));
  for (;;) {
    mysql_ = mysql_init(nullptr);
    if (!mysql_) fail(make_error_code(std::errc::not_enough_memory), "mysql_init");
    if (mysql_real_connect(mysql_, nullptr, t.user ? t.user->c_str() : nullptr,
                           t.password ? t.password->c_str() : nullptr, t.database.c_str(), 0,
                           t.socket ? socket.c_str() : nullptr, 0)) {
      break;
    }
    const std::string error = mysql_error(mysql_);
    const unsigned code = mysql_errno(mysql_);
    close();
    if (settings_.wait >= 0 && Clock::now() >= deadline) {
      fail(std::error_code(static_cast<int>(code), category()),
           "cannot connect to MySQL database " + t.database + ": " + error);
    }
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
  setup_session();
}

void Connection::setup_session() {
  if (mysql_autocommit(mysql_, 0)) throw failure_of("autocommit");
  run("SET SESSION wait_timeout = 2147483,"
      " SESSION sql_mode = 'TRADITIONAL,NO_ENGINE_SUBSTITUTION',"
      " SESSION group_concat_max_len = 4294967295");
  if (settings_.engine == "RocksDB") run("SET SESSION rocksdb_max_row_locks = 1073741824");
  if (settings_.lock) {
    Rows locked = run("SELECT GET_LOCK(" + literal(settings_.target.database + ".neostorage") +
                      ", " + std::to_string(kLockWait) + ")");
    if (locked.empty() || locked[0].opt_i64(0) != 1) throw DatabaseError("database is locked");
  }
  Rows packet = run("SHOW VARIABLES WHERE variable_name='max_allowed_packet'");
  const std::uint64_t value = packet.empty() ? 0 : packet[0].u64(1);
  if (value < kMinAllowedPacket) {
    throw DatabaseError(
        "Global variable 'max_allowed_packet' is too small. Minimal value must be " +
        std::to_string(kMinAllowedPacket / 1024) + "k.");
  }
  max_allowed_packet_ = value;
  active_ = false;
}

Rows Connection::query(std::string_view sql) {
  if (doomed_) fail(make_error_code(errc::connection_closed), kDoomed);
  for (int retry = 2;; --retry) {
    try {
      if (!mysql_) reconnect();
      return run(sql);
    } catch (const Failure& failure) {
      const bool lost = failure.code.category() == category() && is_lost(failure.code.value());
      if (!lost || active_ || retry == 0) {
        if (lost) {
          doomed_ = active_;
          close();  // the uncommitted changes are gone with the session
        }
        throw;
      }
      close();
    }
  }
}

void Connection::reconnect() {
  try {
    connect();
  } catch (const DatabaseError& error) {
    close();
    fail(make_error_code(errc::connection_closed), error.what());
  }
}

Rows Connection::run(std::string_view sql) {
  if (!mysql_) fail(make_error_code(errc::connection_closed), "not connected to MySQL");
  if (mysql_real_query(mysql_, sql.data(), sql.size())) throw failure_of(sql);
  Rows rows;
  MYSQL_RES* result = mysql_store_result(mysql_);
  if (result) {
    const unsigned fields = mysql_num_fields(result);
    while (MYSQL_ROW row = mysql_fetch_row(result)) {
      const unsigned long* lengths = mysql_fetch_lengths(result);
      std::vector<std::optional<std::string>> columns(fields);
      for (unsigned i = 0; i < fields; ++i) {
        if (row[i]) columns[i].emplace(row[i], lengths[i]);
      }
      rows.emplace_back(std::move(columns));
    }
    mysql_free_result(result);
    affected_ = rows.size();
    return rows;
  }
  if (mysql_field_count(mysql_) != 0) throw failure_of(sql);
  affected_ = mysql_affected_rows(mysql_);
  const std::string verb = verb_of(sql);
  if (verb == "INSERT" || verb == "REPLACE" || verb == "DELETE" || verb == "UPDATE") {
    active_ = true;
  } else if (verb == "CREATE" || verb == "DROP" || verb == "ALTER" || verb == "TRUNCATE") {
    active_ = false;  // implicit commit
  }
  return rows;
}

Failure Connection::failure_of(std::string_view sql) const {
  const unsigned code = mysql_errno(mysql_);
  std::string message =
      std::string("MySQL error ") + std::to_string(code) + ": " + mysql_error(mysql_);
  std::string shown(sql.substr(0, 200));
  for (char& c : shown) {
    if (static_cast<unsigned char>(c) < 32 && c != '\n') c = '?';
  }
  message += "\nQuery: " + shown;
  return Failure{std::error_code(static_cast<int>(code ? code : 2000), category()),
                 std::move(message)};
}

std::uint64_t Connection::insert_id() const { return mysql_ ? mysql_insert_id(mysql_) : 0; }

std::string Connection::literal(std::string_view bytes) const {
  std::string out(bytes.size() * 2 + 1, '\0');
  unsigned long n = 0;
  if (mysql_) {
    n = mysql_real_escape_string(mysql_, out.data(), bytes.data(), bytes.size());
  } else {
    n = mysql_escape_string(out.data(), bytes.data(), bytes.size());
  }
  out.resize(n);
  return "_binary'" + out + "'";
}

void Connection::commit() {
  if (doomed_) fail(make_error_code(errc::connection_closed), kDoomed);
  if (!mysql_) {
    if (!active_) return;  // lost while idle: the next query reconnects
    fail(make_error_code(errc::connection_closed), "not connected to MySQL");
  }
  if (mysql_commit(mysql_)) {
    Failure failure = failure_of("COMMIT");
    const bool lost = is_lost(mysql_errno(mysql_));
    const bool was_active = active_;
    if (lost) close();
    if (lost && !was_active) return;  // nothing was uncommitted
    doomed_ = lost;
    throw failure;
  }
  active_ = false;
}

void Connection::rollback() {
  if (mysql_ && mysql_rollback(mysql_) && is_lost(mysql_errno(mysql_))) close();
  active_ = doomed_ = false;
}

std::uint64_t Connection::thread_id() const { return mysql_ ? mysql_thread_id(mysql_) : 0; }

}  // namespace neo::storage::mariadb
