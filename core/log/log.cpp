#include "core/log/log.hpp"

#include <spdlog/details/null_mutex.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <utility>

namespace neo::log {
namespace {

struct Identity {
  std::optional<std::string> cluster;
  std::optional<NodeId> nid;
};

// Process-wide logging state, guarded by mutex.
struct State {
  std::mutex mutex;
  std::string program = "neo";
  std::map<std::string, Identity, std::less<>> nodes;  // by logger name
  std::shared_ptr<LogDatabase> db;
  std::optional<std::size_t> max_packet;
  Level console_level = Level::Info;
};

State& state() {
  static State s;
  return s;
}

NodeKey node_key_locked(State& s, std::string_view name) {
  NodeKey key;
  if (!name.empty()) key.name = std::string(name);
  if (auto it = s.nodes.find(name); it != s.nodes.end()) {
    key.cluster = it->second.cluster;
    if (it->second.nid) key.nid = it->second.nid->value;
  }
  return key;
}

Level python_level(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::trace:
    case spdlog::level::debug: return Level::Debug;
    case spdlog::level::info: return Level::Info;
    case spdlog::level::warn: return Level::Warning;
    case spdlog::level::err: return Level::Error;
    default: return Level::Critical;
  }
}

spdlog::level::level_enum spdlog_level(Level level) {
  switch (level) {
    case Level::Debug: return spdlog::level::debug;
    case Level::Info: return spdlog::level::info;
    case Level::Warning: return spdlog::level::warn;
    case Level::Error: return spdlog::level::err;
    case Level::Critical: return spdlog::level::critical;
  }
  return spdlog::level::info;
}

const char* level_name(Level level) {
  switch (level) {
    case Level::Debug: return "DEBUG   ";
    case Level::Info: return "INFO    ";
    case Level::Warning: return "WARNING ";
    case Level::Error: return "ERROR   ";
    case Level::Critical: return "CRITICAL";
  }
  return "?";
}

double unix_time(spdlog::log_clock::time_point t) {
  return std::chrono::duration<double>(t.time_since_epoch()).count();
}

// Forwards every record to the log database.
class DatabaseSink final : public spdlog::sinks::base_sink<spdlog::details::null_mutex> {
 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    LogRecord record;
    std::shared_ptr<LogDatabase> db;
    {
      State& s = state();
      std::lock_guard lock(s.mutex);
      db = s.db;
      if (!db) return;
      record.node = node_key_locked(s, {msg.logger_name.data(), msg.logger_name.size()});
    }
    record.date = unix_time(msg.time);
    record.level = python_level(msg.level);
    if (msg.source.filename) record.pathname = relative_path(msg.source.filename);
    record.lineno = msg.source.line;
    record.msg.assign(msg.payload.data(), msg.payload.size());
    db->add(std::move(record));
  }
  void flush_() override {}  // the backlog is written on warnings or log::flush()
};

// %* : the Python level name, padded to 8 columns.
class LevelFlag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&, spdlog::memory_buf_t& dest) override {
    std::string_view name = level_name(python_level(msg.level));
    dest.append(name.data(), name.data() + name.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override { return std::make_unique<LevelFlag>(); }
};

// %& : the node id once known, else the program name.
class NodeFlag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&, spdlog::memory_buf_t& dest) override {
    std::string label = node_label({msg.logger_name.data(), msg.logger_name.size()});
    dest.append(label.data(), label.data() + label.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override { return std::make_unique<NodeFlag>(); }
};

std::shared_ptr<spdlog::sinks::sink> make_console_sink(Level level) {
  auto sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
  auto formatter = std::make_unique<spdlog::pattern_formatter>();
  formatter->add_flag<LevelFlag>('*').add_flag<NodeFlag>('&').set_pattern(
      "%Y-%m-%d %H:%M:%S.%e %^%*%$ %& %v");
  sink->set_formatter(std::move(formatter));
  sink->set_level(spdlog_level(level));
  return sink;
}

void install_logger(Level console_level, bool with_database) {
  std::vector<spdlog::sink_ptr> sinks{make_console_sink(console_level)};
  if (with_database) sinks.push_back(std::make_shared<DatabaseSink>());
  auto logger = std::make_shared<spdlog::logger>("", sinks.begin(), sinks.end());
  // Everything reaches the database; only the console filters.
  logger->set_level(with_database ? spdlog::level::debug : spdlog_level(console_level));
  spdlog::set_default_logger(std::move(logger));
}

}  // namespace

std::string_view relative_path(std::string_view file) {
  constexpr std::string_view root = NEO_SOURCE_ROOT "/";
  if (file.substr(0, root.size()) == root) file.remove_prefix(root.size());
  return file;
}

void setup_tool(std::string_view program, const std::string& logfile,
                const std::function<std::string()>& protocol) {
  Options options;
  options.console_level = Level::Critical;
  options.backlog = std::nullopt;
  if (!logfile.empty()) {
    options.logfile = logfile;
    options.protocol = protocol();
  }
  setup(program, options);
}

void setup(std::string_view program, const Options& options) {
  std::shared_ptr<LogDatabase> db;
  if (!options.logfile.empty()) {
    db = std::make_shared<LogDatabase>(
        options.logfile, LogDatabase::Options{.backlog = options.backlog, .protocol = options.protocol});
  }
  {
    State& s = state();
    std::lock_guard lock(s.mutex);
    s.program = std::string(program);
    s.db = std::move(db);
    s.max_packet = options.max_packet;
    s.console_level = options.console_level;
  }
  install_logger(options.console_level, !options.logfile.empty());
}

void shutdown() {
  Level level;
  {
    State& s = state();
    std::lock_guard lock(s.mutex);
    s.db.reset();
    level = s.console_level;
  }
  install_logger(level, false);
}

void set_node(std::optional<std::string> cluster, std::optional<NodeId> nid, std::string_view name) {
  {
    State& s = state();
    std::lock_guard lock(s.mutex);
    Identity& id = s.nodes[std::string(name)];
    if (id.cluster == cluster && id.nid == nid) return;
    id.cluster = std::move(cluster);
    id.nid = nid;
  }
  auto logger = name.empty() ? spdlog::default_logger() : spdlog::get(std::string(name));
  if (logger) logger->info("Node ID: {}", to_string(nid));
}

std::string node_label(std::string_view name) {
  State& s = state();
  std::lock_guard lock(s.mutex);
  if (auto it = s.nodes.find(name); it != s.nodes.end() && it->second.nid)
    return to_string(*it->second.nid);
  return name.empty() ? s.program : std::string(name);
}

std::shared_ptr<spdlog::logger> named_logger(const std::string& name) {
  if (auto logger = spdlog::get(name)) return logger;
  auto base = spdlog::default_logger();
  auto logger = std::make_shared<spdlog::logger>(name, base->sinks().begin(), base->sinks().end());
  logger->set_level(base->level());
  spdlog::register_logger(logger);
  return logger;
}

bool packets_enabled() {
  State& s = state();
  std::lock_guard lock(s.mutex);
  return s.db != nullptr;
}

void packet(bool sent, std::string_view peer_nid, std::string_view peer_address,
            std::uint32_t msg_id, std::uint16_t code, std::string_view body,
            std::size_t packet_size, std::string_view name) {
  PacketRecord record;
  std::shared_ptr<LogDatabase> db;
  {
    State& s = state();
    std::lock_guard lock(s.mutex);
    db = s.db;
    if (!db) return;
    record.node = node_key_locked(s, name);
    if (!s.max_packet || (packet_size ? packet_size : body.size()) <= *s.max_packet)
      record.body = std::string(body);
  }
  record.date = unix_time(spdlog::log_clock::now());
  record.msg_id = msg_id;
  record.code = code;
  record.peer = fmt::format("{} {} ({})", sent ? '>' : '<', peer_nid, peer_address);
  db->add(std::move(record));
}

void flush() {
  std::shared_ptr<LogDatabase> db;
  {
    State& s = state();
    std::lock_guard lock(s.mutex);
    db = s.db;
  }
  if (db) db->flush();
}

void reopen() {
  std::shared_ptr<LogDatabase> db;
  {
    State& s = state();
    std::lock_guard lock(s.mutex);
    db = s.db;
  }
  if (db) db->reopen();
}

void set_backlog(std::optional<std::size_t> max_size) {
  std::shared_ptr<LogDatabase> db;
  {
    State& s = state();
    std::lock_guard lock(s.mutex);
    db = s.db;
  }
  if (db) db->set_backlog(max_size);
}

}  // namespace neo::log
