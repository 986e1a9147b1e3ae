#include "cli/neostress/checker.hpp"

#include <fstream>
#include <sstream>

#include "cli/neosimple/process.hpp"
#include "cli/neostress/workload.hpp"

namespace neo::stress {
namespace {

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

CheckResult check_cluster(const CheckTarget& target) {
  CheckResult result;
  auto client = client::Client::connect(
      {.masters = target.masters, .cluster = target.cluster, .read_only = true});
  if (!client) {
    result.error = "cannot connect to cluster " + target.cluster + ": " + client.error().message();
    return result;
  }
  auto layout = read_layout(**client);
  if (!layout) {
    result.error = "no neostress data in cluster " + target.cluster + " (" +
                   layout.error().message() + "): was it written by neostress run?";
    return result;
  }
  auto snapshot = read_snapshot(**client, *layout, target.at);
  if (!snapshot) {
    result.error = "cannot read the data: " + snapshot.error().message();
    return result;
  }
  std::vector<Ack> acks;
  for (const auto& path : target.ack_files) {
    std::size_t bad = 0;
    std::vector<Ack> more = parse_acks(read_file(path), &bad);
    // A check at an earlier TID only expects the commits up to it.
    for (const Ack& ack : more)
      if (!target.at || ack.tid <= *target.at) acks.push_back(ack);
    result.bad_ack_lines += bad;
  }
  result.verdict = verify(*layout, std::move(*snapshot), acks);
  if (!target.neoctl.empty()) {
    auto [status, output] =
        neo::simple::run_capture({target.neoctl.string(), "-a", target.admin, "check", "--wait",
                                  "--cluster", target.cluster, ":"},
                                 std::chrono::minutes(10));
    result.replicas_status = status;
    result.replicas_output = std::move(output);
  }
  return result;
}

std::string describe(const CheckResult& result) {
  std::ostringstream out;
  if (!result.error.empty()) {
    out << "check failed: " << result.error << "\n";
    return out.str();
  }
  out << "data: " << result.verdict.commits << " commits in the database, " << result.verdict.acked
      << " acknowledged to clients, ";
  if (result.verdict.violations.empty())
    out << "every invariant holds\n";
  else
    out << result.verdict.violations.size() << " violation(s):\n";
  for (const std::string& v : result.verdict.violations) out << "  VIOLATION: " << v << "\n";
  if (result.bad_ack_lines) out << "  (" << result.bad_ack_lines << " unreadable ack lines)\n";
  if (result.replicas_status) {
    out << "replicas: "
        << (*result.replicas_status == 0   ? "identical"
            : *result.replicas_status == 3 ? "VIOLATION: some differ"
                                           : "VIOLATION: could not be compared")
        << "\n";
    if (*result.replicas_status != 0) out << result.replicas_output;
  }
  return out.str();
}

}  // namespace neo::stress
