// neoctl kill NODE: stop a storage node or a secondary master.
#include "cli/neoctl/commands/command.hpp"

namespace neo::neoctl {
namespace {

int run_kill(Context& ctx, Args args) {
  std::optional<NodeId> nid = single_node(ctx, "kill", args);
  if (!nid) return ctx.failed();
  auto message = ctx.ack(protocol::SetNodeState{.nid = *nid, .state = protocol::NodeState::Down});
  if (!message) return ctx.failed();
  return ctx.print(*message);
}

}  // namespace

const Command kKillCommand{.name = "kill",
                           .help =
                               "Kill redundant nodes (either a storage or a secondary master).\n"
                               "Parameters: node",
                           .run = run_kill};

}  // namespace neo::neoctl
