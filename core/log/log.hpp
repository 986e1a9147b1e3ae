// Logging of every node and tool: spdlog's default logger writes to stderr
// and, with a log file (-l/--logfile), into a LogDatabase in NEO/py's SQLite
// layout (spec/log-format.md), so that neolog reads C++ and Python logs alike.
//
// Log with spdlog's macros, which record the source location:
//   SPDLOG_INFO("S2: partition {} OUT_OF_DATE -> UP_TO_DATE", partition);
// SPDLOG_ACTIVE_LEVEL is set by the neo::log target so that DEBUG records are
// compiled in; every record goes to the database (subject to the backlog), the
// console shows those at or above Options::console_level.
//
// All functions are thread-safe. setup() and shutdown() are for main (or a
// test); the others may be called from anywhere, also before setup() (then
// they do nothing but remember the node identity).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/log/log_database.hpp"
#include "core/util/ids.hpp"

#include <spdlog/spdlog.h>
#if SPDLOG_ACTIVE_LEVEL > SPDLOG_LEVEL_DEBUG
#error "build with SPDLOG_ACTIVE_LEVEL=SPDLOG_LEVEL_DEBUG (link neo::log)"
#endif

namespace neo::log {

struct Options {
  // SQLite log database; empty = console only.
  std::string logfile;
  // Minimum level printed on stderr.
  Level console_level = Level::Info;
  // Records kept in memory until a WARNING (daemons); nullopt writes every
  // record at once (tools, tests).
  std::optional<std::size_t> backlog = kDefaultBacklog;
  // Packets whose encoded size exceeds this get a NULL body.
  std::optional<std::size_t> max_packet;
  // protocol.text (already compressed) for upstream neolog; empty = no row.
  // Nodes and tools pass compress_protocol(protocol::python_description())
  // (core/log/protocol_text.hpp, core/protocol/python_description.hpp).
  std::string protocol;
};

// Installs the default logger of `program` (name shown on the console until a
// node id is known). Replaces any previous setup. Throws std::runtime_error
// if the log file cannot be opened.
void setup(std::string_view program, const Options& options);
// The setup of command-line tools (neoctl, neomigrate): the console shows
// only CRITICAL records (the tool reports errors itself); with a log file,
// every record and packet goes to it at once, with `protocol()` as
// Options::protocol (called only then).
void setup_tool(std::string_view program, const std::string& logfile,
                const std::function<std::string()>& protocol);
// Closes the log file (the backlog is not written, as NEO/py) and leaves a
// console-only logger.
void shutdown();

// The node learnt its cluster name and/or node id: later records refer to a
// `node` row (cluster, nid). `name` distinguishes nodes sharing a process
// (records of the spdlog logger of that name); empty for the process itself.
void set_node(std::optional<std::string> cluster, std::optional<NodeId> nid,
              std::string_view name = {});
// "M1" once known, else the program name (for messages and the console).
std::string node_label(std::string_view name = {});
// For processes running several nodes: a registered spdlog logger `name`
// writing to the same sinks; its records use the identity set_node() gave
// `name`. Log with SPDLOG_LOGGER_INFO(logger, ...).
std::shared_ptr<spdlog::logger> named_logger(const std::string& name);

// True when packets are logged (a log file is open): the caller may skip
// encoding the body otherwise.
bool packets_enabled();
// One packet sent (`sent`) or received: peer_nid is the printed id ("S1",
// "None"), peer_address "host:port" ("[v6]:port"), empty if unknown; body is
// the msgpack of the argument array; packet_size, if not 0, is the encoded
// frame size compared with Options::max_packet (else body.size()).
void packet(bool sent, std::string_view peer_nid, std::string_view peer_address,
            std::uint32_t msg_id, std::uint16_t code, std::string_view body,
            std::size_t packet_size = 0, std::string_view name = {});

// Writes the backlog to the log file (SIGRTMIN, FlushLog).
void flush();
// Reopens the log file after an external rotation (SIGRTMIN+1).
void reopen();
// Changes the backlog (nullopt: write everything at once from now on).
void set_backlog(std::optional<std::size_t> max_size);

// "file.cpp" of __FILE__ relative to the project root, as stored in pathname.
std::string_view relative_path(std::string_view file);

}  // namespace neo::log
