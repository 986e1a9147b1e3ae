// neoctl check --wait --cluster NAME [partition]:[reference] ... [min_tid [max_tid]]
// Compares the replicas from neoctl instead of asking the master (which
// only logs what differs): the admin gives the partition table, the
// storages and the last TID (AskPartitionList, AskNodeList, AskRecovery +
// AskLastIDs, as `print pt` / `print ids`); each RUNNING storage with a
// readable cell of a partition is then asked its digests directly
// (StorageLinks, anonymous storage identification; PartitionCheck decides).
// No new packet: this works with NEO/py's admin and storages too.
//
// Output (stdout): one line per replica that differs, then a summary;
// replicas that could not be compared go to stderr. Exit status: 0 all
// identical, kReplicasDiffer (3) if some differ, 1 if a partition could
// not be checked (or any failure before).
#include <algorithm>
#include <map>
#include <span>
#include <variant>

#include "cli/neoctl/commands/check.hpp"
#include "cli/neoctl/replica_check.hpp"

namespace neo::neoctl {
namespace {

using protocol::CellState;

struct Tally {
  std::size_t partitions = 0;  // asked
  std::size_t differ = 0;
  std::size_t failed = 0;
  std::size_t single = 0;  // fewer than 2 readable replicas: nothing to compare
};

// The TID up to which to compare: the cluster's last one (a backup
// cluster's backup_tid), as `print ids` reads it.
std::optional<Tid> default_max_tid(Context& ctx) {
  auto recovery = ctx.ask(protocol::AskRecovery{});
  if (!recovery) return std::nullopt;
  if (recovery->backup_tid) return *recovery->backup_tid;
  auto ids = ctx.ask(protocol::AskLastIDs{});
  if (!ids) return std::nullopt;
  return ids->last_tid.value_or(kZeroTid);
}

std::string prefix(std::int64_t partition) { return "partition " + std::to_string(partition); }

std::string describe(const Difference& d) {
  std::string text = to_string(d.nid) + " differs from " + to_string(d.reference) + " (" +
                     (d.objects ? "objects" : "transactions") + " in tids " + to_string(d.min_tid) +
                     "-" + to_string(d.max_tid);
  if (d.objects && d.min_oid != kZeroOid) text += ", from oid " + to_string(d.min_oid);
  return text + ")";
}

// The text of a failed answer.
std::string failure_of(const Result<protocol::Frame>& frame) {
  if (!frame) return frame.error() == not_connected() ? "not connected" : "connection closed";
  Result<protocol::Error> error = protocol::decode_args<protocol::Error>(frame->args);
  if (!error) return "malformed Error";
  const bool known = error->code >= 0 && error->code < kWireErrorCount;
  return (known ? errc_name(static_cast<errc>(error->code))
                : "error " + std::to_string(error->code)) +
         (error->message.empty() ? "" : ": " + error->message);
}

// Asks `request` of every participant; their answers for PartitionCheck.
template <class P>
std::vector<PartitionCheck::Answer> ask_range(StorageLinks& links,
                                              std::span<const StorageTarget> targets,
                                              const P& request) {
  using A = typename P::Answer;
  std::vector<PartitionCheck::Answer> answers;
  for (Result<protocol::Frame>& frame :
       links.ask_all(targets, P::kCode, A::kCode, protocol::encode_args(request))) {
    if (!frame || frame->code != A::kCode) {
      answers.emplace_back(failure_of(frame));
      continue;
    }
    Result<A> answer = protocol::decode_args<A>(frame->args);
    if (answer) {
      answers.emplace_back(digest_of(*answer));
    } else {
      answers.emplace_back(std::string("malformed ") + std::string(A::kName));
    }
  }
  return answers;
}

// The RUNNING storages with a readable cell of `row` (the others reported).
std::vector<StorageTarget> readable_replicas(Context& ctx, std::int64_t partition,
                                             const std::vector<protocol::CellInfo>& row,
                                             const std::map<NodeId, protocol::NodeInfo>& nodes,
                                             bool& failed) {
  std::vector<StorageTarget> targets;
  for (const protocol::CellInfo& cell : row) {
    if (cell.state != CellState::UpToDate && cell.state != CellState::Feeding) continue;
    auto node = nodes.find(cell.nid);
    if (node == nodes.end() || node->second.state != protocol::NodeState::Running ||
        !node->second.address) {
      ctx.err() << prefix(partition) << ": " << to_string(cell.nid)
                << " not checked: not running\n";
      failed = true;
      continue;
    }
    const protocol::Address& address = *node->second.address;
    targets.push_back({.nid = cell.nid, .address = {address.host, address.port}});
  }
  return targets;
}

// Compares the replicas of one partition and reports what differs.
void check_partition(Context& ctx, StorageLinks& links, const protocol::RowList& rows,
                     const std::map<NodeId, protocol::NodeInfo>& nodes, std::int64_t partition,
                     std::optional<NodeId> reference, Tid min_tid, Tid max_tid, Tally& tally) {
  ++tally.partitions;
  if (partition < 0 || partition >= static_cast<std::int64_t>(rows.size())) {
    ctx.err() << prefix(partition) << ": no such partition\n";
    ++tally.failed;
    return;
  }
  bool failed = false;
  const std::vector<StorageTarget> targets =
      readable_replicas(ctx, partition, rows[partition], nodes, failed);
  std::vector<NodeId> replicas;
  for (const StorageTarget& target : targets) replicas.push_back(target.nid);
  if (reference && std::find(replicas.begin(), replicas.end(), *reference) == replicas.end()) {
    ctx.err() << prefix(partition) << ": reference " << to_string(*reference)
              << " has no readable cell of it on a running node\n";
    ++tally.failed;
    return;
  }
  if (replicas.size() < 2) {
    if (failed) {
      ++tally.failed;
      return;
    }
    ctx.out() << prefix(partition) << ": nothing to compare"
              << (replicas.empty()
                      ? " (no readable replica)\n"
                      : " (a single readable replica: " + to_string(replicas[0]) + ")\n");
    ++tally.single;
    return;
  }
  PartitionCheck check(static_cast<std::uint32_t>(partition), replicas, reference, min_tid,
                       max_tid);
  while (!check.done()) {
    std::vector<StorageTarget> asked;
    for (NodeId nid : check.participants())
      asked.push_back(*std::find_if(targets.begin(), targets.end(),
                                    [&](const StorageTarget& t) { return t.nid == nid; }));
    check.feed(std::visit([&](const auto& request) { return ask_range(links, asked, request); },
                          check.request()));
  }
  for (const Difference& difference : check.differences())
    ctx.out() << prefix(partition) << ": " << describe(difference) << '\n';
  for (const Failure& failure : check.failures())
    ctx.err() << prefix(partition) << ": " << to_string(failure.nid)
              << " not checked: " << failure.why << '\n';
  if (!check.differences().empty()) ++tally.differ;
  // A replica left out or lost: the partition was not fully checked.
  if (failed || !check.failures().empty()) ++tally.failed;
}

int summary(Context& ctx, const Tally& tally) {
  const std::string of = " of " + std::to_string(tally.partitions) + " partitions";
  if (tally.failed)
    ctx.err() << tally.failed << of << (tally.failed == 1 ? " was" : " were") << " not checked\n";
  if (tally.differ) {
    ctx.out() << tally.differ << of << (tally.differ == 1 ? " differs" : " differ") << '\n';
    return kReplicasDiffer;
  }
  if (tally.failed) return 1;
  const std::size_t compared = tally.partitions - tally.single;
  if (tally.single == 0) {
    ctx.out() << "all " << compared << " partitions checked: replicas identical\n";
  } else {
    ctx.out() << compared << of << " checked: replicas identical (" << tally.single
              << " with nothing to compare)\n";
  }
  return 0;
}

}  // namespace

int run_check_wait(Context& ctx, const protocol::CheckReplicas& check, const std::string& cluster) {
  if (check.partition_dict.empty())
    return ctx.invalid("check --wait: no partition given (':' checks them all)");
  auto pt = ctx.ask(protocol::AskPartitionList{});
  if (!pt) return ctx.failed();
  auto storages = ctx.ask(protocol::AskNodeList{.node_type = protocol::NodeType::Storage});
  if (!storages) return ctx.failed();
  std::optional<Tid> max_tid = check.max_tid;
  if (!max_tid) max_tid = default_max_tid(ctx);
  if (!max_tid) return ctx.failed();
  if (check.min_tid > *max_tid) {
    return ctx.invalid("check --wait: nothing to check: min_tid " + to_string(check.min_tid) +
                       " > max_tid " + to_string(*max_tid));
  }
  std::map<NodeId, protocol::NodeInfo> nodes;
  for (const protocol::NodeInfo& node : storages->node_list)
    if (node.nid) nodes[*node.nid] = node;
  std::unique_ptr<StorageLinks> links = ctx.storage_links(cluster);
  if (!links) return ctx.invalid("check --wait: cannot connect to storages");
  Tally tally;
  for (const auto& [partition, reference] : check.partition_dict) {
    check_partition(ctx, *links, pt->row_list, nodes, partition, reference, check.min_tid, *max_tid,
                    tally);
  }
  return summary(ctx, tally);
}

}  // namespace neo::neoctl
