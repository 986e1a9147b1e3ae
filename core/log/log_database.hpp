// The SQLite log database of a node, in NEO/py's layout (spec/log-format.md
// section 1): tables log, packet, protocol and node, so that one neolog reads
// the logs of C++ and Python nodes alike.
//
// A LogDatabase owns the connection and the in-memory backlog (section 3):
// with a backlog, records wait in a bounded ring and reach the file only when
// a WARNING-or-higher record arrives or on flush(); without one ("immediate"
// mode) every record is committed at once. Thread-safe (one internal mutex).
// Only the constructor throws; runtime SQLite failures are reported on stderr
// and never propagate into the caller (a logger must not stop a node).
#pragma once

#include <compare>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <variant>

#include "core/sqlite/sqlite.hpp"

namespace neo::log {

// Python logging levels, as stored in the `level` column.
enum class Level : int { Debug = 10, Info = 20, Warning = 30, Error = 40, Critical = 50 };

// Who emitted a record: a `node` table row. All three unknown -> NULL node.
struct NodeKey {
  std::optional<std::string> name;     // logger name; NULL for a normal process
  std::optional<std::string> cluster;  // cluster name
  std::optional<std::int32_t> nid;     // node id (NodeId::value)
  auto operator<=>(const NodeKey&) const = default;
  bool unknown() const { return !name && !cluster && !nid; }
};

struct LogRecord {
  double date = 0;  // seconds since the epoch
  NodeKey node;
  Level level = Level::Info;
  std::string pathname;  // source file, relative to the project root
  int lineno = 0;
  std::string msg;
};

struct PacketRecord {
  double date = 0;
  NodeKey node;
  std::uint32_t msg_id = 0;
  std::uint16_t code = 0;
  std::string peer;                 // "> S1 (127.0.0.1:20000)"
  std::optional<std::string> body;  // msgpack of the argument array, or NULL
};

// About 16 MiB of records, as NEO/py.
inline constexpr std::size_t kDefaultBacklog = std::size_t{1} << 24;

class LogDatabase {
 public:
  struct Options {
    // Maximum bytes of records kept in memory; nullopt = immediate mode.
    std::optional<std::size_t> backlog = kDefaultBacklog;
    // Contents of protocol.text for this process (already compressed), or
    // empty for none. Inserted when it differs from the most recent row.
    std::string protocol;
  };

  // Opens or creates the database at `path` and its tables.
  // Throws std::runtime_error if it cannot.
  LogDatabase(std::string path, Options options);
  ~LogDatabase();
  LogDatabase(const LogDatabase&) = delete;
  LogDatabase& operator=(const LogDatabase&) = delete;

  void add(LogRecord record);
  void add(PacketRecord record);
  // Writes the backlog to the file.
  void flush();
  // Closes the file (dropping its protocol table and vacuuming it if it has
  // no packet), then opens `path` again: after a rename, a new file. Kept
  // records stay in the backlog.
  void reopen();

  // Immediate mode if nullopt; a smaller size trims the backlog.
  void set_backlog(std::optional<std::size_t> max_size);
  const std::string& path() const { return path_; }
  // Bytes accounted in the backlog, and its number of records (for tests).
  std::size_t backlog_size() const;
  std::size_t backlog_count() const;
  // The value of a PRAGMA on this connection, e.g. "journal_mode" (for tests).
  std::string pragma(const std::string& name) const;

 private:
  using Record = std::variant<LogRecord, PacketRecord>;

  struct CorruptLog : std::runtime_error {
    using std::runtime_error::runtime_error;
  };
  void open_locked();
  void open_file_locked();
  void close_locked();
  void queue_locked(Record record, bool urgent);
  void flush_locked();
  void emit_locked(Record& record);
  std::optional<std::int64_t> node_id_locked(const NodeKey& key);
  bool exec_locked(const char* sql);
  int step_locked(sqlite::Statement& stmt);
  void commit_locked();
  void report_locked(const char* what) const;
  static std::size_t size_of(const Record& record);

  mutable std::mutex mutex_;
  const std::string path_;
  Options options_;
  sqlite::Database db_;
  sqlite::Statement insert_log_;
  sqlite::Statement insert_packet_;
  bool in_transaction_ = false;
  std::map<NodeKey, std::int64_t> node_ids_;  // rows of the node table
  std::deque<Record> backlog_;
  std::size_t backlog_size_ = 0;
};

}  // namespace neo::log
