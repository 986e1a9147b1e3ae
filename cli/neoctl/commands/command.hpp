// cli/neoctl/commands/command.hpp
// The command table, as NEO/py's neoctl: a command is a word ("start") or
// a group of words ("print" -> "ids", "pt", ...). Each command file defines
// one entry with its help text and its run function.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "cli/neoctl/context.hpp"

namespace neo::neoctl {

// The words of the command line after the command name.
using Args = std::span<const std::string>;
// Runs a command; returns the exit status (failures already reported).
using RunFn = int (*)(Context& ctx, Args args);

struct Command {
  std::string_view name{};
  // Help lines, '\n'-separated, as printed under the name (upstream's
  // docstring, dedented); empty for a group.
  std::string_view help{};
  RunFn run = nullptr;                  // leaf commands
  std::span<const Command> children{};  // groups ("print", "set")
};

// One entry per file in commands/; kCommands in neoctl.cpp lists them.
extern const Command kPrintCommand;
extern const Command kSetCommand;
extern const Command kCheckCommand;
extern const Command kStartCommand;
extern const Command kAddCommand;
extern const Command kTweakCommand;
extern const Command kDropCommand;
extern const Command kKillCommand;
extern const Command kPruneOrphanCommand;
extern const Command kTruncateCommand;
extern const Command kFlushLogCommand;

// Helpers shared by the commands.
// "all" alone: every storage node known to the admin (asks AskNodeList);
// otherwise the node ids given. nullopt once a failure was reported.
std::optional<std::vector<NodeId>> storage_list(Context& ctx, Args args);
// The node ids of `args`; nullopt (reported) if one is not a node id.
std::optional<std::vector<NodeId>> node_list(Context& ctx, Args args);
// Exactly one node id in `args` (kill, drop); nullopt (reported) otherwise.
std::optional<NodeId> single_node(Context& ctx, std::string_view command, Args args);
// Fails with "<command> takes no argument" unless `args` is empty.
bool no_argument(Context& ctx, std::string_view command, Args args);
// The partition table of a tweak as upstream prints it (matrix of the
// storages known to the admin); nullopt once a failure was reported.
std::optional<std::string> format_table(Context& ctx, const protocol::RowList& rows);

}  // namespace neo::neoctl
