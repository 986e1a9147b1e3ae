// cli/neostress/stress_support.hpp
// Small pieces of `neostress run`: the writer processes it follows (their
// acknowledgement files counted as they grow), paths, and the screen's
// state. Main thread only.
#pragma once

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/neosimple/process.hpp"
#include "cli/neostress/cluster.hpp"
#include "cli/neostress/faults.hpp"
#include "cli/neostress/screen.hpp"

namespace neo::stress {

struct WriterProcess {
  std::string name;
  std::filesystem::path acks;
  std::unique_ptr<neo::simple::Process> process;
  std::uint64_t commits = 0;  // lines of `acks` so far
  std::uintmax_t offset = 0;  // bytes of `acks` counted
  Clock::time_point last_commit = Clock::now();
  bool reported = false;  // its death is in the report

  // Counts the lines appended since the last call.
  void count_acks(Clock::time_point now);
  bool stalled(Clock::time_point now) const { return now - last_commit > std::chrono::seconds(10); }
};

std::uint64_t total_acks(const std::vector<WriterProcess>& writers);
ScreenState screen_state(const std::vector<WriterProcess>& writers, const std::optional<View>& view,
                         const Injector& injector, Clock::duration elapsed, bool paused,
                         std::string target);

// Starts `cluster` and waits until `probe` sees it healthy, at most
// `timeout`; false with `error` (what to look at) otherwise.
bool start_healthy(StressCluster& cluster, const Probe& probe, std::size_t storages,
                   std::chrono::seconds timeout, std::string& error);

// The path of `name` on $PATH, or "" (run_capture does not search $PATH).
std::string find_program(const std::string& name);
// Prints "neostress: <what>" on stderr; returns `result`.
template <class T>
T failed(T result, const std::string& what) {
  std::fprintf(stderr, "neostress: %s\n", what.c_str());
  return result;
}

// The NEO log (SQLite, read by neolog) of neostress or one of its client
// processes; "" for the console only. False, after saying why, if `file`
// cannot be opened.
bool setup_log(const std::string& program, const std::string& file);

// This program (/proc/self/exe).
std::filesystem::path self_path();
// A new directory under $TMPDIR (or /tmp); empty on failure.
std::filesystem::path make_temp_dir(const std::string& prefix);
std::string join(const std::vector<std::string>& items, const std::string& separator);
// `text` to `path`, or stdout for "-".
void write_json(const std::string& path, const std::string& text);

}  // namespace neo::stress
