// neoctl drop NODE: remove a (stopped) storage node permanently.
#include "cli/neoctl/commands/command.hpp"

namespace neo::neoctl {
namespace {

int run_drop(Context& ctx, Args args) {
  std::optional<NodeId> nid = single_node(ctx, "drop", args);
  if (!nid) return ctx.failed();
  auto message =
      ctx.ack(protocol::SetNodeState{.nid = *nid, .state = protocol::NodeState::Unknown});
  if (!message) return ctx.failed();
  return ctx.print(*message);
}

}  // namespace

const Command kDropCommand{.name = "drop",
                           .help =
                               "Remove storage node permanently.\n"
                               "Parameters: node",
                           .run = run_drop};

}  // namespace neo::neoctl
