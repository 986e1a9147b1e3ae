// neoctl flush_log: every node writes its log buffer to its log file.
#include "cli/neoctl/commands/command.hpp"

namespace neo::neoctl {
namespace {

int run_flush_log(Context& ctx, Args args) {
  if (!no_argument(ctx, "flush_log", args)) return 1;
  return ctx.notify(protocol::FlushLog{}) ? 0 : ctx.failed();
}

}  // namespace

const Command kFlushLogCommand{
    .name = "flush_log",
    .help =
        "Ask all nodes in the cluster to flush their logs.\n"
        "\n"
        "If there are backup clusters, only their primary masters flush.",
    .run = run_flush_log};

}  // namespace neo::neoctl
