// neostress run: start the cluster (or attach to a running one), create
// the layout, start the writer processes, cause faults while following the
// cluster, stop, check, report.
#include <signal.h>
#include <sys/mount.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <random>
#include <thread>

#include "cli/neostress/checker.hpp"
#include "cli/neostress/cluster.hpp"
#include "cli/neostress/faults.hpp"
#include "cli/neostress/isolation.hpp"
#include "cli/neostress/neostress.hpp"
#include "cli/neostress/report.hpp"
#include "cli/neostress/screen.hpp"
#include "cli/neostress/stress_support.hpp"
#include "cli/neostress/workload.hpp"
#include "core/log/log.hpp"

namespace neo::stress {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

volatile sig_atomic_t g_interrupted = 0;
void on_interrupt(int) { g_interrupted = 1; }

class Run {
 public:
  Run(const StressOptions& o, fs::path data_dir, fs::path bin_dir, std::vector<fs::path> disks)
      : o_(o),
        data_dir_(std::move(data_dir)),
        bin_dir_(std::move(bin_dir)),
        disks_(std::move(disks)) {
    report_.seed = o.seed ? o.seed : std::random_device{}() | 1;
    report_.kinds = fault_kinds(o);
    report_.data_dir = data_dir_.string();
  }
  int run();

 private:
  bool start_cluster();
  bool attach();
  bool start_clients();
  void load_loop();
  bool finished(const Injector& injector, Clock::time_point since) const;
  void watch_processes(const Injector& injector);
  void settle(Injector& injector);
  void stop_clients();
  void quiesce();
  bool pack();
  std::string target() const;
  std::vector<std::string> masters() const;
  std::string admin() const;

  const StressOptions& o_;
  fs::path data_dir_, bin_dir_;
  std::vector<fs::path> disks_;  // --isolate: the storages' tmpfs
  RunReport report_;
  std::unique_ptr<StressCluster> cluster_;  // null when attached
  std::string name_;                        // the cluster's
  std::size_t storages_ = 0;                // RUNNING when healthy
  std::unique_ptr<Probe> probe_;
  std::unique_ptr<client::Client> client_;
  std::vector<WriterProcess> writers_;
  std::thread packer_;
  std::atomic<bool> packing_{false};
};

bool Run::start_cluster() {
  ClusterPlan plan{.name = o_.cluster_name,
                   .masters = o_.masters,
                   .storages = o_.storages,
                   .partitions = o_.partitions,
                   .replicas = o_.replicas,
                   .ipv6 = o_.ipv6,
                   .data_dir = data_dir_,
                   .bin_dir = bin_dir_,
                   .disks = disks_};
  save_plan(plan);
  cluster_ = std::make_unique<StressCluster>(plan);
  name_ = cluster_->name();
  storages_ = o_.storages;
  probe_ = std::make_unique<Probe>(cluster_->admin_address(), 50ms);
  std::string error;
  if (!start_healthy(*cluster_, *probe_, o_.storages, 60s, error)) return failed(false, error);
  auto client = client::Client::connect({.masters = masters(), .cluster = name_, .timeout = 30s});
  if (!client) return failed(false, "cannot connect: " + client.error().message());
  client_ = std::move(*client);
  return true;
}

// --attach: a running cluster, healthy within 60 s; its RUNNING storages
// then are the count a healthy view must show.
bool Run::attach() {
  name_ = o_.cluster_name;
  probe_ = std::make_unique<Probe>(o_.attach_admin, 50ms);
  const auto deadline = Clock::now() + 60s;
  std::optional<View> view;
  for (; Clock::now() < deadline; std::this_thread::sleep_for(50ms)) {
    view = probe_->view();
    if (!view) continue;
    storages_ = view->running_storages();
    if (view->healthy(storages_)) break;
  }
  if (!view || !view->healthy(storages_))
    return failed(false, "the cluster at --admin " + o_.attach_admin + " is not healthy (" +
                             (view ? view->summary() : "admin not answering") +
                             "): start it, or wait until every cell is UP_TO_DATE");
  auto client = client::Client::connect({.masters = masters(), .cluster = name_, .timeout = 30s});
  if (!client)
    return failed(false, "cannot connect to the masters of --attach: " + client.error().message() +
                             " (is --cluster the cluster's name?)");
  client_ = std::move(*client);
  return true;
}

std::vector<std::string> Run::masters() const {
  return cluster_ ? cluster_->master_addresses() : o_.attach_masters;
}

std::string Run::admin() const { return cluster_ ? cluster_->admin_address() : o_.attach_admin; }

bool Run::start_clients() {
  for (int i = 0; i < o_.clients; ++i) {
    WriterProcess w;
    w.name = "client_" + std::to_string(i);
    w.acks = data_dir_ / ("acks." + std::to_string(i));
    std::vector<std::string> argv = {self_path().string(),
                                     "--cluster",
                                     name_,
                                     "--attach",
                                     join(masters(), ","),
                                     "--admin",
                                     admin(),
                                     "client",
                                     "--threads",
                                     std::to_string(o_.threads),
                                     "--first-writer",
                                     std::to_string(i * o_.threads),
                                     "--acks",
                                     w.acks.string(),
                                     "--log",
                                     (data_dir_ / (w.name + ".log")).string(),
                                     "--seed",
                                     std::to_string(report_.seed)};
    w.process = std::make_unique<neo::simple::Process>(w.name, argv, data_dir_ / (w.name + ".out"));
    std::string error;
    if (!w.process->start(error)) return failed(false, w.name + ": " + error);
    writers_.push_back(std::move(w));
  }
  return true;
}

std::string Run::target() const {
  if (o_.duration) return "until " + std::to_string(static_cast<long>(*o_.duration)) + " s";
  if (o_.faults) return "until " + std::to_string(*o_.faults) + " faults";
  if (o_.per_kind) return "until " + std::to_string(*o_.per_kind) + " faults of each kind";
  return "until q";
}

bool Run::finished(const Injector& injector, Clock::time_point since) const {
  if (g_interrupted) return true;
  if (o_.duration && Clock::now() - since >= std::chrono::duration<double>(*o_.duration))
    return true;
  if (o_.faults && injector.faults().size() >= *o_.faults) return true;
  if (o_.per_kind) {
    for (auto [kind, n] : injector.counts())
      if (n < *o_.per_kind) return false;
    return true;
  }
  return false;
}

bool Run::pack() {
  if (packing_.exchange(true)) return false;  // the previous one still runs
  if (packer_.joinable()) packer_.join();
  packer_ = std::thread([this] {
    // Waited for, one at a time: ordered faster than the storages pack,
    // packs would pile up.
    if (auto last = client_->last_transaction()) (void)client_->pack(*last, true);
    packing_ = false;
  });
  return true;
}

// Daemons that exit on their own and writers that die are violations; a
// daemon is restarted so that the run goes on.
void Run::watch_processes(const Injector& injector) {
  for (WriterProcess& w : writers_)
    if (!w.reported && !w.process->running()) {
      report_.violations.push_back(w.name + " " + w.process->describe_status() + "; see " +
                                   w.process->output().string());
      w.reported = true;
    }
  if (!cluster_) return;
  std::string how, error;
  auto expected = [&](const std::string& node) {
    return injector.exit_expected(node) != Injector::Exit::No;
  };
  if (auto label = cluster_->exited(how, expected)) {
    report_.violations.push_back(*label + " exited by itself: " + how);
    cluster_->restart(*label, error);
  }
  for (const std::string& label : cluster_->labels())
    if (injector.exit_expected(label) == Injector::Exit::Restart && !cluster_->running(label))
      cluster_->restart(label, error);
}

void Run::load_loop() {
  const auto start = Clock::now();
  Injector injector(
      cluster_.get(),
      {.kinds = report_.kinds,
       .max_recovery = std::chrono::milliseconds(static_cast<long>(o_.max_recovery * 1000)),
       .freeze_max = std::chrono::milliseconds(static_cast<long>(o_.freeze_max * 1000)),
       .unsafe = o_.unsafe,
       .isolated = o_.isolate,
       .delay_kbit = o_.delay_kbit,
       .storages = storages_},
      report_.seed, start, [this] { return pack(); });
  std::unique_ptr<Screen> screen;
  if (!o_.batch && isatty(STDIN_FILENO) && isatty(STDOUT_FILENO))
    screen = std::make_unique<Screen>();
  std::mt19937_64 rng(report_.seed ^ 0x5eed);
  const auto period =
      std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(1 / o_.rate));
  auto next_fault = start + period;
  Clock::time_point last_fault{}, last_draw{}, last_line = start;
  bool paused = false;
  while (!finished(injector, start)) {
    std::this_thread::sleep_for(10ms);
    const auto now = Clock::now();
    const auto view = probe_->view();
    injector.follow(view);
    watch_processes(injector);
    for (WriterProcess& w : writers_) w.count_acks(now);
    if (!paused && now >= next_fault && view && view->taken > last_fault) {
      next_fault += period;
      if (std::uniform_real_distribution<>(0, 1)(rng) < o_.fault_probability &&
          injector.inject(*view))
        last_fault = Clock::now();
    }
    if (screen && now - last_draw > 250ms) {
      last_draw = now;
      while (auto key = screen->key()) {
        if (*key == 'q') g_interrupted = 1;
        if (*key == 'f') paused = !paused, next_fault = now + period;
      }
      screen->draw(screen_state(writers_, view, injector, now - start, paused, target()));
    } else if (!screen && now - last_line >= 10s) {
      last_line = now;
      std::fprintf(stderr, "neostress: %.0f s, %llu commits, %zu faults; %s\n",
                   std::chrono::duration<double>(now - start).count(),
                   static_cast<unsigned long long>(total_acks(writers_)), injector.faults().size(),
                   view ? view->summary().c_str() : "admin not answering");
    }
  }
  screen.reset();
  report_.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  settle(injector);
  report_.faults = injector.faults();
  for (const Fault& f : report_.faults)
    if (f.violation)
      report_.violations.push_back(
          "fault #" + std::to_string(f.number) + " (" + std::string(to_string(f.kind)) + " " +
          f.target + "): not healthy again within " + std::to_string(o_.max_recovery) + " s");
}

// Ends the faults (thaws frozen nodes) and waits until every fault
// recovered, at most --max-recovery.
void Run::settle(Injector& injector) {
  injector.end_timed();
  const auto deadline =
      Clock::now() + std::chrono::milliseconds(static_cast<long>(o_.max_recovery * 1000));
  while (!injector.idle() && Clock::now() < deadline) {
    std::this_thread::sleep_for(20ms);
    injector.follow(probe_->view());
    watch_processes(injector);
  }
  injector.follow(probe_->view());
  if (cluster_)
    for (const std::string& label : cluster_->labels()) cluster_->signal(label, SIGCONT);
  if (packer_.joinable()) packer_.join();
}

// Before the replicas are compared: every cell up to date, and, after
// pack faults, every replica packed as far (a storage that was down when a
// pack was ordered does it once back, maybe after the pack was waited for).
void Run::quiesce() {
  const auto deadline =
      Clock::now() + std::chrono::milliseconds(static_cast<long>(o_.max_recovery * 1000));
  auto healthy = [&] {
    auto view = probe_->view();
    return view && view->healthy(storages_);
  };
  while (!healthy() && Clock::now() < deadline) std::this_thread::sleep_for(20ms);
  if (!healthy()) report_.violations.push_back("the cluster was not healthy at the end of the run");
  const bool packs = std::any_of(report_.faults.begin(), report_.faults.end(),
                                 [](const Fault& f) { return f.kind == FaultKind::Pack; });
  // Each wait is bounded by the client's timeout (30 s): the storages may
  // have a backlog of packs to do first.
  std::error_code ec;
  while (packs && Clock::now() < deadline + 60s) {
    auto last = client_->last_transaction();
    ec = last ? client_->pack(*last, true) : last.error();
    if (ec != errc::timed_out) break;
  }
  if (packs && ec) report_.violations.push_back("the last pack failed: " + ec.message());
}

void Run::stop_clients() {
  for (WriterProcess& w : writers_) w.process->signal(SIGTERM);
  for (WriterProcess& w : writers_)
    if (!w.process->wait_for(60s)) w.process->signal(SIGKILL), w.process->wait_for(5s);
  for (WriterProcess& w : writers_) w.count_acks(Clock::now());
  report_.acked = total_acks(writers_);
}

int Run::run() {
  if (!setup_log("neostress", (data_dir_ / "neostress.log").string())) return kExitSetup;
  std::fprintf(stderr, "neostress: seed %llu, data and logs in %s\n",
               static_cast<unsigned long long>(report_.seed), data_dir_.c_str());
  if (!(o_.attach_masters.empty() ? start_cluster() : attach())) return kExitSetup;
  const int writers = o_.clients * o_.threads;
  auto layout = ensure_layout(
      *client_, {.logs = 2 * writers, .accounts = std::max(4, writers), .writers = writers});
  if (!layout) return failed(kExitSetup, "cannot create the data: " + layout.error().message());
  if (!start_clients()) return kExitSetup;
  signal(SIGINT, on_interrupt);
  signal(SIGTERM, on_interrupt);
  load_loop();
  stop_clients();
  quiesce();
  CheckTarget target{.masters = masters(),
                     .cluster = name_,
                     .admin = admin(),
                     .neoctl = bin_dir_ / "neoctl",
                     .ack_files = {},
                     .at = std::nullopt};
  for (const WriterProcess& w : writers_) target.ack_files.push_back(w.acks);
  report_.check = check_cluster(target);
  client_.reset();
  probe_.reset();
  if (cluster_) cluster_->stop(10s);  // an attached cluster goes on
  std::fputs(format_summary(report_).c_str(), stdout);
  if (!o_.json.empty()) write_json(o_.json, format_json(report_));
  log::shutdown();
  return report_.ok() ? kExitOk : kExitViolation;
}

}  // namespace

int run_stress(const StressOptions& o) {
  fs::path data_dir = o.data_dir.empty() ? make_temp_dir("neostress-") : fs::path(o.data_dir);
  std::error_code ec;
  if (fs::exists(data_dir / "neostress.conf", ec))
    return failed(kExitSetup, data_dir.string() +
                                  " holds a previous run (neostress.conf): check it with "
                                  "`neostress -d " +
                                  data_dir.string() + " check`, or give a new directory");
  if (data_dir.empty() || (fs::create_directories(data_dir, ec), ec))
    return failed(kExitSetup, "cannot create the data directory " + data_dir.string());
  const fs::path bin_dir = o.bin_dir.empty() ? self_path().parent_path() : fs::path(o.bin_dir);
  std::vector<std::string> programs = {"neoctl"};  // to check; attached, the only one
  if (o.attach_masters.empty())
    programs.insert(programs.end(), {"neomaster", "neostorage", "neoadmin"});
  for (const std::string& program : programs)
    if (access((bin_dir / program).c_str(), X_OK) != 0)
      return failed(kExitSetup, program + " not found in " + bin_dir.string() + " (use --bin-dir)");
  // Before any thread: unshare(CLONE_NEWNS) wants a single-threaded process.
  std::vector<fs::path> disks;
  if (o.isolate) {
    std::string error = isolate();
    for (int i = 1; error.empty() && i <= o.storages; ++i) {
      disks.push_back(data_dir / ("disk" + std::to_string(i)));
      error = mount_disk(disks.back(), o.disk_mib << 20);
    }
    if (!error.empty()) return failed(kExitSetup, error);
  }
  const int status = Run(o, data_dir, bin_dir, disks).run();
  for (const fs::path& disk : disks) {
    // The tmpfs ends with the run: after a failure, its databases are kept.
    if (status != kExitOk) fs::copy(disk, disk.string() + ".kept", fs::copy_options::recursive, ec);
    ::umount2(disk.c_str(), MNT_DETACH);
  }
  if (status == kExitOk && o.data_dir.empty() && !o.keep) fs::remove_all(data_dir, ec);
  return status;
}

}  // namespace neo::stress
