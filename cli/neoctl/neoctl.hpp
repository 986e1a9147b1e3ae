// cli/neoctl/neoctl.hpp
// neoctl, the command-line client of an admin node, compatible with NEO/py's
// neoctl: same options, commands, outputs and exit statuses (spec/config-
// and-cli.md 6). main.cpp only calls run_neoctl().
#pragma once

#include <functional>
#include <memory>
#include <ostream>
#include <span>
#include <string>

#include "cli/neoctl/admin_link.hpp"
#include "cli/neoctl/commands/command.hpp"
#include "cli/neoctl/context.hpp"

namespace neo::neoctl {

// Opens the link to the admin (connect_admin, or a fake in tests).
using LinkMaker = std::function<std::unique_ptr<AdminLink>(const net::Address& address,
                                                           const net::ConnectionOptions& options)>;

// The whole tool: parses `args` (without the program name), runs the
// command, returns the exit status: 0 success, 1 failure (refused request,
// admin unreachable or not ready, invalid command or argument), 2 bad
// options (argparse's usage message).
int run_neoctl(std::span<const std::string> args, std::ostream& out, std::ostream& err,
               const LinkMaker& make_link = connect_admin);
int run_neoctl(int argc, char** argv, std::ostream& out, std::ostream& err);

// The top-level commands, in upstream's order.
std::span<const Command* const> commands();
// What neoctl prints without a command ("Available commands:" ... the TID
// syntax), without the final newline.
std::string usage_text();
// Runs `command` (its words, e.g. {"print", "pt", "0", "3"}) in `ctx`.
int run_command(Context& ctx, std::span<const std::string> command);

}  // namespace neo::neoctl
