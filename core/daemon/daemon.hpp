// core/daemon/daemon.hpp
// What every node executable (neomaster, neostorage, neoadmin) does around
// its application: parse the command line (CLI11 + neo.conf, see
// core/config/options.hpp), set up the log (console + SQLite log database
// with NEO/py's layout, 16 MiB backlog, protocol description for neolog),
// load TLS, install the signals, run one io_context until the application
// asks to exit, and turn every startup failure into a clear message and an
// exit status. Mains stay thin:
//
//   int main(int argc, char** argv) {
//     CLI::App app{"NEO storage node", "neostorage"};
//     neo::daemon::Options common;  StorageConfig config;
//     add_storage_options(app, common, config);       // CLI11 + config::add_*
//     return neo::daemon::run(app, common, argc, argv, [&](neo::daemon::Env& env) {
//       return StorageApp::start(env, config);         // throws on startup errors
//     });
//   }
//
// Exit statuses: 0 clean exit (Env::exit(0), SIGINT/SIGTERM), 1 runtime or
// startup error (message on stderr and in the log), 2 bad command line
// (CLI11's message, as argparse does upstream), 0 for --help.
//
// Signals (spec/log-format.md 3): SIGRTMIN flushes the log backlog,
// SIGRTMIN+1 reopens the log file, SIGRTMIN+2 logs Env::dump (state dump),
// SIGINT/SIGTERM stop the node (Env::on_stop runs first, then exit 0).
// Everything runs on the thread calling run(); handlers are never called
// from inside a signal handler.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <memory>
#include <string>

#include "core/config/options.hpp"
#include "core/net/network.hpp"
#include "core/net/tasks.hpp"
#include "core/net/connection.hpp"

namespace asio {
class io_context;
}
namespace neo::node {
class NodeManager;
}

namespace neo::daemon {

// What the application gets from run().
// The application reaches time, deferred work and the network only through
// it, so that a simulation (tests/sim) runs the same application on a
// virtual clock and network.
struct Env {
  // Deferred work, timers and the time, with a net::Tasks the application
  // owns (core/net/tasks.hpp).
  net::Scheduler& scheduler;
  // Connections and listeners (TLS and the packet log observer included).
  net::Network& network;
  std::string program;  // "neostorage"
  // What `network` uses (TLS, if configured; the packet log observer).
  net::ConnectionOptions connection;
  // Ends run() with this status once the current handler returns; the
  // io_context is stopped, pending work is dropped (the application's
  // destructor runs before the log closes).
  std::function<void(int status)> exit;
  // Set by the application: called on SIGINT/SIGTERM before exiting 0
  // (optional), and on SIGRTMIN+2 to log its state (optional).
  std::function<void()> on_stop;
  std::function<void()> dump;
};

// Runs a node. `start` builds the application (kept alive until exit) and
// may throw std::exception to report a startup error (exit status 1).
// `common` must have been registered with config::add_common_options(app).
using StartFn = std::function<std::shared_ptr<void>(Env& env)>;
int run(CLI::App& app, const config::CommonOptions& common, int argc, char** argv,
        const StartFn& start);

// The packet observer writing every packet to the log (log::packet).
void log_packet(net::Direction direction, const net::Peer& peer, std::uint32_t msg_id,
                std::uint16_t code, std::string_view args);

// Converts an option address to a connectable one (resolves the host).
// Throws config::Error if it does not resolve.
net::Address resolve(const config::Address& address);

// -D/--dynamic-master-list: reads the file at `path` (created if missing),
// keeps it up to date with the masters `nodes` learns from now on, and
// returns the masters it lists, to try besides -m. Throws config::Error.
std::vector<net::Address> use_master_list(const std::string& path, node::NodeManager& nodes);

}  // namespace neo::daemon
