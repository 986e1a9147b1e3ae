#include "core/log/log_database.hpp"

#include <sqlite3.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>
#include <stdexcept>
#include <thread>
#include <utility>

namespace neo::log {
namespace {

// Table definitions of NEO/py's logger (log-format.md 1).
constexpr const char* kCreateLog =
    "CREATE TABLE IF NOT EXISTS log (\n"
    "  date REAL PRIMARY KEY,\n"
    "  node INTEGER,\n"
    "  level INTEGER NOT NULL,\n"
    "  pathname TEXT,\n"
    "  lineno INTEGER,\n"
    "  msg TEXT) WITHOUT ROWID";
constexpr const char* kCreatePacket =
    "CREATE TABLE IF NOT EXISTS packet (\n"
    "  date REAL PRIMARY KEY,\n"
    "  node INTEGER,\n"
    "  msg_id INTEGER NOT NULL,\n"
    "  code INTEGER NOT NULL,\n"
    "  peer TEXT NOT NULL,\n"
    "  body BLOB) WITHOUT ROWID";
constexpr const char* kCreateProtocol =
    "CREATE TABLE IF NOT EXISTS protocol (\n"
    "  date REAL PRIMARY KEY,\n"
    "  text BLOB NOT NULL) WITHOUT ROWID";
constexpr const char* kCreateNode =
    "CREATE TABLE IF NOT EXISTS node (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  name TEXT,\n"
    "  cluster TEXT,\n"
    "  nid INTEGER)";

// Per-record bookkeeping added to the bytes of its strings.
constexpr std::size_t kRecordOverhead = 128;
// How long SQLite itself waits for a lock before reporting SQLITE_BUSY.
constexpr int kBusyTimeoutMs = 100;
constexpr auto kMaxRetryDelay = std::chrono::milliseconds(1000);

double now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// A prepared statement, finalized on scope exit.
class Statement {
 public:
  Statement(sqlite3* db, const char* sql) { sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr); }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  sqlite3_stmt* get() const { return stmt_; }
  explicit operator bool() const { return stmt_ != nullptr; }

 private:
  sqlite3_stmt* stmt_ = nullptr;
};

void bind_text(sqlite3_stmt* stmt, int i, const std::optional<std::string>& text) {
  if (text)
    sqlite3_bind_text(stmt, i, text->data(), static_cast<int>(text->size()), SQLITE_TRANSIENT);
  else
    sqlite3_bind_null(stmt, i);
}

void bind_node(sqlite3_stmt* stmt, int i, std::optional<std::int64_t> node) {
  if (node)
    sqlite3_bind_int64(stmt, i, *node);
  else
    sqlite3_bind_null(stmt, i);
}

std::optional<std::string> column_text(sqlite3_stmt* stmt, int i) {
  if (sqlite3_column_type(stmt, i) == SQLITE_NULL) return std::nullopt;
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt, i));
  return std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt, i)));
}

}  // namespace

LogDatabase::LogDatabase(std::string path, Options options)
    : path_(std::move(path)), options_(std::move(options)) {
  std::lock_guard lock(mutex_);
  open_locked();
}

LogDatabase::~LogDatabase() {
  std::lock_guard lock(mutex_);
  close_locked();
}

void LogDatabase::open_locked() {
  if (sqlite3_open_v2(path_.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
      SQLITE_OK) {
    std::string why = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    throw std::runtime_error("cannot open log file " + path_ + ": " + why);
  }
  sqlite3_busy_timeout(db_, kBusyTimeoutMs);
  if (!options_.backlog) exec_locked("PRAGMA synchronous = OFF");
  // Always, also so that external log rotation works.
  exec_locked("PRAGMA journal_mode = MEMORY");
  // Tables of the format before Nov 2018 (a `name` third column) are kept
  // aside under another name, as NEO/py does; neolog reads them first.
  for (const char* table : {"log", "packet"}) {
    Statement info(db_, (std::string("PRAGMA table_info(") + table + ")").c_str());
    bool old_format = false;
    while (info && sqlite3_step(info.get()) == SQLITE_ROW) {
      old_format |= sqlite3_column_int(info.get(), 0) == 2 &&
                    column_text(info.get(), 1) == "name" && column_text(info.get(), 2) == "TEXT";
    }
    if (old_format)
      exec_locked((std::string("ALTER TABLE ") + table + " RENAME TO " + table + "1").c_str());
  }
  for (const char* sql : {kCreateLog, kCreatePacket, kCreateProtocol, kCreateNode}) {
    if (!exec_locked(sql)) {
      std::string why = sqlite3_errmsg(db_);
      close_locked();
      throw std::runtime_error("cannot create tables in log file " + path_ + ": " + why);
    }
  }
  if (!options_.protocol.empty()) {
    Statement last(db_, "SELECT text FROM protocol ORDER BY date DESC LIMIT 1");
    std::optional<std::string> text;
    if (last && sqlite3_step(last.get()) == SQLITE_ROW) text = column_text(last.get(), 0);
    if (text != options_.protocol) {
      Statement insert(db_, "INSERT INTO protocol VALUES (?,?)");
      sqlite3_bind_double(insert.get(), 1, text ? now() : 0.0);
      sqlite3_bind_blob(insert.get(), 2, options_.protocol.data(),
                        static_cast<int>(options_.protocol.size()), SQLITE_TRANSIENT);
      step_locked(insert.get());
    }
  }
  node_ids_.clear();
  Statement nodes(db_, "SELECT id, name, cluster, nid FROM node");
  while (nodes && sqlite3_step(nodes.get()) == SQLITE_ROW) {
    NodeKey key{column_text(nodes.get(), 1), column_text(nodes.get(), 2), std::nullopt};
    if (sqlite3_column_type(nodes.get(), 3) != SQLITE_NULL)
      key.nid = static_cast<std::int32_t>(sqlite3_column_int64(nodes.get(), 3));
    node_ids_.emplace(std::move(key), sqlite3_column_int64(nodes.get(), 0));
  }
  sqlite3_prepare_v2(db_, "INSERT INTO log VALUES (?,?,?,?,?,?)", -1, &insert_log_, nullptr);
  sqlite3_prepare_v2(db_, "INSERT INTO packet VALUES (?,?,?,?,?,?)", -1, &insert_packet_, nullptr);
}

void LogDatabase::close_locked() {
  if (!db_) return;
  if (in_transaction_) commit_locked();
  sqlite3_finalize(insert_log_);
  sqlite3_finalize(insert_packet_);
  insert_log_ = insert_packet_ = nullptr;
  sqlite3_close(db_);
  db_ = nullptr;
}

bool LogDatabase::exec_locked(const char* sql) {
  Statement stmt(db_, sql);
  if (!stmt) {
    report_locked(sql);
    return false;
  }
  int rc;
  while ((rc = step_locked(stmt.get())) == SQLITE_ROW) {
  }
  return rc == SQLITE_DONE;
}

void LogDatabase::report_locked(const char* what) const {
  std::fprintf(stderr, "log %s: %s: %s\n", path_.c_str(), what, sqlite3_errmsg(db_));
}

// Steps `stmt`, waiting as long as another connection (a reader such as
// neolog) holds a lock on the file: a record is never dropped because of it.
int LogDatabase::step_locked(sqlite3_stmt* stmt) {
  auto delay = std::chrono::milliseconds(1);
  bool waited = false;
  int rc;
  while ((rc = sqlite3_step(stmt)) == SQLITE_BUSY) {
    if (!waited) std::fputs("database is locked: retrying to emit log...", stderr);
    waited = true;
    sqlite3_reset(stmt);
    std::this_thread::sleep_for(delay);
    delay = std::min(delay * 2, std::chrono::duration_cast<std::chrono::milliseconds>(kMaxRetryDelay));
  }
  if (waited) std::fputs(" ok\n", stderr);
  return rc;
}

void LogDatabase::commit_locked() {
  in_transaction_ = false;
  Statement commit(db_, "COMMIT");
  if (step_locked(commit.get()) != SQLITE_DONE) {
    report_locked("COMMIT");
    if (!sqlite3_get_autocommit(db_)) exec_locked("ROLLBACK");
  }
}

std::optional<std::int64_t> LogDatabase::node_id_locked(const NodeKey& key) {
  if (key.unknown()) return std::nullopt;
  if (auto it = node_ids_.find(key); it != node_ids_.end()) return it->second;
  std::int64_t id = 0;
  for (const auto& [k, v] : node_ids_) id = std::max(id, v + 1);
  Statement insert(db_, "INSERT INTO node VALUES (?,?,?,?)");
  sqlite3_bind_int64(insert.get(), 1, id);
  bind_text(insert.get(), 2, key.name);
  bind_text(insert.get(), 3, key.cluster);
  if (key.nid)
    sqlite3_bind_int64(insert.get(), 4, *key.nid);
  else
    sqlite3_bind_null(insert.get(), 4);
  if (step_locked(insert.get()) != SQLITE_DONE) report_locked("INSERT INTO node");
  node_ids_.emplace(key, id);
  return id;
}

// Inserts one record inside the current transaction. `date` is the primary
// key: on collision the record moves to the next representable date.
void LogDatabase::emit_locked(Record& record) {
  if (!in_transaction_) {
    exec_locked("BEGIN");
    in_transaction_ = true;
  }
  sqlite3_stmt* stmt;
  double* date;
  if (auto* r = std::get_if<LogRecord>(&record)) {
    stmt = insert_log_;
    date = &r->date;
    bind_node(stmt, 2, node_id_locked(r->node));
    sqlite3_bind_int(stmt, 3, static_cast<int>(r->level));
    sqlite3_bind_text(stmt, 4, r->pathname.data(), static_cast<int>(r->pathname.size()),
                      SQLITE_STATIC);
    sqlite3_bind_int(stmt, 5, r->lineno);
    sqlite3_bind_text(stmt, 6, r->msg.data(), static_cast<int>(r->msg.size()), SQLITE_STATIC);
  } else {
    auto& p = std::get<PacketRecord>(record);
    stmt = insert_packet_;
    date = &p.date;
    bind_node(stmt, 2, node_id_locked(p.node));
    sqlite3_bind_int64(stmt, 3, p.msg_id);
    sqlite3_bind_int(stmt, 4, p.code);
    sqlite3_bind_text(stmt, 5, p.peer.data(), static_cast<int>(p.peer.size()), SQLITE_STATIC);
    if (p.body)
      sqlite3_bind_blob(stmt, 6, p.body->data(), static_cast<int>(p.body->size()), SQLITE_STATIC);
    else
      sqlite3_bind_null(stmt, 6);
  }
  for (;;) {
    sqlite3_bind_double(stmt, 1, *date);
    int rc = step_locked(stmt);
    sqlite3_reset(stmt);
    if (rc != SQLITE_CONSTRAINT) {
      if (rc != SQLITE_DONE) report_locked("INSERT");
      break;
    }
    *date = std::nextafter(*date, std::numeric_limits<double>::infinity());
  }
  sqlite3_clear_bindings(stmt);
}

std::size_t LogDatabase::size_of(const Record& record) {
  if (const auto* r = std::get_if<LogRecord>(&record))
    return kRecordOverhead + r->msg.size() + r->pathname.size();
  const auto& p = std::get<PacketRecord>(record);
  return kRecordOverhead + p.peer.size() + (p.body ? p.body->size() : 0);
}

void LogDatabase::queue_locked(Record record, bool urgent) {
  if (!db_) return;
  if (!options_.backlog) {
    emit_locked(record);
    commit_locked();
    return;
  }
  backlog_size_ += size_of(record);
  backlog_.push_back(std::move(record));
  if (urgent) {
    flush_locked();
    return;
  }
  while (backlog_size_ > *options_.backlog && !backlog_.empty()) {
    backlog_size_ -= size_of(backlog_.front());
    backlog_.pop_front();
  }
}

void LogDatabase::flush_locked() {
  if (!db_) return;
  for (auto& record : backlog_) emit_locked(record);
  if (in_transaction_) commit_locked();
  backlog_.clear();
  backlog_size_ = 0;
}

void LogDatabase::add(LogRecord record) {
  std::lock_guard lock(mutex_);
  bool urgent = record.level >= Level::Warning;
  queue_locked(std::move(record), urgent);
}

void LogDatabase::add(PacketRecord record) {
  std::lock_guard lock(mutex_);
  queue_locked(std::move(record), false);
}

void LogDatabase::flush() {
  std::lock_guard lock(mutex_);
  flush_locked();
}

void LogDatabase::reopen() {
  std::lock_guard lock(mutex_);
  if (!db_) return;
  if (in_transaction_) commit_locked();
  bool has_packet;
  {
    Statement any_packet(db_, "SELECT 1 FROM packet LIMIT 1");
    has_packet = any_packet && sqlite3_step(any_packet.get()) == SQLITE_ROW;
  }
  if (!has_packet) {
    exec_locked("DROP TABLE protocol");
    exec_locked("VACUUM");
  }
  close_locked();
  try {
    open_locked();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());  // records wait in the backlog
  }
}

void LogDatabase::set_backlog(std::optional<std::size_t> max_size) {
  std::lock_guard lock(mutex_);
  options_.backlog = max_size;
  if (!max_size) {
    flush_locked();
    return;
  }
  while (backlog_size_ > *max_size && !backlog_.empty()) {
    backlog_size_ -= size_of(backlog_.front());
    backlog_.pop_front();
  }
}

std::size_t LogDatabase::backlog_size() const {
  std::lock_guard lock(mutex_);
  return backlog_size_;
}

std::size_t LogDatabase::backlog_count() const {
  std::lock_guard lock(mutex_);
  return backlog_.size();
}

std::string LogDatabase::pragma(const std::string& name) const {
  std::lock_guard lock(mutex_);
  if (!db_) return {};
  Statement stmt(db_, ("PRAGMA " + name).c_str());
  if (!stmt || sqlite3_step(stmt.get()) != SQLITE_ROW) return {};
  return column_text(stmt.get(), 0).value_or("");
}

}  // namespace neo::log
