// Reading one NEO log database (SQLite, read-only): schema detection (the
// current log/packet/node tables, and the log1/packet1 tables left by the
// 2018 format change, read first), one cursor per table ordered by date,
// and the records of both tables merged by date (a log record before a
// packet of the same date, as upstream). Problems (unreadable file, corrupt
// pages, malformed rows) are reported through Diagnostics; what can be read
// is still returned. One thread.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "cli/neolog/node_column.hpp"
#include "core/sqlite/sqlite.hpp"

namespace neo::neolog {

class Diagnostics;

// What to read, the same for every file.
struct ReadOptions {
  bool no_nid = false;                    // -N
  bool show_cluster = false;              // -C
  std::optional<double> from;             // date >= from
  std::optional<double> until;            // date <= until
  std::optional<std::int64_t> min_level;  // log records with level >= this
  bool logs = true;
  bool packets = true;
  std::vector<std::uint16_t> packet_codes;  // if not empty: only these packets
  bool follow = false;  // -f: a busy or locked database is retried at the next pass
};

// One record; its views stay valid until its file moves to the next record.
struct Record {
  enum class Kind { Log, Packet };
  Kind kind = Kind::Log;
  double date = 0;
  const std::string* node = nullptr;  // the node column (never null once read)
  // Log records.
  std::int64_t level = 0;
  std::string_view msg;
  std::string_view pathname;
  std::optional<std::int64_t> lineno;
  // Packet records.
  std::int64_t msg_id = 0;
  std::int64_t code = 0;
  std::string_view peer;
  std::optional<std::string_view> body;
};

class LogFile {
 public:
  // `display` names the file in messages; `default_name` is its node column
  // fallback (default_node_name() of what the user typed).
  LogFile(std::string display, std::string default_name, const ReadOptions& options,
          Diagnostics& diag);
  ~LogFile();
  LogFile(const LogFile&) = delete;
  LogFile& operator=(const LogFile&) = delete;

  // Opens `db_path` read-only and checks it is a NEO log; false if not
  // (reported). The path may be unlinked once this returned true.
  bool open(const std::string& db_path);
  const std::string& display() const { return display_; }

  // Follow mode: true if `path` now names another file than the one open
  // (the log was rotated: NEO reopens its log path on SIGRTMIN+1).
  bool replaced(const std::string& path) const;
  // Switches to the file now at `path`, going on after the records already
  // read; false if it cannot be opened (yet): the old one stays, silently.
  bool reopen(const std::string& path);

  // A pass reads, in one read transaction, the records newer than those
  // of the previous pass (all matching records the first time).
  bool begin_pass();
  // The current record, nullptr when the pass is over.
  const Record* current() const { return current_; }
  void advance();
  void end_pass();

 private:
  enum class Format { Old, New };  // name column / node column
  struct Cursor {
    sqlite::Statement stmt;
    Format format = Format::New;
    std::string table;
  };
  struct Table {
    explicit Table(Record::Kind k) : kind(k) { record.kind = k; }
    Record::Kind kind;
    std::vector<Cursor> cursors;  // read one after the other
    std::size_t index = 0;
    bool valid = false;  // `record` holds a row
    Record record;
    std::optional<double> last_date;  // of the last row read, for the next pass
    std::size_t bad_rows = 0;
    std::string first_bad;
    int recoveries = 0;  // damaged parts skipped during this pass
  };

  bool detect_schema(bool report);
  std::vector<std::string> columns(const std::string& table);
  bool prepare(Table& t, const std::string& table, Format format);
  sqlite::Statement statement(const Table& t, const std::string& table, Format format,
                              std::optional<double> after);
  std::string where(const Table& t, bool after) const;
  bool recover(Table& t, Cursor& c);
  bool transient(int code);
  int probe(const std::string& table, double after);
  void step(Table& t);
  bool fetch(Table& t, const sqlite::Statement& stmt, Format format);
  void pick();
  const std::string* label_for_id(std::int64_t id);
  const std::string* label_for_name(std::string_view name);
  void load_nodes();
  void report_sqlite(const std::string& what);
  void error(const std::string& file, const std::string& what);  // unless quiet_
  void check_protocol();
  void finish(Table& t);

  std::string display_;
  NodeNaming naming_;
  const ReadOptions& options_;
  Diagnostics& diag_;
  sqlite::Database db_;
  bool in_pass_ = false;
  std::uint64_t dev_ = 0, ino_ = 0;  // of the file opened
  bool quiet_ = false;               // reopening: errors are not reported
  bool busy_warned_ = false;

  std::vector<std::pair<std::string, Format>> log_tables_, packet_tables_;
  bool has_node_table_ = false;
  bool protocol_checked_ = false;

  Table logs_{Record::Kind::Log};
  Table packets_{Record::Kind::Packet};
  const Record* current_ = nullptr;
  Table* current_table_ = nullptr;

  std::unordered_map<std::int64_t, std::string> labels_;
  std::unordered_map<std::string, std::string> name_labels_;
  std::string default_label_;
  std::int64_t last_id_ = -1;
  const std::string* last_label_ = nullptr;
};

}  // namespace neo::neolog
