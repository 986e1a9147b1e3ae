// neoctl set cluster STATE | set replicas N
#include "cli/neoctl/arguments.hpp"
#include "cli/neoctl/commands/command.hpp"

namespace neo::neoctl {
namespace {

int run_set_cluster(Context& ctx, Args args) {
  if (args.size() != 1) return ctx.invalid("set cluster takes exactly one cluster state");
  std::optional<protocol::ClusterState> state = parse_cluster_state(args[0]);
  if (!state) return ctx.invalid("invalid cluster state '" + args[0] + "'");
  auto message = ctx.ack(protocol::SetClusterState{.state = *state});
  if (!message) return ctx.failed();
  return ctx.print(*message);
}

int run_set_replicas(Context& ctx, Args args) {
  if (args.size() != 1) return ctx.invalid("set replicas takes exactly one number");
  std::optional<std::int64_t> replicas = parse_int(args[0]);
  if (!replicas) return ctx.invalid("invalid number of replicas '" + args[0] + "'");
  if (*replicas < 0) return ctx.exit_with("invalid number of replicas");  // upstream's text
  auto message = ctx.ack(protocol::SetNumReplicas{.num_replicas = *replicas});
  if (!message) return ctx.failed();
  return ctx.print(*message);
}

constexpr Command kSetCommands[] = {
    {.name = "cluster",
     .help = "Set cluster state.\n"
             "Parameters: state\n"
             "  state: state to put the cluster in",
     .run = run_set_cluster},
    {.name = "replicas",
     .help = "Set number of replicas.\n"
             "Parameters: nr\n"
             "  nr: positive number (0 means no redundancy)",
     .run = run_set_replicas},
};

}  // namespace

const Command kSetCommand{.name = "set", .children = kSetCommands};

}  // namespace neo::neoctl
