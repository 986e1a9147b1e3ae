// neoctl truncate TID: cut the history after TID (back to RECOVERING).
#include "cli/neoctl/arguments.hpp"
#include "cli/neoctl/commands/command.hpp"

namespace neo::neoctl {
namespace {

int run_truncate(Context& ctx, Args args) {
  if (args.size() != 1) return ctx.invalid("truncate takes exactly one TID");
  std::optional<Tid> tid = parse_tid(args[0]);
  if (!tid) return ctx.invalid("invalid TID '" + args[0] + "'");
  if (!ctx.ack(protocol::Truncate{.tid = *tid})) return ctx.failed();
  return 0;  // upstream prints nothing
}

}  // namespace

const Command kTruncateCommand{
    .name = "truncate",
    .help =
        "Truncate the database at the given tid.\n"
        "\n"
        "The cluster must be in RUNNING state, without any pending transaction.\n"
        "This causes the cluster to go back in RECOVERING state, waiting all\n"
        "nodes to be pending (do not use 'start' command unless you're sure\n"
        "the missing nodes don't need to be truncated).\n"
        "\n"
        "Parameters: tid",
    .run = run_truncate};

}  // namespace neo::neoctl
