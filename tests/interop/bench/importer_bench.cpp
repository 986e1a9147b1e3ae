// importer_bench: the Importer backend, ours and NEO/py's side by side in
// one run. Each run starts a cluster of 1 master (12 partitions) and 1
// storage on `-a Importer` over a fresh copy of FILE (a FileStorage; make one
// with tests/tools/neomigrate/make_bench_fs.py), SQLite destination, and measures the time from
// the cluster's start to the destination holding every transaction of the
// file (its `trans` rows polled every 20 ms; both implementations commit
// the last ones at the end, then log "All data are imported"). Runs
// alternate (ours, NEO/py, ours...); prints each run, then the median, min
// and max of each and the ratio of the medians.
//   NEO_PEER_PYTHONPATH=... build/tests/importer_bench FILE [--runs 5] [--ours-only]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "importer/file_storage.hpp"
#include "importer/fs_index.hpp"
#include "tests/cluster/local_cluster.hpp"
#include "tests/interop/peer_env.hpp"
#include "tests/interop/upstream_cluster.hpp"
#include "tests/support/sqlite_rows.hpp"
#include "tests/support/temp_dir.hpp"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

// A copy of `file` and an importer.conf in `dir`; returns the conf.
fs::path prepare(const fs::path& dir, const fs::path& file) {
  fs::copy_file(file, dir / "Data.fs");
  const fs::path conf = dir / "importer.conf";
  std::ofstream(conf) << "[neo]\nadapter = SQLite\ndatabase = " << (dir / "neo.sqlite").string()
                      << "\n[root]\nstorage =\n  <filestorage>\n    path "
                      << (dir / "Data.fs").string() << "\n  </filestorage>\n";
  return conf;
}

// Seconds from `start` until `database` holds `total` transactions.
double wait_imported(Clock::time_point start, const fs::path& database, long total) {
  while (neo::test::count_rows(database.string(), "trans") < total) {
    if (Clock::now() - start > std::chrono::minutes(10)) throw std::runtime_error("timed out");
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return std::chrono::duration<double>(Clock::now() - start).count();
}

double run_ours(const fs::path& file, long total) {
  neo::test::LocalCluster cluster({.name = "importer-bench", .partitions = 12, .admin = false});
  const fs::path conf = prepare(cluster.dir(), file);
  cluster.use_importer(conf.string());
  const Clock::time_point start = Clock::now();
  cluster.start();
  return wait_imported(start, cluster.dir() / "neo.sqlite", total);
}

double run_neopy(const fs::path& file, long total) {
  neo::test::TempDir dir("importer-bench");
  const fs::path conf = prepare(dir.path(), file);
  const Clock::time_point start = Clock::now();
  neo::interop::UpstreamCluster cluster(
      {.name = "importer-bench", .partitions = 12, .importer_conf = conf.string()});
  return wait_imported(start, dir.path() / "neo.sqlite", total);
}

void summary(const char* who, std::vector<double> runs) {
  std::sort(runs.begin(), runs.end());
  std::printf("%-6s median %.2f s  min %.2f  max %.2f  (%zu runs)\n", who, runs[runs.size() / 2],
              runs.front(), runs.back(), runs.size());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: importer_bench FILE [--runs N] [--ours-only]\n");
    return 2;
  }
  const fs::path file = fs::absolute(argv[1]);
  int runs = 5;
  bool neopy = true;
  for (int i = 2; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--runs" && i + 1 < argc) runs = std::max(1, std::stoi(argv[++i]));
    if (arg == "--ours-only") neopy = false;
  }
  neo::importer::FileStorage fs;
  neo::importer::FsIndex index;
  if (fs.open(file.string()) || neo::importer::update_index(fs, index)) {
    std::fprintf(stderr, "importer_bench: %s\n", fs.error().c_str());
    return 1;
  }
  const long total = long(index.transactions.size());
  std::printf("importer_bench: %s, %.1f MB, %ld transactions, %llu records\n", file.c_str(),
              double(fs.size()) / 1e6, total, (unsigned long long)index.records);
  ::setenv("NEO_BIN_DIR", NEO_DEFAULT_BIN_DIR, 0);
  std::vector<double> ours, theirs;
  for (int run = 0; run < runs; ++run) {
    ours.push_back(run_ours(file, total));
    std::printf("run %d: ours %.2f s", run + 1, ours.back());
    if (neopy) {
      theirs.push_back(run_neopy(file, total));
      std::printf(", NEO/py %.2f s, ratio %.2f", theirs.back(), theirs.back() / ours.back());
    }
    std::printf("\n");
    std::fflush(stdout);
  }
  summary("ours", ours);
  if (neopy) {
    summary("NEO/py", theirs);
    std::vector<double> o = ours, t = theirs;
    std::sort(o.begin(), o.end());
    std::sort(t.begin(), t.end());
    std::printf("ratio of medians: %.2f\n", t[t.size() / 2] / o[o.size() / 2]);
  }
  return 0;
}
