// neoctl add NODE... | all: make pending storage nodes running.
#include "cli/neoctl/commands/command.hpp"

namespace neo::neoctl {
namespace {

int run_add(Context& ctx, Args args) {
  std::optional<std::vector<NodeId>> nids = storage_list(ctx, args);
  if (!nids) return ctx.failed();
  auto message = ctx.ack(protocol::AddPendingNodes{.nid_list = std::move(*nids)});
  if (!message) return ctx.failed();
  return ctx.print(*message);
}

}  // namespace

const Command kAddCommand{.name = "add",
                          .help =
                              "Enable cluster to make use of pending storages.\n"
                              "Parameters: node [node [...]]\n"
                              "  node: if \"all\", add all pending storage nodes,\n"
                              "        otherwise, the list of storage nodes to enable.",
                          .run = run_add};

}  // namespace neo::neoctl
