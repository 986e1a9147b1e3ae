// MasterPartitionTable::tweak: where the cells go.
//
// The same heuristic as NEO/py's master, so that both choose the same cells:
// 1. An ideal table is cut into "options", one per node: the lists of
//    partitions a node would hold if partition p had its replicas on nodes
//    p*r, p*r+1, ... (mod node count), r = min(replicas + 1, nodes).
// 2. Each node (ascending ids) gets one option, by backtracking, the options
//    being tried in an order that favours keeping existing cells: first,
//    only options containing all the node's non-feeding cells (no
//    replication at all); if no assignment exists, every option, nodes and
//    options ordered by what they would discard.
// 3. With topology paths, an option is only taken if no topology level gets
//    more cells of a partition than an even spread allows.
// 4. The chosen assignment is applied: missing cells are added, readable
//    cells not chosen become FEEDING while the partition lacks readable
//    chosen cells, every other cell not chosen is discarded.
#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <tuple>

#include "core/pt/master_partition_table.hpp"

namespace neo::pt {

namespace {

using Option = std::vector<std::uint32_t>;  // ascending partitions

// Per partition, the number of its cells under each topology prefix.
using TopologyCount = std::map<std::vector<std::string>, int>;

struct Topology {
  // For each level: (j, k): at most j cells of a partition under one prefix,
  // and at most k prefixes of the level may have j cells.
  std::vector<std::pair<int, int>> max;
  // Per node, its prefixes for levels 1..depth; empty: topology ignored.
  std::vector<std::vector<std::vector<std::string>>> prefixes;
  std::vector<TopologyCount> count;  // per partition

  // True if giving `option` to `node` respects the limits.
  bool fits(const Option& option, std::size_t node) const {
    const auto& node_prefixes = prefixes[node];
    for (std::uint32_t offset : option) {
      const TopologyCount& counts = count[offset];
      for (std::size_t level = 0; level < node_prefixes.size(); ++level) {
        const auto& prefix = node_prefixes[level];
        const auto [j, k] = max[level];
        auto it = counts.find(prefix);
        const int i = it == counts.end() ? 0 : it->second;
        if (i == j) return false;
        if (i + 1 == j && k == siblings_at(counts, prefix, j)) return false;
      }
    }
    return true;
  }

  // Prefixes of the same parent as `prefix` holding `n` cells.
  static int siblings_at(const TopologyCount& counts, const std::vector<std::string>& prefix,
                         int n) {
    int result = 0;
    for (const auto& [key, value] : counts) {
      if (value == n && key.size() == prefix.size() &&
          std::equal(key.begin(), key.end() - 1, prefix.begin())) {
        ++result;
      }
    }
    return result;
  }

  void add(const Option& option, std::size_t node, int delta) {
    for (std::uint32_t offset : option) {
      for (const auto& prefix : prefixes[node]) count[offset][prefix] += delta;
    }
  }
};

// Decides which topology levels are usable: at each depth, the prefixes
// must be balanced enough for the replicas to spread evenly; the deepest
// level is used once it has at least as many prefixes as replicas.
Topology make_topology(const std::vector<Devpath>& devpaths, std::size_t repeats,
                       std::uint32_t partitions) {
  const std::size_t node_count = devpaths.size();
  Topology topology;
  topology.prefixes.resize(node_count);
  topology.count.resize(partitions);
  if (repeats <= 1) return topology;
  std::size_t max_depth = SIZE_MAX;
  for (const auto& devpath : devpaths) max_depth = std::min(max_depth, devpath.size());
  for (std::size_t depth = 1; depth <= max_depth; ++depth) {
    std::map<std::vector<std::string>, std::size_t> per_prefix;
    for (const auto& devpath : devpaths)
      ++per_prefix[Devpath(devpath.begin(), devpath.begin() + depth)];
    const std::size_t n = per_prefix.size();
    std::size_t lo = SIZE_MAX, hi = 0;
    for (const auto& [prefix, nodes] : per_prefix) {
      lo = std::min(lo, nodes);
      hi = std::max(hi, nodes);
    }
    if (lo != hi && hi * repeats > node_count) break;  // unbalanced: ignore the topology
    const auto quotient = static_cast<int>(repeats / n);
    const auto remainder = static_cast<int>(repeats % n);
    topology.max.emplace_back(remainder ? std::pair{quotient + 1, remainder}
                                        : std::pair{quotient, static_cast<int>(n)});
    if (n < repeats) continue;
    for (std::size_t node = 0; node < node_count; ++node) {
      for (std::size_t level = 1; level <= depth; ++level) {
        topology.prefixes[node].emplace_back(devpaths[node].begin(),
                                             devpaths[node].begin() + level);
      }
    }
    break;
  }
  // Without a usable level (NEO/py warns that resiliency is not maximized),
  // prefixes stay empty and every option fits.
  return topology;
}

// One node to place, with the options to try, in order (indexes).
struct Candidate {
  std::size_t node;
  std::vector<std::size_t> options;
};

// Strategy 1: options keeping every non-feeding cell; nullopt if a node has none.
std::optional<std::vector<Candidate>> keep_cells_strategy(
    const std::vector<std::map<std::uint32_t, CellState>>& held,
    const std::vector<Option>& options) {
  std::vector<Candidate> result;
  for (std::size_t node = 0; node < held.size(); ++node) {
    Candidate candidate{node, {}};
    for (std::size_t x = 0; x < options.size(); ++x) {
      bool superset = true;
      for (const auto& [offset, state] : held[node]) {
        if (state != CellState::Feeding &&
            !std::binary_search(options[x].begin(), options[x].end(), offset)) {
          superset = false;
          break;
        }
      }
      if (superset) candidate.options.push_back(x);
    }
    if (candidate.options.empty()) return std::nullopt;
    result.push_back(std::move(candidate));
  }
  return result;
}

// Strategy 2: every option, cheapest first (fewest readable, then other
// cells discarded); nodes whose best and worst options differ most first.
std::vector<Candidate> min_cost_strategy(
    const std::vector<std::map<std::uint32_t, CellState>>& held,
    const std::vector<Option>& options) {
  using Cost = std::pair<int, int>;  // (readable discarded, others discarded)
  struct Ranked {
    int readable_spread, other_spread;
    Candidate candidate;
  };
  std::vector<Ranked> ranked;
  for (std::size_t node = 0; node < held.size(); ++node) {
    std::vector<std::pair<Cost, std::size_t>> costs;
    for (std::size_t x = 0; x < options.size(); ++x) {
      Cost cost{0, 0};
      for (const auto& [offset, state] : held[node]) {
        if (std::binary_search(options[x].begin(), options[x].end(), offset)) continue;
        (is_readable(state) ? cost.first : cost.second) += 1;
      }
      costs.emplace_back(cost, x);
    }
    std::sort(costs.begin(), costs.end());
    const Cost min = costs.front().first, max = costs.back().first;
    Ranked r{min.first - max.first, min.second - max.second, {node, {}}};
    for (const auto& [cost, x] : costs) r.candidate.options.push_back(x);
    ranked.push_back(std::move(r));
  }
  std::sort(ranked.begin(), ranked.end(), [](const Ranked& a, const Ranked& b) {
    return std::tie(a.readable_spread, a.other_spread, a.candidate.node) <
           std::tie(b.readable_spread, b.other_spread, b.candidate.node);
  });
  std::vector<Candidate> result;
  for (auto& r : ranked) result.push_back(std::move(r.candidate));
  return result;
}

// Depth-first search of one option per candidate, each option being
// available `available[x]` times. Returns the options chosen (by
// candidate), or an empty vector.
std::vector<std::size_t> search(const std::vector<Candidate>& candidates,
                                const std::vector<Option>& options, std::vector<int>& available,
                                Topology& topology) {
  std::vector<std::size_t> chosen;
  std::vector<std::size_t> next{0};  // per level, the next option to try
  for (;;) {
    const std::size_t level = chosen.size();
    const Candidate& candidate = candidates[level];
    if (next[level] == candidate.options.size()) {
      if (chosen.empty()) return {};
      next.pop_back();
      const std::size_t x = chosen.back();
      chosen.pop_back();
      topology.add(options[x], candidates[level - 1].node, -1);
      ++available[x];
      continue;
    }
    const std::size_t x = candidate.options[next[level]++];
    if (available[x] && topology.fits(options[x], candidate.node)) {
      topology.add(options[x], candidate.node, +1);
      chosen.push_back(x);
      if (chosen.size() == candidates.size()) return chosen;
      --available[x];
      next.push_back(0);
    }
  }
}

}  // namespace

Changes MasterPartitionTable::tweak(std::span<const NodeId> excluded, const DevpathFn& devpath_of) {
  std::vector<NodeId> nodes;  // ascending ids
  for (NodeId nid : members_) {
    if (std::find(excluded.begin(), excluded.end(), nid) == excluded.end()) nodes.push_back(nid);
  }
  if (nodes.empty()) return {.refused = "Can't remove all nodes."};
  const auto np = static_cast<std::uint32_t>(rows_.size());
  const std::size_t node_count = nodes.size();

  // The cells each node holds: partition -> state.
  std::vector<std::map<std::uint32_t, CellState>> held(node_count);
  for (std::uint32_t offset = 0; offset < np; ++offset) {
    for (const Cell& cell : rows_[offset]) {
      auto it = std::lower_bound(nodes.begin(), nodes.end(), cell.nid);
      if (it != nodes.end() && *it == cell.nid) held[it - nodes.begin()][offset] = cell.state;
    }
  }

  // The options of an ideal table, distinct ones ordered longest first.
  const std::size_t repeats =
      std::min<std::size_t>(static_cast<std::size_t>(replicas_) + 1, node_count);
  std::vector<Option> cut(node_count);
  std::size_t i = 0;
  for (std::uint32_t offset = 0; offset < np; ++offset) {
    for (std::size_t r = 0; r < repeats; ++r) cut[i++ % node_count].push_back(offset);
  }
  std::map<Option, int> multiplicity;
  for (const Option& option : cut) ++multiplicity[option];
  std::vector<Option> options;
  for (const auto& [option, n] : multiplicity) options.push_back(option);
  std::stable_sort(options.begin(), options.end(),
                   [](const Option& a, const Option& b) { return a.size() > b.size(); });
  std::vector<int> available;
  for (const Option& option : options) available.push_back(multiplicity[option]);

  std::vector<Devpath> devpaths(node_count);
  if (devpath_of) {
    for (std::size_t n = 0; n < node_count; ++n) devpaths[n] = devpath_of(nodes[n]);
  }
  Topology topology = make_topology(devpaths, repeats, np);

  std::vector<Candidate> candidates;
  std::vector<std::size_t> chosen;
  if (auto keep = keep_cells_strategy(held, options)) {
    candidates = std::move(*keep);
    chosen = search(candidates, options, available, topology);
  }
  if (chosen.empty()) {
    candidates = min_cost_strategy(held, options);
    chosen = search(candidates, options, available, topology);
  }
  if (chosen.empty()) return {.refused = "no partition table fits the topology of the nodes"};

  // Apply the assignment.
  CellState new_state = CellState::OutOfDate;
  if (!ptid_) {
    ptid_ = 1;
    new_state = CellState::UpToDate;
  }
  Changes result;
  auto record = [&](std::uint32_t offset, NodeId nid, CellState state) {
    result.cells.push_back({.offset = offset, .nid = nid, .state = state});
  };
  std::vector<std::size_t> missing_readable(np, repeats);
  std::vector<std::vector<NodeId>> discard(np);
  for (std::size_t level = 0; level < chosen.size(); ++level) {
    const std::size_t node = candidates[level].node;
    const NodeId nid = nodes[node];
    auto& rest = held[node];
    for (std::uint32_t offset : options[chosen[level]]) {
      auto it = rest.find(offset);
      if (it == rest.end()) {
        rows_[offset].push_back(Cell{.nid = nid, .state = new_state});
        record(offset, nid, new_state);
        continue;
      }
      if (pt::is_readable(it->second)) {
        if (it->second == CellState::Feeding) {
          assign_state(*find_mutable(offset, nid), CellState::UpToDate);
          record(offset, nid, CellState::UpToDate);
        }
        --missing_readable[offset];
      }
      rest.erase(it);
    }
    for (const auto& [offset, state] : rest) discard[offset].push_back(nid);
  }
  // Cells not chosen: readable ones stay (FEEDING) as long as the partition
  // lacks readable chosen cells; the others go.
  for (std::uint32_t offset = 0; offset < np; ++offset) {
    for (NodeId nid : discard[offset]) {
      Cell* cell = find_mutable(offset, nid);
      if (missing_readable[offset] && cell->readable()) {
        --missing_readable[offset];
        if (cell->state == CellState::Feeding) continue;
        assign_state(*cell, CellState::Feeding);
        record(offset, nid, CellState::Feeding);
      } else {
        remove_cell(offset, nid);
        record(offset, nid, CellState::Discarded);
      }
    }
  }
  return result;
}

}  // namespace neo::pt
