#include "cli/neoctl/neoctl.hpp"

#include <stdexcept>
#include <vector>

#include "cli/neoctl/options.hpp"
#include "core/config/address.hpp"
#include "core/config/ini_file.hpp"
#include "core/log/log.hpp"
#include "core/log/protocol_text.hpp"
#include "core/net/tls.hpp"
#include "core/protocol/python_description.hpp"

namespace neo::neoctl {
namespace {

// A new command is one file in commands/ plus one entry here.
constexpr const Command* kCommands[] = {
    &kPrintCommand,       &kSetCommand,      &kCheckCommand,    &kStartCommand,
    &kAddCommand,         &kTweakCommand,    &kDropCommand,     &kKillCommand,
    &kPruneOrphanCommand, &kTruncateCommand, &kFlushLogCommand,
};

constexpr std::string_view kTidSyntax =
    "The syntax of \u00ab TID \u00bb arguments is either tid:<integer> (case insensitive) for a"
    " TID or <float> for a UNIX timestamp, e.g. 'tid:257684787499560686',"
    " 'tid:0x3937af2eeeeeeee' or '1325421296' for 2012-01-01 12:34:56 UTC.";

void append_usage(std::string& text, const Command& command, int level) {
  const std::string indent(2 * level, ' ');
  text += indent + std::string(command.name) + '\n';
  for (const Command& child : command.children) append_usage(text, child, level + 1);
  if (command.run == nullptr) return;
  const std::string help_indent = indent + "  ";
  std::string_view help = command.help;
  for (;;) {
    const std::size_t end = help.find('\n');
    text += help_indent + std::string(help.substr(0, end)) + '\n';
    if (end == help.npos) break;
    help.remove_prefix(end + 1);
  }
  text += help_indent + '\n';
}

const Command* find(std::span<const Command> table, std::string_view name) {
  for (const Command& command : table)
    if (command.name == name) return &command;
  return nullptr;
}

std::string join(std::span<const std::string> words) {
  std::string text;
  for (const std::string& word : words) text += (text.empty() ? "" : " ") + word;
  return text;
}

// Logging: the console shows nothing (as upstream's neoctl); with -l, every
// record and packet goes to the log database at once (no backlog).
void setup_logging(const std::string& logfile) {
  log::setup_tool("neoctl", logfile,
                  [] { return log::compress_protocol(protocol::python_description()); });
}

void log_packet(net::Direction direction, const net::Peer& peer, std::uint32_t msg_id,
                std::uint16_t code, std::string_view args) {
  log::packet(direction == net::Direction::kSent, to_string(peer.nid()), peer.address(), msg_id,
              code, args);
}

}  // namespace

std::span<const Command* const> commands() { return kCommands; }

std::string usage_text() {
  std::string text = "Available commands:\n";
  for (const Command* command : kCommands) append_usage(text, *command, 0);
  return text + std::string(kTidSyntax);
}

int run_command(Context& ctx, std::span<const std::string> command) {
  const Command* found = nullptr;
  for (const Command* top : kCommands)
    if (top->name == command[0]) found = top;
  std::size_t used = found ? 1 : 0;
  while (found && found->run == nullptr && used < command.size()) {
    found = find(found->children, command[used++]);
  }
  // A group alone ("print") is a crash upstream; it is just as invalid here.
  if (!found || found->run == nullptr) return ctx.exit_with("invalid command: " + join(command));
  return found->run(ctx, command.subspan(used));
}

int run_neoctl(std::span<const std::string> args, std::ostream& out, std::ostream& err,
               const LinkMaker& make_link) {
  const ParsedOptions parsed = parse_options(args);
  if (parsed.help) {
    out << kHelpText;
    return 0;
  }
  if (!parsed.error.empty()) {
    err << kUsageText << "neoctl: error: " << parsed.error << '\n';
    return 2;
  }
  const Options& options = parsed.options;
  Context ctx(out, err, nullptr);
  net::Address address;
  try {
    const config::Address resolved = config::resolve(config::parse_address(options.address, 9999));
    address = net::Address{resolved.host, resolved.port};
  } catch (const config::Error& e) {
    return ctx.invalid("invalid address '" + options.address + "': " + e.what());
  }
  try {
    setup_logging(options.logfile);
  } catch (const std::exception& e) {
    return ctx.invalid(e.what());
  }
  net::ConnectionOptions connection_options;
  if (!options.logfile.empty()) connection_options.observer = log_packet;
  const int tls_files = !options.ca.empty() + !options.cert.empty() + !options.key.empty();
  if (tls_files != 0 && tls_files != 3) {
    return ctx.invalid(
        "To enable encryption, 3 files must be provided: the CA certificate, and the"
        " certificate of this node with its private key.");
  }
  if (tls_files == 3) {
    auto tls = net::TlsContext::load({options.ca, options.cert, options.key});
    if (!tls) return ctx.invalid("cannot load the TLS files (--ca, --cert, --key)");
    connection_options.tls = *tls;
  }
  int status = 0;
  {  // the connection closes before the log does
    Context command_ctx(out, err, [&] { return make_link(address, connection_options); });
    command_ctx.set_storage_links(
        [&](const std::string& cluster) { return connect_storages(cluster, connection_options); });
    status = options.command.empty() ? command_ctx.print(usage_text())
                                     : run_command(command_ctx, options.command);
  }
  if (!options.logfile.empty()) log::shutdown();
  return status;
}

int run_neoctl(int argc, char** argv, std::ostream& out, std::ostream& err) {
  std::vector<std::string> args(argv + (argc > 0 ? 1 : 0), argv + argc);
  return run_neoctl(args, out, err);
}

}  // namespace neo::neoctl
