// neoctl prune_orphan 0|1 NODE... | all: delete unreferenced data rows.
#include "cli/neoctl/commands/command.hpp"

namespace neo::neoctl {
namespace {

int run_prune_orphan(Context& ctx, Args args) {
  // Upstream reads the flag as the position of a substring of "01", so
  // "01" is accepted and means 0.
  const std::string_view flags = "01";
  const std::size_t position = args.empty() ? flags.npos : flags.find(args[0]);
  if (position == flags.npos) return ctx.invalid("prune_orphan: dry_run must be 0 or 1");
  std::optional<std::vector<NodeId>> nids = storage_list(ctx, args.subspan(1));
  if (!nids) return ctx.failed();
  auto message = ctx.ack(protocol::Repair{.nid_list = std::move(*nids), .dry_run = position == 1});
  if (!message) return ctx.failed();
  return ctx.print(*message);
}

}  // namespace

const Command kPruneOrphanCommand{
    .name = "prune_orphan",
    .help =
        "Fix database by deleting unreferenced raw data\n"
        "\n"
        "This can take a long time.\n"
        "\n"
        "Parameters: dry_run node [node [...]]\n"
        "  dry_run: 0 or 1\n"
        "  node: if \"all\", ask all connected storage nodes to repair,\n"
        "        otherwise, only the given list of storage nodes.",
    .run = run_prune_orphan};

}  // namespace neo::neoctl
