// neoctl tweak [-n] [NODE...]: rebalance the partition table.
#include "cli/neoctl/commands/command.hpp"

namespace neo::neoctl {
namespace {

int run_tweak(Context& ctx, Args args) {
  const bool dry_run = !args.empty() && args[0] == "-n";
  std::optional<std::vector<NodeId>> nids = node_list(ctx, args.subspan(dry_run ? 1 : 0));
  if (!nids) return ctx.failed();
  auto answer = ctx.ask(protocol::TweakPartitionTable{.dry_run = dry_run, .nid_list = *nids});
  if (!answer) return ctx.failed();
  if (!answer->changed) return ctx.print("No change done.");
  std::optional<std::string> table = format_table(ctx, answer->row_list);
  if (!table) return ctx.failed();
  return ctx.print(*table);
}

}  // namespace

const Command kTweakCommand{
    .name = "tweak",
    .help =
        "Optimize partition table.\n"
        "No change is done to the specified/down storage nodes and they don't\n"
        "count as replicas. The purpose of listing nodes is usually to drop\n"
        "them once the data is replicated to other nodes.\n"
        "Parameters: [-n] [node [...]]\n"
        "  -n: dry run",
    .run = run_tweak};

}  // namespace neo::neoctl
