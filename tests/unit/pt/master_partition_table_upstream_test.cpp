// Runs the scenarios of upstream_cases.txt (and upstream_random_cases.txt)
// on MasterPartitionTable and
// compares every result (changes in order, rows with cells in order) with
// what NEO/py's master table (neo/master/pt.py) gave for the same commands:
// upstream_cases.inc was produced by upstream_cases.py (see there how to
// regenerate it).
#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "core/pt/master_partition_table.hpp"

using namespace neo;
using namespace neo::pt;

namespace {

const char* const kCases =
#include "tests/unit/pt/upstream_cases.inc"
    ;
// Random scenarios (random_cases.py, fixed seeds), same format.
const char* const kRandomCases =
#include "tests/unit/pt/upstream_random_cases.inc"
    ;

NodeId nid_of(const std::string& text) { return parse_node_id(text).value(); }

std::string rows_text(const protocol::RowList& rows) {
  std::string out;
  for (std::size_t offset = 0; offset < rows.size(); ++offset) {
    if (offset) out += '|';
    for (std::size_t i = 0; i < rows[offset].size(); ++i) {
      if (i) out += '.';
      out += to_string(rows[offset][i].nid);
      out += cell_state_letter(rows[offset][i].state);
    }
  }
  return out;
}

std::string changes_text(const Changes& changes) {
  if (!changes.ok()) return "refused";
  if (changes.cells.empty()) return "-";
  std::string out;
  for (const auto& c : changes.cells) {
    if (!out.empty()) out += ' ';
    out += std::to_string(c.offset) + ":" + to_string(c.nid) + ":" + cell_state_letter(c.state);
  }
  return out;
}

// Executes the scenarios; returns (expected, actual) line pairs.
class Runner {
 public:
  void run_line(const std::string& line) {
    const auto arrow = line.find(" => ");
    const std::string command = line.substr(0, arrow);
    std::istringstream in(command);
    std::string cmd;
    in >> cmd;
    std::vector<std::string> args;
    for (std::string word; in >> word;) args.push_back(word);
    std::vector<NodeId> nids;
    for (const auto& a : args) {
      if (!a.empty() && a[0] == 'S') nids.push_back(nid_of(a));
    }
    std::string result;
    std::string rows;
    if (cmd == "new") {
      pt_ = MasterPartitionTable(std::stoul(args[0]), std::stoul(args[1]));
      states_.clear();
      devpaths_.clear();
    } else if (cmd == "node") {
      NodeId nid = nid_of(args[0]);
      if (args.size() > 1) states_[nid] = protocol::parse_node_state(args[1]).value();
      if (args.size() > 2) devpaths_[nid] = Devpath(args.begin() + 2, args.end());
      states_.try_emplace(nid, NodeState::Down);
    } else if (cmd == "make") {
      Changes c = pt_.make(nids, devpath_fn());
      result = c.ok() ? "-" : "refused";
    } else if (cmd == "add") {
      pt_.add_nodes(nids);
    } else if (cmd == "tweak") {
      result = changes_text(pt_.tweak(nids, devpath_fn()));
    } else if (cmd == "dry") {
      const std::string before = rows_text(pt_.row_list());
      auto dry = pt_.tweak_dry_run(nids, devpath_fn());
      CHECK(rows_text(pt_.row_list()) == before);  // a dry run changes nothing
      result = changes_text(dry.changes);
      rows = rows_text(dry.rows);
    } else if (cmd == "outdate") {
      std::optional<NodeId> lost;
      if (!nids.empty()) lost = nids[0];
      result = changes_text(pt_.outdate(state_fn(), lost));
    } else if (cmd == "updatable") {
      pt_.mark_updatable(nids[0], all_offsets());
    } else if (cmd == "uptodate") {
      result = changes_text(pt_.set_up_to_date(nids[0], std::stoul(args[1])));
    } else if (cmd == "replicate") {
      pt_.mark_updatable(nids[0], all_offsets());
      Changes all;
      for (std::uint32_t offset : pt_.outdated_partitions(nids[0])) {
        Changes c = pt_.set_up_to_date(nids[0], offset);
        all.cells.insert(all.cells.end(), c.cells.begin(), c.cells.end());
      }
      result = changes_text(all);
    } else if (cmd == "drop" || cmd == "check") {
      result = changes_text(pt_.drop_nodes(nids, cmd == "check"));
    } else if (cmd == "replicas") {
      pt_.set_num_replicas(std::stoul(args[0]));
    } else {
      FAIL("unknown command: " << line);
    }
    if (arrow == std::string::npos) return;
    if (rows.empty() && cmd != "dry") rows = rows_text(pt_.row_list());
    INFO("scenario line: " << command);
    CHECK(command + " => " + result + " ; " + rows == line);
    ++compared;
  }

  int compared = 0;

 private:
  std::vector<std::int64_t> all_offsets() const {
    std::vector<std::int64_t> offsets(pt_.num_partitions());
    for (std::size_t i = 0; i < offsets.size(); ++i) offsets[i] = static_cast<std::int64_t>(i);
    return offsets;
  }
  NodeStateFn state_fn() const {
    return [this](NodeId nid) {
      auto it = states_.find(nid);
      return it == states_.end() ? NodeState::Unknown : it->second;
    };
  }
  DevpathFn devpath_fn() const {
    return [this](NodeId nid) {
      auto it = devpaths_.find(nid);
      return it == devpaths_.end() ? Devpath{} : it->second;
    };
  }

  MasterPartitionTable pt_;
  std::map<NodeId, NodeState> states_;
  std::map<NodeId, Devpath> devpaths_;
};

int run_all(const char* cases) {
  std::istringstream in(cases);
  Runner runner;
  for (std::string line; std::getline(in, line);) {
    // Each scenario starts with "new"; the other lines are those of the .inc file.
    if (line.empty() || line == "---" || line.starts_with("//") || line.starts_with("R\"NEO(") ||
        line.starts_with(")NEO")) {
      continue;
    }
    runner.run_line(line);
  }
  return runner.compared;
}

}  // namespace

TEST_CASE("master table makes, tweaks, outdates and drops cells as NEO/py does", "[pt]") {
  CHECK(run_all(kCases) > 60);
}

TEST_CASE("master table matches NEO/py on random scenarios", "[pt]") {
  CHECK(run_all(kRandomCases) > 300);
  // More scenarios, e.g. from random_cases.py with other parameters: the
  // path of an output of upstream_cases.py (with or without the R"NEO( lines).
  if (const char* path = std::getenv("NEO_PT_UPSTREAM_CASES")) {
    std::ifstream file(path);
    REQUIRE(file);
    std::stringstream text;
    text << file.rdbuf();
    CHECK(run_all(text.str().c_str()) > 0);
  }
}
