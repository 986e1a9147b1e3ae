#include "cli/neosimple/neosimple.hpp"

#include <signal.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <random>
#include <thread>

#include "cli/neosimple/layout.hpp"
#include "cli/neosimple/options.hpp"
#include "cli/neosimple/process.hpp"

namespace neo::simple {

namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

volatile sig_atomic_t g_stop_signal = 0;

void on_signal(int signo) { g_stop_signal = signo; }

fs::path own_directory() {
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::path(".") : self.parent_path();
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

class Runner {
 public:
  Runner(SimpleOptions options, fs::path bin_dir, Layout layout)
      : options_(std::move(options)), bin_dir_(std::move(bin_dir)), layout_(std::move(layout)) {}

  int run();

 private:
  bool start_all();
  bool start(const NodePlan& node);
  // The first child that exited on its own, if any.
  Process* exited_child();
  void report_exit(Process& process);
  std::pair<int, std::string> neoctl(const std::vector<std::string>& args, auto timeout);
  void print_banner() const;
  void show_status();
  void stop_cluster();

  SimpleOptions options_;
  fs::path bin_dir_;
  Layout layout_;
  std::vector<Process> processes_;
};

bool Runner::start(const NodePlan& node) {
  Process process(node.label, layout_.command(node, bin_dir_, !options_.manual_start), node.output);
  {
    std::ofstream out(node.output, std::ios::app);
    out << "--- neosimple: " << shell_join(process.argv()) << "\n";
  }
  std::string error;
  if (!process.start(error)) {
    std::fprintf(stderr, "neosimple: %s: %s\n", node.label.c_str(), error.c_str());
    return false;
  }
  processes_.push_back(std::move(process));
  return true;
}

bool Runner::start_all() {
  for (const NodePlan* node : layout_.all())
    if (!start(*node)) return false;
  return true;
}

Process* Runner::exited_child() {
  for (Process& process : processes_)
    if (!process.running()) return &process;
  return nullptr;
}

void Runner::report_exit(Process& process) {
  std::fprintf(stderr, "neosimple: %s (pid %d) %s; last lines of %s:\n%s", process.label().c_str(),
               static_cast<int>(process.pid()), process.describe_status().c_str(),
               process.output().c_str(), tail_lines(process.output(), 20).c_str());
}

std::pair<int, std::string> Runner::neoctl(const std::vector<std::string>& args, auto timeout) {
  std::vector<std::string> argv = {(bin_dir_ / "neoctl").string(), "-a",
                                   layout_.address(layout_.admin())};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_capture(argv, std::chrono::duration_cast<std::chrono::milliseconds>(timeout));
}

void Runner::print_banner() const {
  std::printf("NEO cluster '%s' (%d partition(s), %d replica(s)) in %s\n", layout_.name().c_str(),
              layout_.partitions(), layout_.replicas(), options_.data_dir.c_str());
  for (const NodePlan* node : layout_.all()) {
    std::printf("  %-9s %-22s log %s", node->label.c_str(), layout_.address(*node).c_str(),
                node->log.c_str());
    if (!node->database.empty()) std::printf("  db %s", node->database.c_str());
    std::printf("\n");
  }
  std::printf(
      "Administer:  %s -a %s print node\n"
      "ZODB client: <NEOStorage> master_nodes %s\n"
      "                          name %s </NEOStorage>\n"
      "             (Python: neo.client.Storage(master_nodes='%s', name='%s'))\n"
      "Stop:        Ctrl-C or kill -TERM %d (sets the cluster STOPPING, waits for the nodes)\n",
      (bin_dir_ / "neoctl").c_str(), layout_.address(layout_.admin()).c_str(),
      layout_.master_list().c_str(), layout_.name().c_str(), layout_.master_list().c_str(),
      layout_.name().c_str(), static_cast<int>(getpid()));
  std::fflush(stdout);
}

void Runner::show_status() {
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"print", "node"}, std::vector<std::string>{"print", "pt"}}) {
    auto [status, output] = neoctl(args, 10s);
    std::printf("$ neoctl print %s\n%s", args[1].c_str(), output.c_str());
  }
  std::fflush(stdout);
}

void Runner::stop_cluster() {
  std::printf("neosimple: stopping the cluster\n");
  std::fflush(stdout);
  bool masters_alive = false;
  for (Process& process : processes_)
    masters_alive =
        masters_alive || (process.argv()[0].ends_with("neomaster") && process.running());
  bool stopping = false;
  if (masters_alive) {
    auto [status, output] = neoctl({"set", "cluster", "STOPPING"}, 10s);
    stopping = status == 0;
    if (!stopping)
      std::fprintf(stderr, "neosimple: neoctl set cluster STOPPING: %s", output.c_str());
  }
  if (!stopping) {  // no orderly shutdown possible: SIGTERM stops each daemon at once
    for (Process& process : processes_) process.signal(SIGTERM);
  }
  // Masters and storages exit on STOPPING; the admin once it lost the master.
  const auto deadline = std::chrono::steady_clock::now() + (stopping ? 30s : 10s);
  for (Process& process : processes_) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (process.wait_for(std::max(left, std::chrono::milliseconds(0)))) continue;
    std::fprintf(stderr, "neosimple: %s still running: sending SIGTERM\n", process.label().c_str());
    process.signal(SIGTERM);
    if (!process.wait_for(5s)) {
      std::fprintf(stderr, "neosimple: %s still running: sending SIGKILL\n",
                   process.label().c_str());
      process.signal(SIGKILL);
      process.wait_for(5s);
    }
  }
}

int Runner::run() {
  print_banner();
  if (!start_all()) {
    stop_cluster();
    return 1;
  }
  bool shown = false;
  auto last_hint = std::chrono::steady_clock::now();
  std::string last_state;
  while (!g_stop_signal) {
    if (Process* gone = exited_child()) {
      report_exit(*gone);
      std::fprintf(stderr, "neosimple: a node exited on its own: stopping the others\n");
      stop_cluster();
      return 1;
    }
    if (!shown) {
      auto [status, output] = neoctl({"print", "cluster"}, 5s);
      if (status == 0) last_state = output.substr(0, output.find('\n'));
      if (last_state == "RUNNING") {
        std::printf("Cluster RUNNING.\n");
        show_status();
        shown = true;
      } else if (std::chrono::steady_clock::now() - last_hint > 20s) {
        last_hint = std::chrono::steady_clock::now();
        std::printf("neosimple: cluster not RUNNING yet (%s)%s\n",
                    last_state.empty() ? "admin not ready" : last_state.c_str(),
                    options_.manual_start && last_state == "RECOVERING"
                        ? "; start it with: neoctl -a ADMIN start"
                        : "");
        std::fflush(stdout);
      }
    }
    std::this_thread::sleep_for(shown ? 200ms : 500ms);  // supervising the children
  }
  std::printf("neosimple: got %s\n", strsignal(g_stop_signal));
  stop_cluster();
  int status = 0;
  for (Process& process : processes_) {
    if (process.status() && !(WIFEXITED(*process.status()) && WEXITSTATUS(*process.status()) == 0))
      std::fprintf(stderr, "neosimple: %s %s\n", process.label().c_str(),
                   process.describe_status().c_str());
  }
  if (options_.cleanup_on_delete) {
    std::error_code ec;
    fs::remove_all(options_.data_dir, ec);
  }
  std::printf("neosimple: cluster stopped\n");
  return status;
}

}  // namespace

int run_neosimple(int argc, char** argv) {
  CLI::App app{"Quickly set up a simple local NEO cluster (our daemons) for testing purpose.",
               "neosimple"};
  SimpleOptions options;
  add_simple_options(app, options);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) ? 2 : 0;
  }
  if (const std::string error = validate(options); !error.empty()) {
    std::fprintf(stderr, "neosimple: %s\n", error.c_str());
    return 2;
  }
  fs::path bin_dir = options.bin_dir;
  if (bin_dir.empty()) {
    const char* env = std::getenv("NEO_SIMPLE_BIN_DIR");
    bin_dir = env && *env ? fs::path(env) : own_directory();
  }
  for (const char* program : {"neomaster", "neostorage", "neoadmin", "neoctl"}) {
    if (access((bin_dir / program).c_str(), X_OK) != 0) {
      std::fprintf(stderr, "neosimple: %s not found in %s (see --bin-dir)\n", program,
                   bin_dir.c_str());
      return 1;
    }
  }
  std::error_code ec;
  fs::create_directories(options.data_dir, ec);
  if (ec) {
    std::fprintf(stderr, "neosimple: cannot create %s: %s\n", options.data_dir.c_str(),
                 ec.message().c_str());
    return 1;
  }
  const fs::path conf = fs::path(options.data_dir) / "neosimple.conf";
  const Settings saved = parse_settings(read_text(conf));
  std::mt19937_64 rng{std::random_device{}()};
  if (options.seed) {
    std::seed_seq seed(options.seed->begin(), options.seed->end());
    rng.seed(seed);
  }
  std::vector<std::string> notes;
  Layout layout(options, saved, rng, &notes);
  for (const std::string& note : notes) std::fprintf(stderr, "neosimple: %s\n", note.c_str());
  layout.assign_ports([&] { return free_port(layout.bind_ip()); });
  if (options.clear_databases) {
    for (const NodePlan& storage : layout.storages()) fs::remove(storage.database, ec);
  }
  {
    std::ofstream out(conf);
    out << format_settings(layout.settings());
  }
  struct sigaction action {};
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
  sigaction(SIGHUP, &action, nullptr);
  Runner runner(std::move(options), std::move(bin_dir), std::move(layout));
  return runner.run();
}

}  // namespace neo::simple
