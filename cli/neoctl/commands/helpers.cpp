// Helpers shared by several commands (see command.hpp).
#include "cli/neoctl/arguments.hpp"
#include "cli/neoctl/commands/command.hpp"
#include "core/pt/format.hpp"

namespace neo::neoctl {

std::optional<std::vector<NodeId>> node_list(Context& ctx, Args args) {
  std::vector<NodeId> nids;
  for (const std::string& arg : args) {
    std::optional<NodeId> nid = parse_node(arg);
    if (!nid) {
      ctx.invalid("invalid node id '" + arg + "'");
      return std::nullopt;
    }
    nids.push_back(*nid);
  }
  return nids;
}

std::optional<std::vector<NodeId>> storage_list(Context& ctx, Args args) {
  if (args.size() != 1 || args[0] != "all") return node_list(ctx, args);
  auto answer = ctx.ask(protocol::AskNodeList{.node_type = protocol::NodeType::Storage});
  if (!answer) return std::nullopt;
  std::vector<NodeId> nids;
  for (const protocol::NodeInfo& node : answer->node_list) {
    if (node.nid) nids.push_back(*node.nid);
  }
  return nids;
}

std::optional<NodeId> single_node(Context& ctx, std::string_view command, Args args) {
  if (args.size() != 1) {
    ctx.invalid(std::string(command) + " takes exactly one node id");
    return std::nullopt;
  }
  std::optional<std::vector<NodeId>> nids = node_list(ctx, args);
  if (!nids) return std::nullopt;
  return nids->front();
}

bool no_argument(Context& ctx, std::string_view command, Args args) {
  if (args.empty()) return true;
  ctx.invalid(std::string(command) + " takes no argument");
  return false;
}

std::optional<std::string> format_table(Context& ctx, const protocol::RowList& rows) {
  auto storages = ctx.ask(protocol::AskNodeList{.node_type = protocol::NodeType::Storage});
  if (!storages) return std::nullopt;
  return pt::format_matrix(rows, storages->node_list);
}

}  // namespace neo::neoctl
