#include "cli/neostress/stress_support.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include "core/log/log.hpp"
#include "core/log/protocol_text.hpp"
#include "core/protocol/python_description.hpp"

namespace neo::stress {

void WriterProcess::count_acks(Clock::time_point now) {
  std::ifstream in(acks, std::ios::binary);
  if (!in) return;
  in.seekg(static_cast<std::streamoff>(offset));
  const std::string tail{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  // Whole lines only: a line being written is counted next time.
  const std::size_t end = tail.rfind('\n');
  if (end == std::string::npos) return;
  commits += static_cast<std::uint64_t>(std::count(tail.begin(), tail.begin() + end + 1, '\n'));
  offset += end + 1;
  last_commit = now;
}

std::uint64_t total_acks(const std::vector<WriterProcess>& writers) {
  std::uint64_t total = 0;
  for (const WriterProcess& w : writers) total += w.commits;
  return total;
}

ScreenState screen_state(const std::vector<WriterProcess>& writers, const std::optional<View>& view,
                         const Injector& injector, Clock::duration elapsed, bool paused,
                         std::string target) {
  ScreenState state{.view = view,
                    .clients = {},
                    .elapsed = std::chrono::duration<double>(elapsed).count(),
                    .commits = total_acks(writers),
                    .faults = injector.faults().size(),
                    .faults_paused = paused,
                    .target = std::move(target),
                    .fault_log = injector.log_tail(100)};
  const auto now = Clock::now();
  for (const WriterProcess& w : writers)
    state.clients.push_back(
        {.name = w.name, .commits = w.commits, .stalled = w.stalled(now), .running = !w.reported});
  return state;
}

bool start_healthy(StressCluster& cluster, const Probe& probe, std::size_t storages,
                   std::chrono::seconds timeout, std::string& error) {
  if (!cluster.start(error)) return false;
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    if (auto view = probe.view(); view && view->healthy(storages)) return true;
    std::string how;
    if (auto label = cluster.exited(how)) return error = *label + " " + how, false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  auto view = probe.view();
  error = "the cluster did not start within " + std::to_string(timeout.count()) + " s (" +
          (view ? view->summary() : "admin not answering") +
          "); see the *.out and *.log files in " +
          cluster.layout().admin().log.parent_path().string();
  return false;
}

std::string find_program(const std::string& name) {
  const char* env = std::getenv("PATH");
  std::istringstream dirs(env ? env : "/usr/sbin:/usr/bin:/sbin:/bin");
  for (std::string dir; std::getline(dirs, dir, ':');)
    if (!dir.empty() && ::access((dir + "/" + name).c_str(), X_OK) == 0) return dir + "/" + name;
  return "";
}

bool setup_log(const std::string& program, const std::string& file) {
  try {
    log::setup_tool(program, file,
                    [] { return log::compress_protocol(protocol::python_description()); });
    return true;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: %s\n", program.c_str(), e.what());
    return false;
  }
}

std::filesystem::path self_path() {
  std::error_code ec;
  auto path = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::filesystem::path("neostress") : path;
}

std::filesystem::path make_temp_dir(const std::string& prefix) {
  const char* tmp = std::getenv("TMPDIR");
  std::string templ = std::string(tmp && *tmp ? tmp : "/tmp") + "/" + prefix + "XXXXXX";
  if (!::mkdtemp(templ.data())) return {};
  return templ;
}

std::string join(const std::vector<std::string>& items, const std::string& separator) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : separator) + item;
  return out;
}

void write_json(const std::string& path, const std::string& text) {
  if (path == "-") {
    std::fputs(text.c_str(), stdout);
    return;
  }
  std::ofstream out(path);
  out << text;
  if (!out) std::fprintf(stderr, "neostress: cannot write %s\n", path.c_str());
}

}  // namespace neo::stress
