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

}  // namespace

// neostress check: against the cluster at --attach/--admin.
int run_check(const StressOptions& o) {
  if (o.attach_masters.empty()) {
    std::fputs(
        "neostress check: give the cluster to check: --attach MASTER[,MASTER...] --admin ADMIN "
        "[--cluster NAME]\n",
        stderr);
    return kExitSetup;
  }
  CheckTarget target{.masters = o.attach_masters,
                     .cluster = o.cluster_name,
                     .admin = o.attach_admin,
                     .neoctl = {},
                     .ack_files = {},
                     .at = std::nullopt};
  if (o.tid) {
    target.at = parse_tid(*o.tid);
    if (!target.at)
      return std::fprintf(stderr, "neostress check: invalid TID '%s'\n", o.tid->c_str()),
             kExitSetup;
  }
  if (o.check_replicas) {
    target.neoctl =
        (o.bin_dir.empty() ? self_path().parent_path() : std::filesystem::path(o.bin_dir)) /
        "neoctl";
  }
  for (const std::string& path : o.ack_files) target.ack_files.emplace_back(path);
  const CheckResult result = check_cluster(target);
  std::fputs(describe(result).c_str(), stdout);
  if (!result.error.empty()) return kExitSetup;
  return result.ok() ? kExitOk : kExitViolation;
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
  if (options.command == "check") return run_check(options);
  return run_stress(options);
}

}  // namespace neo::stress
