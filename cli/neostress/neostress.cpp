#include "cli/neostress/neostress.hpp"

#include <CLI/CLI.hpp>
#include <cstdio>

#include "cli/neostress/checker.hpp"
#include "cli/neostress/stress_support.hpp"

namespace neo::stress {
namespace {

std::optional<Tid> parse_tid(const std::string& text) {
  char* end = nullptr;
  const unsigned long long value = std::strtoull(text.c_str(), &end, 0);
  if (text.empty() || *end) return std::nullopt;
  return Tid{value};
}

std::filesystem::path bin_dir_of(const StressOptions& o) {
  return o.bin_dir.empty() ? self_path().parent_path() : std::filesystem::path(o.bin_dir);
}

int finish_check(CheckTarget target, const StressOptions& o) {
  if (o.tid) {
    target.at = parse_tid(*o.tid);
    if (!target.at)
      return std::fprintf(stderr, "neostress check: invalid TID '%s'\n", o.tid->c_str()),
             kExitSetup;
  }
  if (o.check_replicas) target.neoctl = bin_dir_of(o) / "neoctl";
  for (const std::string& path : o.ack_files) target.ack_files.emplace_back(path);
  const CheckResult result = check_cluster(target);
  std::fputs(describe(result).c_str(), stdout);
  if (!result.error.empty()) return kExitSetup;
  return result.ok() ? kExitOk : kExitViolation;
}

// The acks.* files of a run's data directory.
std::vector<std::filesystem::path> ack_files_in(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir))
    if (entry.path().filename().string().starts_with("acks.")) files.push_back(entry.path());
  return files;
}

}  // namespace

// neostress check: against the cluster at --attach/--admin, or the cluster
// of a run's data directory (-d), started again for the check.
int run_check(const StressOptions& o) {
  CheckTarget target{.masters = o.attach_masters,
                     .cluster = o.cluster_name,
                     .admin = o.attach_admin,
                     .neoctl = {},
                     .ack_files = {},
                     .at = std::nullopt};
  if (!o.attach_masters.empty()) return finish_check(target, o);
  if (o.data_dir.empty()) {
    std::fputs(
        "neostress check: give the data directory of a run (-d DIR), or a running "
        "cluster (--attach MASTER[,MASTER...] --admin ADMIN [--cluster NAME])\n",
        stderr);
    return kExitSetup;
  }
  std::optional<ClusterPlan> plan = load_plan(o.data_dir);
  if (!plan) {
    std::fprintf(stderr,
                 "neostress check: %s has no neostress.conf: not the data directory of "
                 "a neostress run\n",
                 o.data_dir.c_str());
    return kExitSetup;
  }
  plan->bin_dir = bin_dir_of(o);
  StressCluster cluster(*plan);
  Probe probe(cluster.admin_address(), std::chrono::milliseconds(50));
  std::string error;
  if (!start_healthy(cluster, probe, plan->storages, std::chrono::seconds(60), error)) {
    std::fprintf(stderr, "neostress check: %s\n", error.c_str());
    return kExitSetup;
  }
  target.masters = cluster.master_addresses();
  target.cluster = cluster.name();
  target.admin = cluster.admin_address();
  if (o.ack_files.empty()) target.ack_files = ack_files_in(o.data_dir);
  const int status = finish_check(target, o);
  cluster.stop(std::chrono::seconds(10));
  return status;
}

int run_neostress(int argc, char** argv) {
  CLI::App app(
      "neostress: break a NEO cluster on purpose under a checkable load, and prove that nothing "
      "is lost");
  StressOptions options;
  add_options(app, options);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int status = app.exit(e);
    return status == 0 ? kExitOk : kExitSetup;
  }
  if (std::string error = validate(options); !error.empty()) {
    std::fprintf(stderr, "neostress: %s\n", error.c_str());
    return kExitSetup;
  }
  if (options.command == "client") return run_client(options);
  if (options.command == "check") {
    // The console shows critical records only: the checker reports itself.
    setup_log("neostress", "");
    return run_check(options);
  }
  return run_stress(options);
}

}  // namespace neo::stress
