// replication_bench: replication to a new storage, our daemons and NEO/py's
// side by side in one run. Each cluster: 1 master, 12 partitions, replicas
// 1, 1 SQLite storage holding about SIZE bytes of object data, 1 admin; a
// new storage is started, `neoctl add`ed, then `neoctl tweak` gives it every
// partition. Measured: the time from the tweak to every cell UP_TO_DATE
// (`neoctl print pt` polled every 100 ms), as MB/s of object data and
// objects/s, the storages' CPU time meanwhile, and the commit latency of a
// client (our C++ library on both clusters) idle and during the replication.
// The dataset is written once per implementation straight into the
// database of a 1-storage cluster that was started once (so the file has
// its node id, cluster name and partition table) and stopped; each run
// starts from a copy. Runs alternate (ours, NEO/py, ours...).
//   NEO_PEER_PYTHONPATH=... build/tests/replication_bench [--size 1G] [--runs 5]
//       [--idle 5] [--ours-only | --neopy-only] [--keep]
#include "tests/interop/bench/replication_bench.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "tests/cluster/local_cluster.hpp"
#include "tests/interop/bench/replication_bench_setup.hpp"
#include "tests/interop/peer_env.hpp"
#include "tests/support/bench_stats.hpp"

namespace fs = std::filesystem;
using neo::bench::RunFigures;
using neo::test::show;
using neo::test::stat_of;

namespace {

struct Options {
  std::uint64_t size = 1ULL << 30;
  int runs = 5;
  double idle = 5;
  bool ours = true, neopy = true, keep = false;
};

std::uint64_t parse_size(const std::string& text) {
  std::size_t end = 0;
  const double value = std::stod(text, &end);
  const std::string unit = text.substr(end);
  const double scale = unit.empty()  ? 1
                       : unit == "K" ? 1 << 10
                       : unit == "M" ? 1 << 20
                       : unit == "G" ? 1 << 30
                                     : throw std::invalid_argument("unit " + unit);
  return static_cast<std::uint64_t>(value * scale);
}

Options parse_options(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const auto value = [&] {
      if (i + 1 >= argc) throw std::invalid_argument(arg + " needs a value");
      return std::string(argv[++i]);
    };
    if (arg == "--size")
      options.size = parse_size(value());
    else if (arg == "--runs")
      options.runs = std::stoi(value());
    else if (arg == "--idle")
      options.idle = std::stod(value());
    else if (arg == "--ours-only")
      options.neopy = false;
    else if (arg == "--neopy-only")
      options.ours = false;
    else if (arg == "--keep")
      options.keep = true;
    else
      throw std::invalid_argument("unknown option " + arg);
  }
  if (options.runs < 1 || options.size == 0 || (!options.ours && !options.neopy))
    throw std::invalid_argument("nothing to measure");
  return options;
}

std::string load_average() {
  std::ifstream file("/proc/loadavg");
  std::string one, five, fifteen;
  file >> one >> five >> fifteen;
  return one + " " + five + " " + fifteen;
}

void print_run(const char* label, int run, const RunFigures& f) {
  std::printf(
      "  run %d %-7s %s: %7.1f s  %6.1f MB/s  %7.0f objects/s  commits idle p50 %.2f p99 %.2f ms "
      "(%zu), during p50 %.2f p99 %.2f ms (%zu)  CPU source %.1f s dest %.1f s  load %s\n",
      run, label, f.ok ? "ok" : "FAILED", f.seconds, f.mb_s, f.objects_s, f.idle_p50, f.idle_p99,
      f.idle_commits, f.during_p50, f.during_p99, f.during_commits, f.source_cpu, f.destination_cpu,
      load_average().c_str());
  std::fflush(stdout);
}

// One row of the table: median [min-max] of each side and of the per-run
// gain (ours better when > 1).
void print_row(const char* label, double RunFigures::*field, const std::vector<RunFigures>& ours,
               const std::vector<RunFigures>& neopy, bool higher_is_better, const char* format) {
  std::vector<double> a, b, gain;
  for (const RunFigures& f : ours)
    if (f.ok) a.push_back(f.*field);
  for (const RunFigures& f : neopy)
    if (f.ok) b.push_back(f.*field);
  for (std::size_t i = 0; i < std::min(ours.size(), neopy.size()); ++i) {
    const double x = ours[i].*field, y = neopy[i].*field;
    if (ours[i].ok && neopy[i].ok && x > 0 && y > 0)
      gain.push_back(higher_is_better ? x / y : y / x);
  }
  std::printf("  %-30s %-26s %-26s %s\n", label, a.empty() ? "-" : show(stat_of(a), format).c_str(),
              b.empty() ? "-" : show(stat_of(b), format).c_str(),
              gain.empty() ? "-" : show(stat_of(gain), "%.2f").c_str());
}

void print_table(const std::vector<RunFigures>& ours, const std::vector<RunFigures>& neopy) {
  std::printf(
      "\nmedian [min-max] of the successful runs; gain: per-run ratio, > 1 when ours is "
      "better\n  %-30s %-26s %-26s %s\n",
      "", "neo-cpp", "NEO/py", "gain");
  print_row("replication time (s)", &RunFigures::seconds, ours, neopy, false, "%.1f");
  print_row("replication MB/s", &RunFigures::mb_s, ours, neopy, true, "%.1f");
  print_row("replication objects/s", &RunFigures::objects_s, ours, neopy, true, "%.0f");
  print_row("source storage CPU (s)", &RunFigures::source_cpu, ours, neopy, false, "%.1f");
  print_row("new storage CPU (s)", &RunFigures::destination_cpu, ours, neopy, false, "%.1f");
  print_row("commit p50 idle (ms)", &RunFigures::idle_p50, ours, neopy, false, "%.2f");
  print_row("commit p99 idle (ms)", &RunFigures::idle_p99, ours, neopy, false, "%.2f");
  print_row("commit p50 replicating (ms)", &RunFigures::during_p50, ours, neopy, false, "%.2f");
  print_row("commit p99 replicating (ms)", &RunFigures::during_p99, ours, neopy, false, "%.2f");
}

bool all_ok(const std::vector<RunFigures>& runs) {
  return std::all_of(runs.begin(), runs.end(), [](const RunFigures& f) { return f.ok; });
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  try {
    options = parse_options(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr,
                 "replication_bench: %s\nusage: replication_bench [--size BYTES[K|M|G]] "
                 "[--runs N] [--idle SECONDS] [--ours-only | --neopy-only] [--keep]\n",
                 e.what());
    return 2;
  }
  if (options.neopy && neo::interop::peer_pythonpath().empty()) {
    std::fprintf(stderr, "replication_bench: set NEO_PEER_PYTHONPATH (or --ours-only)\n");
    return 2;
  }
  setenv("NEO_BIN_DIR", neo::interop::env_or("NEO_BIN_DIR", NEO_DEFAULT_BIN_DIR).c_str(), 1);
  if (options.keep) setenv("NEO_CLUSTER_KEEP", "1", 1), setenv("NEO_INTEROP_KEEP", "1", 1);
  const fs::path work = neo::test::make_temp_dir("neo-replication-bench");
  std::printf(
      "replication_bench: %.0f MiB of object data, %d runs, %.0f s idle; work dir %s; "
      "load %s\n",
      static_cast<double>(options.size) / (1 << 20), options.runs, options.idle, work.c_str(),
      load_average().c_str());
  std::fflush(stdout);
  int status = 0;
  try {
    std::vector<RunFigures> ours, neopy;
    neo::bench::Template ours_db, neopy_db;
    if (options.ours) ours_db = neo::bench::make_ours_template(work, options.size);
    if (options.neopy) neopy_db = neo::bench::make_neopy_template(work, options.size);
    for (int run = 1; run <= options.runs; ++run) {
      if (options.ours)
        print_run("neo-cpp", run, ours.emplace_back(neo::bench::run_ours(ours_db, options.idle)));
      if (options.neopy)
        print_run("NEO/py", run, neopy.emplace_back(neo::bench::run_neopy(neopy_db, options.idle)));
    }
    if (!all_ok(ours) || !all_ok(neopy)) status = 1;
    print_table(ours, neopy);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "replication_bench: %s\n", e.what());
    status = 1;
  }
  std::printf("load at the end: %s\n", load_average().c_str());
  if (!options.keep) fs::remove_all(work);
  return status;
}
