#include "core/log/log_database.hpp"

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

void bind_text(sqlite::Statement& stmt, int i, const std::optional<std::string>& text) {
  if (text)
    stmt.bind_text(i, *text);
  else
    stmt.bind_null(i);
}

void bind_node(sqlite::Statement& stmt, int i, std::optional<std::int64_t> node) {
  if (node)
    stmt.bind_int64(i, *node);
  else
    stmt.bind_null(i);
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

// A log file left corrupt (journal_mode = MEMORY: a process killed in the
// middle of a write, as NEO/py's) is kept aside and a new one started: the
// node must not stay down because of its log.
void LogDatabase::open_locked() {
  try {
    open_file_locked();
  } catch (const CorruptLog& e) {
    const std::string aside = path_ + ".corrupt";
    if (std::rename(path_.c_str(), aside.c_str()) != 0) throw std::runtime_error(e.what());
    std::fprintf(stderr, "%s; kept as %s, a new log file is started\n", e.what(), aside.c_str());
    open_file_locked();
  }
}

void LogDatabase::open_file_locked() {
  if (db_.open(path_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) != SQLITE_OK) {
    std::string why = db_ ? db_.error() : "out of memory";
    db_.close();
    throw std::runtime_error("cannot open log file " + path_ + ": " + why);
  }
  db_.busy_timeout(kBusyTimeoutMs);
  if (!options_.backlog) exec_locked("PRAGMA synchronous = OFF");
  // Always, also so that external log rotation works.
  exec_locked("PRAGMA journal_mode = MEMORY");
  // Tables of the format before Nov 2018 (a `name` third column) are kept
  // aside under another name, as NEO/py does; neolog reads them first.
  for (const char* table : {"log", "packet"}) {
    sqlite::Statement info = db_.prepare(std::string("PRAGMA table_info(") + table + ")");
    bool old_format = false;
    while (info && info.step() == SQLITE_ROW) {
      old_format |= info.int64(0) == 2 && info.opt_text(1) == "name" && info.opt_text(2) == "TEXT";
    }
    if (old_format)
      exec_locked((std::string("ALTER TABLE ") + table + " RENAME TO " + table + "1").c_str());
  }
  for (const char* sql : {kCreateLog, kCreatePacket, kCreateProtocol, kCreateNode}) {
    if (!exec_locked(sql)) {
      const std::string why = "cannot create tables in log file " + path_ + ": " + db_.error();
      const int code = db_.errcode() & 0xff;
      close_locked();
      if (code == SQLITE_CORRUPT || code == SQLITE_NOTADB) throw CorruptLog(why);
      throw std::runtime_error(why);
    }
  }
  if (!options_.protocol.empty()) {
    sqlite::Statement last = db_.prepare("SELECT text FROM protocol ORDER BY date DESC LIMIT 1");
    std::optional<std::string> text;
    if (last && last.step() == SQLITE_ROW) text = last.opt_text(0);
    if (text != options_.protocol) {
      sqlite::Statement insert = db_.prepare("INSERT INTO protocol VALUES (?,?)");
      insert.bind_double(1, text ? now() : 0.0);
      insert.bind_blob(2, options_.protocol);
      step_locked(insert);
    }
  }
  node_ids_.clear();
  sqlite::Statement nodes = db_.prepare("SELECT id, name, cluster, nid FROM node");
  while (nodes && nodes.step() == SQLITE_ROW) {
    NodeKey key{nodes.opt_text(1), nodes.opt_text(2), std::nullopt};
    if (!nodes.is_null(3)) key.nid = static_cast<std::int32_t>(nodes.int64(3));
    node_ids_.emplace(std::move(key), nodes.int64(0));
  }
  insert_log_ = db_.prepare("INSERT INTO log VALUES (?,?,?,?,?,?)");
  insert_packet_ = db_.prepare("INSERT INTO packet VALUES (?,?,?,?,?,?)");
}

void LogDatabase::close_locked() {
  if (!db_) return;
  if (in_transaction_) commit_locked();
  insert_log_ = {};
  insert_packet_ = {};
  db_.close();
}

bool LogDatabase::exec_locked(const char* sql) {
  sqlite::Statement stmt = db_.prepare(sql);
  if (!stmt) {
    report_locked(sql);
    return false;
  }
  int rc;
  while ((rc = step_locked(stmt)) == SQLITE_ROW) {
  }
  return rc == SQLITE_DONE;
}

void LogDatabase::report_locked(const char* what) const {
  std::fprintf(stderr, "log %s: %s: %s\n", path_.c_str(), what, db_.error().c_str());
}

// Steps `stmt`, waiting as long as another connection (a reader such as
// neolog) holds a lock on the file: a record is never dropped because of it.
int LogDatabase::step_locked(sqlite::Statement& stmt) {
  auto delay = std::chrono::milliseconds(1);
  bool waited = false;
  int rc;
  while ((rc = stmt.step()) == SQLITE_BUSY) {
    if (!waited) std::fputs("database is locked: retrying to emit log...", stderr);
    waited = true;
    stmt.reset();
    std::this_thread::sleep_for(delay);
    delay =
        std::min(delay * 2, std::chrono::duration_cast<std::chrono::milliseconds>(kMaxRetryDelay));
  }
  if (waited) std::fputs(" ok\n", stderr);
  return rc;
}

void LogDatabase::commit_locked() {
  in_transaction_ = false;
  sqlite::Statement commit = db_.prepare("COMMIT");
  if (step_locked(commit) != SQLITE_DONE) {
    report_locked("COMMIT");
    if (!db_.autocommit()) exec_locked("ROLLBACK");
  }
}

std::optional<std::int64_t> LogDatabase::node_id_locked(const NodeKey& key) {
  if (key.unknown()) return std::nullopt;
  if (auto it = node_ids_.find(key); it != node_ids_.end()) return it->second;
  std::int64_t id = 0;
  for (const auto& [k, v] : node_ids_) id = std::max(id, v + 1);
  sqlite::Statement insert = db_.prepare("INSERT INTO node VALUES (?,?,?,?)");
  insert.bind_int64(1, id);
  bind_text(insert, 2, key.name);
  bind_text(insert, 3, key.cluster);
  if (key.nid)
    insert.bind_int64(4, *key.nid);
  else
    insert.bind_null(4);
  if (step_locked(insert) != SQLITE_DONE) report_locked("INSERT INTO node");
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
  using sqlite::Bytes;
  sqlite::Statement* stmt;
  double* date;
  if (auto* r = std::get_if<LogRecord>(&record)) {
    stmt = &insert_log_;
    date = &r->date;
    bind_node(*stmt, 2, node_id_locked(r->node));
    stmt->bind_int64(3, static_cast<int>(r->level));
    stmt->bind_text(4, r->pathname, Bytes::Static);
    stmt->bind_int64(5, r->lineno);
    stmt->bind_text(6, r->msg, Bytes::Static);
  } else {
    auto& p = std::get<PacketRecord>(record);
    stmt = &insert_packet_;
    date = &p.date;
    bind_node(*stmt, 2, node_id_locked(p.node));
    stmt->bind_int64(3, p.msg_id);
    stmt->bind_int64(4, p.code);
    stmt->bind_text(5, p.peer, Bytes::Static);
    if (p.body)
      stmt->bind_blob(6, *p.body, Bytes::Static);
    else
      stmt->bind_null(6);
  }
  for (;;) {
    stmt->bind_double(1, *date);
    int rc = step_locked(*stmt);
    stmt->reset();
    if (rc != SQLITE_CONSTRAINT) {
      if (rc != SQLITE_DONE) report_locked("INSERT");
      break;
    }
    *date = std::nextafter(*date, std::numeric_limits<double>::infinity());
  }
  stmt->clear_bindings();
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
    sqlite::Statement any_packet = db_.prepare("SELECT 1 FROM packet LIMIT 1");
    has_packet = any_packet && any_packet.step() == SQLITE_ROW;
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
  sqlite::Statement stmt = db_.prepare("PRAGMA " + name);
  if (!stmt || stmt.step() != SQLITE_ROW) return {};
  return stmt.opt_text(0).value_or("");
}

}  // namespace neo::log
