// neoctl print ids|pt|node|cluster|primary|summary
#include "cli/neoctl/arguments.hpp"
#include "cli/neoctl/commands/command.hpp"
#include "cli/neoctl/output.hpp"
#include "core/node/node_manager.hpp"
#include "core/pt/format.hpp"

namespace neo::neoctl {
namespace {

int run_print_ids(Context& ctx, Args args) {
  if (!no_argument(ctx, "print ids", args)) return 1;
  auto recovery = ctx.ask(protocol::AskRecovery{});
  if (!recovery) return ctx.failed();
  if (recovery->backup_tid) {  // a backup cluster, even at TID 0
    auto last = ctx.ask(protocol::AskLastTransaction{});
    if (!last) return ctx.failed();
    return ctx.print(format_backup_ids(*recovery->backup_tid, last->tid, recovery->ptid));
  }
  auto ids = ctx.ask(protocol::AskLastIDs{});
  if (!ids) return ctx.failed();
  if (!ids->last_tid || !ids->last_oid) return ctx.invalid("the cluster has no last TID/OID yet");
  return ctx.print(format_ids(*ids->last_oid, *ids->last_tid, recovery->ptid));
}

int run_print_pt(Context& ctx, Args args) {
  if (args.size() > 3) return ctx.invalid("print pt takes at most 3 arguments");
  std::int64_t offsets[2] = {0, 0};
  for (std::size_t i = 0; i < 2 && i < args.size(); ++i) {
    std::optional<std::int64_t> value = parse_int(args[i]);
    if (!value) return ctx.invalid("invalid partition offset '" + args[i] + "'");
    offsets[i] = *value;
  }
  protocol::AskPartitionList ask{.min_offset = offsets[0], .max_offset = offsets[1]};
  if (args.size() == 3) {
    std::optional<NodeId> nid = parse_node(args[2]);
    if (!nid) return ctx.invalid("invalid node id '" + args[2] + "'");
    ask.nid = *nid;
  }
  auto answer = ctx.ask(ask);
  if (!answer) return ctx.failed();
  std::vector<protocol::NodeInfo> storages;
  if (!ask.min_offset && !ask.max_offset) {  // the matrix shows node states
    auto nodes = ctx.ask(protocol::AskNodeList{.node_type = protocol::NodeType::Storage});
    if (!nodes) return ctx.failed();
    storages = std::move(nodes->node_list);
  }
  return ctx.print(pt::format_print_pt(answer->ptid, answer->num_replicas, answer->row_list,
                                       ask.min_offset, ask.max_offset, storages));
}

int run_print_node(Context& ctx, Args args) {
  if (args.size() > 1) return ctx.invalid("print node takes at most one node type");
  protocol::AskNodeList ask;
  if (!args.empty()) {
    ask.node_type = parse_node_type(args[0]);
    if (!ask.node_type) return ctx.invalid("invalid node type '" + args[0] + "'");
  }
  auto answer = ctx.ask(ask);
  if (!answer) return ctx.failed();
  return ctx.print(node::format_print_node(answer->node_list));
}

int run_print_cluster(Context& ctx, Args args) {
  if (!no_argument(ctx, "print cluster", args)) return 1;
  auto answer = ctx.ask(protocol::AskClusterState{});
  if (!answer) return ctx.failed();
  return ctx.print(answer->state ? protocol::to_string(*answer->state) : "None");
}

int run_print_primary(Context& ctx, Args) {  // arguments are ignored, as upstream
  auto answer = ctx.ask(protocol::AskPrimary{});
  if (!answer) return ctx.failed();
  return ctx.print(to_string(answer->primary_nid));
}

int run_print_summary(Context& ctx, Args args) {
  if (!no_argument(ctx, "print summary", args)) return 1;
  auto answer = ctx.ask(protocol::AskMonitorInformation{});
  if (!answer) return ctx.failed();
  return ctx.print(format_summary(answer->warning_list, answer->problem_list, answer->summary));
}

constexpr Command kPrintCommands[] = {
    {.name = "ids", .help = "Get last ids.", .run = run_print_ids},
    {.name = "pt",
     .help = "Get a list of partition rows, bounded by min & max and involving\n"
             "given node.\n"
             "Parameters: [min [max [node]]]\n"
             "  min: offset of the first row to fetch (starts at 0)\n"
             "  max: offset of the last row to fetch (0 for no limit)\n"
             "  node: filters the list of nodes serving a line to this node",
     .run = run_print_pt},
    {.name = "node",
     .help = "Get a list of nodes, filtering with given type.\n"
             "Parameters: [type]\n"
             "  type: type of node to display",
     .run = run_print_node},
    {.name = "cluster", .help = "Get cluster state.", .run = run_print_cluster},
    {.name = "primary", .help = "Get primary master node.", .run = run_print_primary},
    {.name = "summary",
     .help = "Get a summary of the health of this cluster and backups.\n"
             "The first line reports severities: it is a commented json dump of\n"
             "  {severity: [backup_name | null]}\n"
             "where severity is either \"warning\" or \"problem\"\n"
             "  and null refers to this cluster",
     .run = run_print_summary},
};

}  // namespace

const Command kPrintCommand{.name = "print", .children = kPrintCommands};

}  // namespace neo::neoctl
