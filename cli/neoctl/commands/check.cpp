// neoctl check [--wait --cluster NAME] [partition]:[reference] ... [min_tid [max_tid]]
// Without --wait (upstream's command): CheckReplicas to the admin, no output.
#include "cli/neoctl/commands/check.hpp"

#include <algorithm>
#include <cctype>

#include "cli/neoctl/arguments.hpp"

namespace neo::neoctl {
namespace {

using PartitionMap = std::vector<std::pair<std::int64_t, std::optional<NodeId>>>;

// Python dict assignment: a new key goes last, an existing one keeps its place.
void assign(PartitionMap& map, std::int64_t partition, std::optional<NodeId> source) {
  auto it = std::find_if(map.begin(), map.end(), [&](auto& e) { return e.first == partition; });
  if (it == map.end()) {
    map.emplace_back(partition, source);
  } else {
    it->second = source;
  }
}

// ":ref" stands for every partition. (NEO/py 1.12's neoctl crashes on it: it
// counts the replicas instead of the rows; we do what its help says.)
bool assign_all(Context& ctx, PartitionMap& map, std::optional<NodeId> source) {
  if (!map.empty()) {
    ctx.invalid("check: ':reference' (all partitions) must come first");
    return false;
  }
  auto answer = ctx.ask(protocol::AskPartitionList{});
  if (!answer) return false;
  for (std::size_t p = 0; p < answer->row_list.size(); ++p) {
    map.emplace_back(static_cast<std::int64_t>(p), source);
  }
  return true;
}

std::nullopt_t invalid(Context& ctx, std::string_view what) {
  ctx.invalid(what);
  return std::nullopt;
}

bool is_tid_syntax(std::string_view arg) {
  if (arg.size() < 4) return false;
  std::string prefix(arg.substr(0, 4));
  for (char& c : prefix) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return prefix == "tid:";
}

}  // namespace

std::optional<protocol::CheckReplicas> parse_check(Context& ctx, Args args) {
  protocol::CheckReplicas check;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    const std::size_t colon = arg.find(':');
    // Not "partition:reference": the TID range; what follows is ignored.
    // (NEO/py 1.12 takes "tid:N" for a partition "tid" and crashes.)
    if (colon == arg.npos || arg.find(':', colon + 1) != arg.npos || is_tid_syntax(arg)) {
      std::optional<Tid> min_tid = parse_tid(arg);
      if (!min_tid) return invalid(ctx, "invalid TID '" + arg + "'");
      check.min_tid = *min_tid;
      if (i + 1 < args.size()) {
        check.max_tid = parse_tid(args[i + 1]);
        if (!check.max_tid) return invalid(ctx, "invalid TID '" + args[i + 1] + "'");
      }
      break;
    }
    const std::string partition = arg.substr(0, colon), reference = arg.substr(colon + 1);
    std::optional<NodeId> source;
    if (!reference.empty()) {
      source = parse_node(reference);
      if (!source) return invalid(ctx, "invalid node id '" + reference + "'");
    }
    if (partition.empty()) {
      if (!assign_all(ctx, check.partition_dict, source)) return std::nullopt;
      continue;
    }
    std::optional<std::int64_t> offset = parse_int(partition);
    if (!offset) return invalid(ctx, "invalid partition '" + partition + "'");
    assign(check.partition_dict, *offset, source);
  }
  return check;
}

namespace {

// check's own options, before its arguments: --wait, --cluster NAME (or
// --cluster=NAME, -c NAME). Returns the number of words they take; nullopt
// once a failure was reported.
std::optional<std::size_t> parse_wait_options(Context& ctx, Args args, bool& wait,
                                              std::optional<std::string>& cluster) {
  std::size_t i = 0;
  for (; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--wait") {
      wait = true;
    } else if (arg.starts_with("--cluster=")) {
      cluster = arg.substr(10);
    } else if (arg == "--cluster" || arg == "-c") {
      if (i + 1 == args.size()) {
        ctx.invalid("check: " + arg + " needs a cluster name");
        return std::nullopt;
      }
      cluster = args[++i];
    } else {
      break;
    }
  }
  if (cluster && cluster->empty()) {
    ctx.invalid("check: empty cluster name");
    return std::nullopt;
  }
  if (wait != cluster.has_value()) {
    ctx.invalid("check: --wait needs --cluster NAME (the storages check the cluster name)");
    return std::nullopt;
  }
  return i;
}

int run_check(Context& ctx, Args args) {
  bool wait = false;
  std::optional<std::string> cluster;
  std::optional<std::size_t> used = parse_wait_options(ctx, args, wait, cluster);
  if (!used) return 1;
  std::optional<protocol::CheckReplicas> check = parse_check(ctx, args.subspan(*used));
  if (!check) return 1;
  if (wait) return run_check_wait(ctx, *check, *cluster);
  if (!ctx.ack(*check)) return ctx.failed();
  return 0;  // upstream prints nothing
}

}  // namespace

const Command kCheckCommand{
    .name = "check",
    .help =
        "Test whether partitions have corrupted metadata by comparing replicas\n"
        "\n"
        "Any corrupted cell is put in CORRUPTED state, possibly make the\n"
        "cluster non operational.\n"
        "\n"
        "EXPERIMENTAL - This operation is not aware that differences happen\n"
        "               during pack operations and you could easily break\n"
        "               your database. Since there's anyway no mechanism to\n"
        "               repair cells, the primary master only logs possible\n"
        "               corruption rather than mark cells as CORRUPTED.\n"
        "\n"
        "Parameters: [partition]:[reference] ... [min_tid [max_tid]]\n"
        "  reference: node id of a storage with known good data\n"
        "    If not given, and if the cluster is in backup mode, an upstream\n"
        "    cell is automatically taken as reference.",
    .run = run_check};

}  // namespace neo::neoctl
