// neoctl start: leave RECOVERING (same as `set cluster verifying`).
#include "cli/neoctl/commands/command.hpp"

namespace neo::neoctl {
namespace {

int run_start(Context& ctx, Args args) {
  if (!no_argument(ctx, "start", args)) return 1;
  auto message = ctx.ack(protocol::SetClusterState{.state = protocol::ClusterState::Verifying});
  if (!message) return ctx.failed();
  return ctx.print(*message);
}

}  // namespace

const Command kStartCommand{.name = "start",
                            .help =
                                "Starts cluster operation after a startup.\n"
                                "Equivalent to:\n"
                                "  set cluster verifying",
                            .run = run_start};

}  // namespace neo::neoctl
