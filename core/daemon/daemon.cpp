#include "core/daemon/daemon.hpp"

#include <asio/io_context.hpp>
#include <asio/signal_set.hpp>
#include <csignal>
#include <iostream>
#include <optional>

#include "core/config/master_list_file.hpp"
#include "core/log/log.hpp"
#include "core/log/protocol_text.hpp"
#include "core/log/signals.hpp"
#include "core/net/io_scheduler.hpp"
#include "core/net/network.hpp"
#include "core/node/node_manager.hpp"
#include "core/protocol/python_description.hpp"

namespace neo::daemon {
namespace {

// CLI11 reports usage errors with its own statuses (105, 106...); NEO/py's
// argparse exits 2, which runbooks and test harnesses check.
int parse(CLI::App& app, int argc, char** argv) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int status = app.exit(e);
    return status == 0 ? 0 : 2;
  }
  return -1;
}

void setup_log(const std::string& program, const std::string& logfile) {
  log::Options options;
  options.logfile = logfile;
  if (!logfile.empty()) options.protocol = log::compress_protocol(protocol::python_description());
  log::setup(program, options);
}

}  // namespace

void log_packet(net::Direction direction, const net::Peer& peer, std::uint32_t msg_id,
                std::uint16_t code, std::string_view args) {
  log::packet(direction == net::Direction::kSent, to_string(peer.nid()), peer.address(), msg_id,
              code, args);
}

net::Address resolve(const config::Address& address) {
  const config::Address resolved = config::resolve(address);
  return net::Address{resolved.host, resolved.port};
}

std::vector<net::Address> use_master_list(const std::string& path, node::NodeManager& nodes) {
  auto file = std::make_shared<config::MasterListFile>(path);
  std::vector<net::Address> masters;
  for (const config::Address& address : file->addresses())
    masters.push_back({address.host, address.port});
  using Address = protocol::Address;
  auto convert = [](const std::optional<Address>& a) -> std::optional<config::Address> {
    if (!a) return std::nullopt;
    return config::Address{a->host, a->port};
  };
  nodes.on_master_address([file, convert](const std::optional<Address>& old,
                                          const std::optional<Address>& now) {
    if (std::error_code ec = file->update(convert(old), convert(now)))
      SPDLOG_WARN("failed saving the list of master nodes to {}: {}", file->path(), ec.message());
  });
  return masters;
}

int run(CLI::App& app, const config::CommonOptions& common, int argc, char** argv,
        const StartFn& start) {
  if (const int status = parse(app, argc, argv); status >= 0) return status;
  std::signal(SIGPIPE, SIG_IGN);
  // The log signals would kill a node still starting (their default
  // action): ignored until their handlers are installed (a logrotate
  // meanwhile is missed, not fatal).
  for (int signo = SIGRTMIN; signo <= SIGRTMIN + 2; ++signo) std::signal(signo, SIG_IGN);
  const std::string program = app.get_name();
  try {
    setup_log(program, common.logfile);
  } catch (const std::exception& e) {
    std::cerr << program << ": cannot open the log file: " << e.what() << '\n';
    return 1;
  }
  asio::io_context io(1);
  std::optional<int> status;
  net::IoScheduler scheduler(io);
  int result = 1;
  try {
    net::ConnectionOptions connection;
    if (!common.logfile.empty()) connection.observer = log_packet;
    if (common.tls()) {
      auto tls = net::TlsContext::load({common.ca, common.cert, common.key});
      if (!tls)
        throw std::runtime_error("cannot load the TLS files (--ca, --cert, --key): " +
                                 tls.error().message() + "; see the log for details");
      connection.tls = *tls;
    }
    std::unique_ptr<net::Network> network = net::make_asio_network(io, connection);
    Env env{scheduler, *network, program, connection, {}, {}, {}};
    env.exit = [&](int code) {
      if (!status) status = code;
      io.stop();
    };
    log::LogSignals log_signals(io);
    asio::signal_set stop_signals(io, SIGINT, SIGTERM);
    asio::signal_set dump_signal(io, SIGRTMIN + 2);
    stop_signals.async_wait([&](std::error_code ec, int signal) {
      if (ec) return;
      SPDLOG_INFO("{}: received signal {}, stopping", log::node_label(), signal);
      if (env.on_stop) env.on_stop();
      env.exit(0);
    });
    std::function<void()> wait_dump = [&] {
      dump_signal.async_wait([&](std::error_code ec, int) {
        if (ec) return;
        if (env.dump) env.dump();
        wait_dump();
      });
    };
    wait_dump();
    // Destroyed first, while the environment it uses is still there.
    std::shared_ptr<void> application = start(env);
    if (!status) io.run();
    result = status.value_or(1);
  } catch (const std::exception& e) {
    SPDLOG_CRITICAL("{}: {}", log::node_label(), e.what());
    result = 1;
  }
  log::flush();
  log::shutdown();
  return result;
}

}  // namespace neo::daemon
