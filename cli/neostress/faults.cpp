#include "cli/neostress/faults.hpp"

#include <signal.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <sstream>

#include "cli/neostress/isolation.hpp"
#include "cli/neostress/stress_support.hpp"

namespace neo::stress {
namespace {

constexpr std::pair<FaultKind, std::string_view> kNames[] = {
    {FaultKind::KillStorage, "kill-storage"},
    {FaultKind::KillMaster, "kill-master"},
    {FaultKind::KillAdmin, "kill-admin"},
    {FaultKind::Freeze, "freeze"},
    {FaultKind::Reset, "reset"},
    {FaultKind::Pack, "pack"},
    {FaultKind::LogRotate, "logrotate"},
    {FaultKind::DiskFull, "disk-full"},
    {FaultKind::Delay, "delay"}};

// `ss` (iproute2), found once; "" if absent.
const std::string& ss_program() {
  static const std::string path = find_program("ss");
  return path;
}

// Established TCP connections with an end on `port`: "local peer" pairs.
std::vector<std::pair<std::string, std::string>> connections_of(std::uint16_t port) {
  const std::string p = std::to_string(port);
  auto [status, out] =
      neo::simple::run_capture({ss_program(), "-H", "-t", "-n", "state", "established",
                                "( sport = :" + p + " or dport = :" + p + " )"},
                               std::chrono::seconds(5));
  std::vector<std::pair<std::string, std::string>> list;
  if (status != 0) return list;
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);) {
    std::istringstream fields(line);
    std::string recv_q, send_q, local, peer;
    if (fields >> recv_q >> send_q >> local >> peer) list.emplace_back(local, peer);
  }
  return list;
}

// The master's clock at each storage's identification.
std::map<std::int32_t, std::optional<double>> storage_identifications(const View& view) {
  std::map<std::int32_t, std::optional<double>> stamps;
  for (const auto& node : view.nodes)
    if (node.node_type == protocol::NodeType::Storage && node.nid)
      stamps[node.nid->value] = node.id_timestamp;
  return stamps;
}

std::string port_part(const std::string& address) { return address.substr(address.rfind(':') + 1); }

}  // namespace

std::string_view to_string(FaultKind kind) {
  for (auto [k, name] : kNames)
    if (k == kind) return name;
  return "?";
}

bool needs_isolation(FaultKind kind) {
  return kind == FaultKind::DiskFull || kind == FaultKind::Delay;
}

std::optional<FaultKind> parse_fault_kind(std::string_view name) {
  for (auto [k, n] : kNames)
    if (n == name) return k;
  return std::nullopt;
}

Injector::Injector(StressCluster* cluster, InjectorSettings settings, std::uint64_t seed,
                   Clock::time_point start, std::function<bool()> pack)
    : cluster_(cluster),
      settings_(std::move(settings)),
      rng_(seed),
      start_(start),
      pack_(std::move(pack)) {}

double Injector::since_start(Clock::time_point t) const {
  return std::chrono::duration<double>(t - start_).count();
}

std::vector<NodeId> Injector::impaired() const {
  std::vector<NodeId> list;
  for (const Open& open : open_)
    list.insert(list.end(), open.impaired.begin(), open.impaired.end());
  return list;
}

std::vector<std::string> Injector::safe_storages(const View& view) const {
  std::vector<std::string> labels;
  // The view must show the last storage fault (and its end) to tell.
  if (view.taken < last_storage_fault_ + settings_.settle) return labels;
  const std::vector<NodeId> busy = impaired();
  for (const auto& node : cluster_->layout().storages()) {
    const auto nid = view.nid_of_port(node.port);
    if (nid && std::find(busy.begin(), busy.end(), *nid) == busy.end() && view.can_lose(*nid, busy))
      labels.push_back(node.label);
  }
  return labels;
}

bool Injector::any_open(bool Open::*flag) const {
  return std::any_of(open_.begin(), open_.end(), [flag](const Open& o) { return o.*flag; });
}

bool Injector::possible(FaultKind kind, const View& view) const {
  if (!cluster_) return kind == FaultKind::Pack && pack_;
  const bool spare = cluster_->layout().masters().size() > 1 || settings_.unsafe;
  switch (kind) {
    case FaultKind::KillStorage:
    case FaultKind::Freeze: return !safe_storages(view).empty();
    case FaultKind::DiskFull: return settings_.isolated && !safe_storages(view).empty();
    case FaultKind::Delay: return settings_.isolated && !any_open(&Open::delay);
    case FaultKind::KillMaster:
      return spare && !any_open(&Open::master) && view.primary &&
             view.state == protocol::ClusterState::Running;
    case FaultKind::KillAdmin: return !any_open(&Open::admin);
    case FaultKind::Reset:
      return !ss_program().empty() &&
             (!safe_storages(view).empty() || (view.primary && !any_open(&Open::master)));
    case FaultKind::Pack: return static_cast<bool>(pack_);
    case FaultKind::LogRotate: return true;
  }
  return false;
}

const Fault* Injector::inject(const View& view) {
  std::map<FaultKind, std::uint64_t> done = counts();
  std::vector<FaultKind> order = settings_.kinds;
  std::shuffle(order.begin(), order.end(), rng_);
  std::stable_sort(order.begin(), order.end(),
                   [&](FaultKind a, FaultKind b) { return done[a] < done[b]; });
  for (FaultKind kind : order) {
    if (!possible(kind, view)) continue;
    Fault fault{.number = faults_.size() + 1, .kind = kind, .at = since_start(Clock::now())};
    std::optional<Open> open = cause(kind, view, fault);
    if (!open && fault.detail.empty()) continue;  // nothing to do after all
    faults_.push_back(std::move(fault));
    const Fault& caused = faults_.back();
    SPDLOG_INFO("fault #{}: {} {}: {}", caused.number, to_string(caused.kind), caused.target,
                caused.detail);
    if (open && !open->impaired.empty()) last_storage_fault_ = Clock::now();
    if (open) open->index = faults_.size() - 1, open_.push_back(std::move(*open));
    return &faults_.back();
  }
  return nullptr;
}

std::string Injector::pick(const std::vector<std::string>& list) {
  return list[std::uniform_int_distribution<std::size_t>(0, list.size() - 1)(rng_)];
}

std::chrono::milliseconds Injector::random_duration() {
  return std::chrono::milliseconds(std::uniform_int_distribution<long>(
      settings_.freeze_min.count(), settings_.freeze_max.count())(rng_));
}

std::optional<Injector::Open> Injector::cause(FaultKind kind, const View& view, Fault& fault) {
  switch (kind) {
    case FaultKind::KillStorage: return kill_storage(view, fault);
    case FaultKind::Freeze:
    case FaultKind::DiskFull: return timed_storage_fault(kind, view, fault);
    case FaultKind::Delay: return delay(view, fault);
    case FaultKind::KillMaster: return kill_master(view, fault);
    case FaultKind::KillAdmin: {
      std::string error;
      fault.target = "admin";
      fault.detail = cluster_->restart("admin", error) ? "SIGKILL, restarted" : error;
      return Open{.ended = Clock::now(), .admin = true};
    }
    case FaultKind::Reset: return reset(view, fault);
    case FaultKind::Pack:
      if (pack_()) fault.detail = "pack at the last TID";  // else: not now
      return std::nullopt;
    case FaultKind::LogRotate: rotate_logs(fault); return std::nullopt;
  }
  return std::nullopt;
}

std::optional<Injector::Open> Injector::kill_storage(const View& view, Fault& fault) {
  fault.target = pick(safe_storages(view));
  const NodeId nid = *view.nid_of_port(cluster_->port_of(fault.target));
  const auto before = view.identified_at(nid);
  std::string error;
  fault.detail = cluster_->restart(fault.target, error) ? "SIGKILL, restarted" : error;
  return Open{.ended = Clock::now(), .impaired = {nid}, .effect = [nid, before](const View& v) {
                return v.identified_at(nid) != before;
              }};
}

// SIGSTOP, or the storage's disk filled up, for a while.
std::optional<Injector::Open> Injector::timed_storage_fault(FaultKind kind, const View& view,
                                                            Fault& fault) {
  const std::string label = fault.target = pick(safe_storages(view));
  const std::chrono::milliseconds lasting = random_duration();
  Open open{.until = Clock::now() + lasting,
            .impaired = {*view.nid_of_port(cluster_->port_of(label))}};
  char seconds[32];
  std::snprintf(seconds, sizeof seconds, " for %.1f s", lasting.count() / 1000.0);
  if (kind == FaultKind::Freeze) {
    cluster_->signal(label, SIGSTOP);
    fault.detail = std::string("SIGSTOP") + seconds;
    open.undo = [this, label] { cluster_->signal(label, SIGCONT); };
    return open;
  }
  const auto disk = cluster_->database_of(label).parent_path();
  const std::string error = fill_disk(disk);
  fault.detail = error.empty() ? std::string("disk full") + seconds : error;
  open.may_exit = label;
  // Space back: a storage that stopped on the full disk is started again.
  open.undo = [this, label, disk] {
    free_disk(disk);
    std::string ignored;
    if (!cluster_->running(label)) cluster_->restart(label, ignored);
  };
  return open;
}

// One node's traffic (what goes to or from its port) slowed down: a master,
// the admin, or a storage the cluster can do without (then impaired).
std::optional<Injector::Open> Injector::delay(const View& view, Fault& fault) {
  const std::vector<std::string> storages = safe_storages(view);
  std::vector<std::string> targets = storages;
  for (const auto& master : cluster_->layout().masters()) targets.push_back(master.label);
  targets.push_back("admin");
  fault.target = pick(targets);
  const std::uint16_t port = cluster_->port_of(fault.target);
  const std::chrono::milliseconds lasting = random_duration();
  const std::string error = slow_port(port, settings_.delay_kbit);
  char text[96];
  std::snprintf(text, sizeof text, "port %u at %llu kbit/s, 10-packet queue, for %.1f s", port,
                static_cast<unsigned long long>(settings_.delay_kbit), lasting.count() / 1000.0);
  fault.detail = error.empty() ? text : error;
  Open open{.until = Clock::now() + lasting, .undo = [] { restore_network(); }, .delay = true};
  if (std::find(storages.begin(), storages.end(), fault.target) != storages.end())
    open.impaired = {*view.nid_of_port(port)};
  return open;
}

std::optional<Injector::Open> Injector::kill_master(const View& view, Fault& fault) {
  const auto port = view.port_of(*view.primary);
  const auto label = port ? cluster_->label_of_port(*port) : std::nullopt;
  if (!label) return std::nullopt;
  fault.target = *label;
  std::string error;
  fault.detail = cluster_->restart(*label, error) ? "primary SIGKILL, restarted" : error;
  return Open{.ended = Clock::now(),
              .master = true,
              // Every storage identifies again with the new primary (which
              // may be the killed master, back and elected again).
              .effect = [before = storage_identifications(view)](const View& v) {
                return storage_identifications(v) != before;
              }};
}

// One live connection of a safe storage or of the primary master, reset.
std::optional<Injector::Open> Injector::reset(const View& view, Fault& fault) {
  std::vector<std::string> targets = safe_storages(view);
  if (view.primary && !any_open(&Open::master))
    if (auto port = view.port_of(*view.primary))
      if (auto label = cluster_->label_of_port(*port)) targets.push_back(*label);
  if (targets.empty()) return std::nullopt;
  fault.target = pick(targets);
  const auto links = connections_of(cluster_->port_of(fault.target));
  if (links.empty()) return std::nullopt;
  const auto& [local, peer] =
      links[std::uniform_int_distribution<std::size_t>(0, links.size() - 1)(rng_)];
  auto [status, killed] = neo::simple::run_capture(
      {ss_program(), "-K", "-H", "-t", "-n",
       "( sport = :" + port_part(local) + " and dport = :" + port_part(peer) + " )"},
      std::chrono::seconds(5));
  if (status != 0 || killed.empty()) return std::nullopt;  // gone, or not allowed (root)
  fault.detail = "TCP reset " + local + " -> " + peer;
  Open open{.ended = Clock::now()};
  if (fault.target.starts_with("storage"))
    open.impaired.push_back(*view.nid_of_port(cluster_->port_of(fault.target)));
  else
    open.master = true;
  return open;
}

void Injector::rotate_logs(Fault& fault) {
  const std::string suffix = "." + std::to_string(++rotations_);
  for (const std::string& label : cluster_->labels()) {
    // A node just started may not handle the signal yet (NEO/py's take
    // a while): its log is new anyway.
    if (cluster_->age(label) < std::chrono::seconds(3)) continue;
    const auto log = cluster_->log_of(label);
    std::error_code ec;
    std::filesystem::rename(log, log.string() + suffix, ec);
    if (!ec) cluster_->signal(label, SIGRTMIN + 1);
    if (rotations_ > 2)  // as logrotate's "rotate 2"
      std::filesystem::remove(log.string() + "." + std::to_string(rotations_ - 2), ec);
  }
  fault.detail = "logs renamed to *" + suffix + ", SIGRTMIN+1 (2 kept)";
}

void Injector::follow(const std::optional<View>& view) {
  const auto now = Clock::now();
  for (Open& open : open_)
    if (open.until && now >= *open.until) {
      if (open.undo) open.undo();
      open.until.reset(), open.ended = Clock::now();
      if (!open.impaired.empty()) last_storage_fault_ = open.ended;
    }
  std::erase_if(open_, [&](Open& open) {
    Fault& fault = faults_[open.index];
    const bool fresh = view && view->taken > open.ended;
    if (fresh && open.effect && !open.seen) open.seen = open.effect(*view);
    // The admin's view lags behind the master by a few milliseconds: a
    // healthy view right after the fault may not show it yet.
    const bool settled = fresh && view->taken > open.ended + settings_.settle;
    if (!open.until && settled && (!open.effect || open.seen) &&
        view->healthy(settings_.storages)) {
      fault.recovery = since_start(view->taken) - fault.at;
      SPDLOG_INFO("fault #{}: healthy again after {:.3f} s", fault.number, *fault.recovery);
      return true;
    }
    if (!open.until && now - open.ended > settings_.max_recovery && !fault.violation) {
      fault.violation = true;
      SPDLOG_ERROR("fault #{}: not healthy again after {} s ({})", fault.number,
                   settings_.max_recovery.count() / 1000,
                   view ? view->summary() : "admin not answering");
    }
    return false;
  });
}

void Injector::end_timed() {
  for (Open& open : open_) open.until = Clock::now();
  follow(std::nullopt);
}

Injector::Exit Injector::exit_expected(const std::string& label) const {
  for (const Open& o : open_)  // one fault at a time per storage
    if (o.may_exit == label) return o.until ? Exit::Wait : Exit::Restart;
  return Exit::No;
}

std::map<FaultKind, std::uint64_t> Injector::counts() const {
  std::map<FaultKind, std::uint64_t> counts;
  for (FaultKind kind : settings_.kinds) counts[kind] = 0;
  for (const Fault& fault : faults_) ++counts[fault.kind];
  return counts;
}

std::uint64_t Injector::violations() const {
  return std::count_if(faults_.begin(), faults_.end(), [](const Fault& f) { return f.violation; });
}

std::vector<std::string> Injector::log_tail(std::size_t lines) const {
  std::vector<std::string> tail;
  const std::size_t from = faults_.size() > lines ? faults_.size() - lines : 0;
  for (std::size_t i = from; i < faults_.size(); ++i) {
    const Fault& f = faults_[i];
    char text[256];
    std::snprintf(text, sizeof text, "%6.1fs #%-4llu %-12s %-9s %s%s", f.at,
                  static_cast<unsigned long long>(f.number), std::string(to_string(f.kind)).c_str(),
                  f.target.c_str(), f.detail.c_str(),
                  f.recovery
                      ? (" (back in " + std::to_string(*f.recovery).substr(0, 5) + " s)").c_str()
                      : "");
    tail.push_back(text);
  }
  return tail;
}

}  // namespace neo::stress
