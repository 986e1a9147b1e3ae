#include "cli/neolog/log_reader.hpp"

#include <bzlib.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "cli/neolog/diagnostics.hpp"
#include "cli/neolog/python_repr.hpp"
#include "cli/neolog/time_format.hpp"

namespace neo::neolog {
namespace {

// The protocol version our packet table describes.
constexpr int kProtocolVersion = 5;

bool is_number(const sqlite::Statement& stmt, int col) {
  const int type = stmt.type(col);
  return type == SQLITE_INTEGER || type == SQLITE_FLOAT;
}

// An integer column: INTEGER, or a FLOAT holding an integral value.
std::optional<std::int64_t> column_integer(const sqlite::Statement& stmt, int col) {
  const int type = stmt.type(col);
  if (type == SQLITE_INTEGER) return stmt.int64(col);
  if (type == SQLITE_FLOAT) {
    const double d = stmt.real(col);
    if (d == static_cast<double>(static_cast<std::int64_t>(d))) return static_cast<std::int64_t>(d);
  }
  return std::nullopt;
}

// The same for a column's value (sqlite3_column_value(): the row's own
// value, fewer API calls per column; one thread per connection).
[[gnu::always_inline]] inline std::string_view value_text(sqlite3_value* v) {
  const auto* p = sqlite3_value_text(v);
  return {reinterpret_cast<const char*>(p), static_cast<std::size_t>(sqlite3_value_bytes(v))};
}

[[gnu::always_inline]] inline std::string_view value_blob(sqlite3_value* v) {
  const void* p = sqlite3_value_blob(v);
  return {static_cast<const char*>(p), static_cast<std::size_t>(sqlite3_value_bytes(v))};
}

[[gnu::always_inline]] inline std::optional<std::int64_t> value_integer(sqlite3_value* v) {
  const int type = sqlite3_value_type(v);
  if (type == SQLITE_INTEGER) return sqlite3_value_int64(v);
  if (type == SQLITE_FLOAT) {
    const double d = sqlite3_value_double(v);
    if (d == static_cast<double>(static_cast<std::int64_t>(d))) return static_cast<std::int64_t>(d);
  }
  return std::nullopt;
}

// PROTOCOL_VERSION of a bz2-compressed protocol.py, or -1 if not found.
int protocol_version(std::string_view compressed) {
  std::string text(std::max<std::size_t>(compressed.size() * 8, 1 << 16), '\0');
  for (;;) {
    auto size = static_cast<unsigned>(text.size());
    const int rc =
        BZ2_bzBuffToBuffDecompress(text.data(), &size, const_cast<char*>(compressed.data()),
                                   static_cast<unsigned>(compressed.size()), 0, 0);
    if (rc == BZ_OUTBUFF_FULL && text.size() < (64u << 20)) {
      text.resize(text.size() * 2);
      continue;
    }
    if (rc != BZ_OK) return -1;
    text.resize(size);
    break;
  }
  constexpr std::string_view kKey = "\nPROTOCOL_VERSION = ";
  const auto pos = text.find(kKey);
  if (pos == std::string::npos) return -1;
  int version = 0;
  for (std::size_t i = pos + kKey.size(); i < text.size() && text[i] >= '0' && text[i] <= '9';
       ++i) {
    version = version * 10 + (text[i] - '0');
  }
  return version;
}

}  // namespace

LogFile::LogFile(std::string display, std::string default_name, const ReadOptions& options,
                 Diagnostics& diag)
    : display_(std::move(display)), options_(options), diag_(diag) {
  naming_.no_nid = options.no_nid;
  naming_.show_cluster = options.show_cluster;
  naming_.default_name = std::move(default_name);
  default_label_ = node_label(naming_, {});
}

LogFile::~LogFile() {
  if (in_pass_) end_pass();
}

bool LogFile::open(const std::string& db_path) {
  struct stat st;
  if (::stat(db_path.c_str(), &st) != 0) {
    error(display_, std::strerror(errno));
    return false;
  }
  if (S_ISDIR(st.st_mode)) {
    error(display_, "is a directory, not a log file");
    return false;
  }
  dev_ = st.st_dev;
  ino_ = st.st_ino;
  if (db_.open(db_path, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX) != SQLITE_OK) {
    report_sqlite("cannot open");
    return false;
  }
  db_.busy_timeout(5000);  // a node may be committing
  if (detect_schema(false)) return true;
  if ((db_.errcode() & 0xff) != SQLITE_CORRUPT) return false;
  // SQLite refuses a file shorter than its header says (a truncated copy)
  // unless the schema is "writable": then it reads the pages present.
  db_.exec("PRAGMA writable_schema=ON");
  if (!detect_schema(true)) return false;
  if (!quiet_) {
    diag_.warning(display_,
                  "the file is shorter than its header says (truncated copy?); "
                  "showing what it holds");
  }
  return true;
}

void LogFile::error(const std::string& file, const std::string& what) {
  if (!quiet_) diag_.error(file, what);
}

bool LogFile::replaced(const std::string& path) const {
  struct stat st;
  return db_ && ::stat(path.c_str(), &st) == 0 && (st.st_dev != dev_ || st.st_ino != ino_);
}

bool LogFile::reopen(const std::string& path) {
  if (in_pass_) end_pass();
  sqlite::Database old = std::move(db_);
  const auto old_dev = dev_, old_ino = ino_;
  auto old_logs = std::move(log_tables_), old_packets = std::move(packet_tables_);
  const bool old_node_table = has_node_table_;
  log_tables_.clear();
  packet_tables_.clear();
  quiet_ = true;  // a new log may still be being created: try again next pass
  const bool ok = open(path);
  quiet_ = false;
  if (!ok) {
    db_ = std::move(old);  // closes the new one
    dev_ = old_dev, ino_ = old_ino;
    log_tables_ = std::move(old_logs), packet_tables_ = std::move(old_packets);
    has_node_table_ = old_node_table;
    return false;
  }
  old.close();
  // Node ids are per file: forget the labels of the old one.
  labels_.clear();
  last_id_ = -1;
  last_label_ = nullptr;
  protocol_checked_ = false;
  return true;
}

void LogFile::report_sqlite(const std::string& what) {
  const int code = db_ ? db_.errcode() & 0xff : SQLITE_CANTOPEN;
  std::string msg = what + ": " + (db_ ? db_.error() : "out of memory");
  switch (code) {
    case SQLITE_NOTADB:
      msg =
          "not an SQLite database, so not a NEO log (compressed logs must be named "
          "*.gz, *.bz2, *.xz or *.zst)";
      break;
    case SQLITE_CORRUPT:
      msg += "; the damaged part was skipped (to salvage more: sqlite3 '" + display_ +
             "' .recover | sqlite3 recovered.log; then: neolog recovered.log)";
      break;
    case SQLITE_BUSY:
      msg += " (a process holds a lock on the log: try again)";
      break;
  }
  error(display_, msg);
}

std::vector<std::string> LogFile::columns(const std::string& table) {
  std::vector<std::string> names;
  sqlite::Statement stmt = db_.prepare("PRAGMA table_info(\"" + table + "\")");
  if (stmt) {
    while (stmt.step() == SQLITE_ROW) names.emplace_back(stmt.text(1));
  }
  return names;
}

bool LogFile::detect_schema(bool report) {
  std::vector<std::string> tables;
  int rc = SQLITE_ERROR;
  {
    sqlite::Statement stmt = db_.prepare("SELECT name FROM sqlite_master WHERE type='table'");
    if (stmt) {
      while ((rc = stmt.step()) == SQLITE_ROW) tables.emplace_back(stmt.text(0));
    }
  }  // finalized before the error code is read
  if (rc != SQLITE_DONE) {
    const bool corrupt = (db_.errcode() & 0xff) == SQLITE_CORRUPT;
    if (report || !corrupt) report_sqlite("cannot read the database schema");
    return false;
  }
  auto has = [&](std::string_view t) {
    return std::find(tables.begin(), tables.end(), t) != tables.end();
  };
  auto format_of = [&](const std::string& table) -> std::optional<Format> {
    const auto cols = columns(table);
    auto has_col = [&](std::string_view c) {
      return std::find(cols.begin(), cols.end(), c) != cols.end();
    };
    if (!has_col("date")) return std::nullopt;
    if (has_col("node")) return Format::New;
    if (has_col("name")) return Format::Old;
    return std::nullopt;
  };
  // Old tables renamed log1/packet1 by the 2018 logger come first.
  for (const char* t : {"log1", "log"}) {
    if (!has(t)) continue;
    if (auto f = format_of(t)) log_tables_.emplace_back(t, *f);
  }
  for (const char* t : {"packet1", "packet"}) {
    if (!has(t)) continue;
    if (auto f = format_of(t)) packet_tables_.emplace_back(t, *f);
  }
  if (log_tables_.empty() && packet_tables_.empty()) {
    error(display_, tables.empty() ? "empty database, not a NEO log"
                                   : "not a NEO log (no log or packet table)");
    return false;
  }
  has_node_table_ = has("node");
  return true;
}

std::string LogFile::where(const Table& t, bool after) const {
  std::string w = " WHERE date";
  if (after) {
    w += ">?1";
  } else if (options_.from) {
    w += ">=?1";
  } else {
    w += ">0";  // as upstream: records dated 0 or before are never shown
  }
  if (options_.until) w += " AND date<=?2";
  if (t.kind == Record::Kind::Log && options_.min_level) w += " AND level>=?3";
  if (t.kind == Record::Kind::Packet && !options_.packet_codes.empty()) {
    w += " AND code IN (";
    for (std::size_t i = 0; i < options_.packet_codes.size(); ++i) {
      if (i) w += ',';
      w += std::to_string(options_.packet_codes[i]);
    }
    w += ')';
  }
  return w + " ORDER BY date";
}

sqlite::Statement LogFile::statement(const Table& t, const std::string& table, Format format,
                                     std::optional<double> after) {
  const bool log = t.kind == Record::Kind::Log;
  std::string sql = "SELECT date, ";
  sql += format == Format::New ? "node" : "name";
  sql += log ? ", level, pathname, lineno, msg" : ", msg_id, code, peer, body";
  sql += " FROM \"" + table + "\"" + where(t, after.has_value());
  sqlite::Statement stmt = db_.prepare(sql);
  if (!stmt) {
    report_sqlite("cannot read table '" + table + "'");
    return stmt;
  }
  if (after) {
    stmt.bind_double(1, *after);
  } else if (options_.from) {
    stmt.bind_double(1, *options_.from);
  }
  if (options_.until) stmt.bind_double(2, *options_.until);
  if (log && options_.min_level) stmt.bind_int64(3, *options_.min_level);
  return stmt;
}

bool LogFile::prepare(Table& t, const std::string& table, Format format) {
  sqlite::Statement stmt = statement(t, table, format, t.last_date);
  if (!stmt) return false;
  t.cursors.push_back(Cursor{std::move(stmt), format, table});
  return true;
}

bool LogFile::begin_pass() {
  if (!db_) return false;
  if (db_.exec("BEGIN") != SQLITE_OK) {
    if (!transient(db_.errcode() & 0xff)) report_sqlite("cannot start reading");
    return false;
  }
  in_pass_ = true;
  if (log_tables_.empty() || packet_tables_.empty()) {
    // A log being created may not have all its tables yet (follow mode).
    auto logs = std::move(log_tables_), packets = std::move(packet_tables_);
    log_tables_.clear();
    packet_tables_.clear();
    quiet_ = true;
    if (!detect_schema(false)) {
      log_tables_ = std::move(logs);
      packet_tables_ = std::move(packets);
    }
    quiet_ = false;
  }
  if (options_.packets && !protocol_checked_) check_protocol();
  if (options_.logs) {
    for (const auto& [table, format] : log_tables_) prepare(logs_, table, format);
  }
  if (options_.packets) {
    for (const auto& [table, format] : packet_tables_) prepare(packets_, table, format);
  }
  step(logs_);
  step(packets_);
  pick();
  return true;
}

void LogFile::finish(Table& t) {
  t.cursors.clear();  // finalizes the statements
  t.index = 0;
  t.valid = false;
  if (t.bad_rows > 0) {
    diag_.error(display_, std::to_string(t.bad_rows) + " malformed row(s) of table '" +
                              (t.kind == Record::Kind::Log ? "log" : "packet") +
                              "' skipped (first: " + t.first_bad + ")");
    t.bad_rows = 0;
  }
  if (t.recoveries > 3) {
    diag_.error(display_, std::to_string(t.recoveries - 3) + " more damaged part(s) of table '" +
                              (t.kind == Record::Kind::Log ? "log" : "packet") + "' skipped");
  }
  t.recoveries = 0;
}

void LogFile::end_pass() {
  finish(logs_);
  finish(packets_);
  current_ = nullptr;
  current_table_ = nullptr;
  if (in_pass_) db_.exec("ROLLBACK");
  in_pass_ = false;
}

void LogFile::step(Table& t) {
  while (t.index < t.cursors.size()) {
    Cursor& c = t.cursors[t.index];
    const int rc = c.stmt.step();
    if (rc == SQLITE_ROW) {
      if (fetch(t, c.stmt, c.format)) {
        t.valid = true;
        return;
      }
      continue;
    }
    if (rc != SQLITE_DONE && recover(t, c)) continue;
    ++t.index;
  }
  t.valid = false;
}

bool LogFile::fetch(Table& t, const sqlite::Statement& stmt, Format format) {
  Record& r = t.record;
  auto bad = [&](const char* why) {
    if (t.bad_rows++ == 0) {
      const std::string d =
          is_number(stmt, 0) ? describe_date(stmt.real(0)) : "'" + std::string(stmt.text(0)) + "'";
      t.first_bad = "date " + d + ": " + why;
    }
    return false;
  };
  sqlite3_value* date = stmt.value(0);
  const int date_type = sqlite3_value_type(date);
  if (date_type != SQLITE_INTEGER && date_type != SQLITE_FLOAT) return bad("date is not a number");
  r.kind = t.kind;
  r.date = sqlite3_value_double(date);
  // Never backwards, even if a damaged page yields rows out of order.
  if (!t.last_date || r.date > *t.last_date) t.last_date = r.date;
  sqlite3_value* node = stmt.value(1);
  if (format == Format::New) {
    const auto id = value_integer(node);
    r.node = id ? label_for_id(*id) : &default_label_;
  } else {
    r.node = sqlite3_value_type(node) == SQLITE_NULL ? &default_label_
                                                     : label_for_name(value_text(node));
  }
  if (t.kind == Record::Kind::Log) {
    const auto level = value_integer(stmt.value(2));
    if (!level) return bad("level is not an integer");
    r.level = *level;
    r.pathname = value_text(stmt.value(3));
    r.lineno = value_integer(stmt.value(4));
    r.msg = value_text(stmt.value(5));
  } else {
    const auto msg_id = value_integer(stmt.value(2));
    const auto code = value_integer(stmt.value(3));
    if (!msg_id || !code) return bad("msg_id or code is not an integer");
    r.msg_id = *msg_id;
    r.code = *code;
    sqlite3_value* peer = stmt.value(4);
    r.peer = sqlite3_value_type(peer) == SQLITE_NULL ? "None" : value_text(peer);
    sqlite3_value* body = stmt.value(5);
    if (sqlite3_value_type(body) == SQLITE_NULL) {
      r.body.reset();
    } else {
      r.body = value_blob(body);
    }
  }
  return true;
}

void LogFile::pick() {
  if (packets_.valid && (!logs_.valid || packets_.record.date < logs_.record.date)) {
    current_table_ = &packets_;
  } else if (logs_.valid) {
    current_table_ = &logs_;
  } else {
    current_table_ = nullptr;
  }
  current_ = current_table_ ? &current_table_->record : nullptr;
}

void LogFile::advance() {
  if (!current_table_) return;
  step(*current_table_);
  pick();
}

void LogFile::load_nodes() {
  sqlite::Statement stmt = db_.prepare("SELECT id, name, cluster, nid FROM node");
  if (stmt) {
    while (stmt.step() == SQLITE_ROW) {
      const auto id = column_integer(stmt, 0);
      if (!id) continue;
      NodeIdentity node{stmt.opt_text(1), stmt.opt_text(2),
                        stmt.type(3) == SQLITE_INTEGER ? std::optional<std::int64_t>(stmt.int64(3))
                                                       : std::nullopt};
      labels_[*id] = node_label(naming_, node);
    }
  }
}

const std::string* LogFile::label_for_id(std::int64_t id) {
  if (id == last_id_ && last_label_) return last_label_;
  auto it = labels_.find(id);
  if (it == labels_.end() && has_node_table_) {
    load_nodes();  // a node row added since the last look
    it = labels_.find(id);
  }
  if (it == labels_.end()) it = labels_.emplace(id, default_label_).first;
  last_id_ = id;
  last_label_ = &it->second;
  return last_label_;
}

const std::string* LogFile::label_for_name(std::string_view name) {
  auto it = name_labels_.find(std::string(name));
  if (it == name_labels_.end()) {
    NodeIdentity node{std::string(name), std::nullopt, std::nullopt};
    it = name_labels_.emplace(std::string(name), node_label(naming_, node)).first;
  }
  return &it->second;
}

void LogFile::check_protocol() {
  protocol_checked_ = true;
  sqlite::Statement stmt = db_.prepare("SELECT text FROM protocol");
  if (!stmt) return;
  while (stmt.step() == SQLITE_ROW) {
    const int version = protocol_version(stmt.blob(0));
    if (version >= 0 && version != kProtocolVersion) {
      diag_.warning(display_, "written with NEO protocol version " + std::to_string(version) +
                                  "; packets are shown with version " +
                                  std::to_string(kProtocolVersion) +
                                  " names and may be misnamed or undecodable");
      break;
    }
  }
}

}  // namespace neo::neolog
