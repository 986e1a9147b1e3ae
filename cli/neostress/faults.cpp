#include "cli/neostress/faults.hpp"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <sstream>

namespace neo::stress {
namespace {

constexpr std::pair<FaultKind, std::string_view> kNames[] = {
    {FaultKind::KillStorage, "kill-storage"},
    {FaultKind::KillMaster, "kill-master"},
    {FaultKind::KillAdmin, "kill-admin"},
    {FaultKind::Freeze, "freeze"},
    {FaultKind::Reset, "reset"},
    {FaultKind::Pack, "pack"},
    {FaultKind::LogRotate, "logrotate"}};

// `ss` (iproute2), found on $PATH once; "" if absent.
const std::string& ss_program() {
  static const std::string path = [] {
    const char* env = std::getenv("PATH");
    std::istringstream dirs(env ? env : "/usr/sbin:/usr/bin:/sbin:/bin");
    for (std::string dir; std::getline(dirs, dir, ':');)
      if (!dir.empty() && ::access((dir + "/ss").c_str(), X_OK) == 0) return dir + "/ss";
    return std::string();
  }();
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

std::string port_part(const std::string& address) { return address.substr(address.rfind(':') + 1); }

}  // namespace

std::string_view to_string(FaultKind kind) {
  for (auto [k, name] : kNames)
    if (k == kind) return name;
  return "?";
}

std::optional<FaultKind> parse_fault_kind(std::string_view name) {
  for (auto [k, n] : kNames)
    if (n == name) return k;
  return std::nullopt;
}

Injector::Injector(StressCluster& cluster, InjectorSettings settings, std::uint64_t seed,
                   Clock::time_point start, std::function<void()> pack)
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
  const std::vector<NodeId> busy = impaired();
  for (const auto& node : cluster_.layout().storages()) {
    const auto nid = view.nid_of_port(node.port);
    if (nid && std::find(busy.begin(), busy.end(), *nid) == busy.end() && view.can_lose(*nid, busy))
      labels.push_back(node.label);
  }
  return labels;
}

bool Injector::possible(FaultKind kind, const View& view) const {
  const bool master_busy =
      std::any_of(open_.begin(), open_.end(), [](auto& o) { return o.master; });
  const bool spare = cluster_.layout().masters().size() > 1 || settings_.unsafe;
  switch (kind) {
    case FaultKind::KillStorage:
    case FaultKind::Freeze: return !safe_storages(view).empty();
    case FaultKind::KillMaster:
      return spare && !master_busy && view.primary && view.state == protocol::ClusterState::Running;
    case FaultKind::KillAdmin:
      return std::none_of(open_.begin(), open_.end(), [](auto& o) { return o.admin; });
    case FaultKind::Reset:
      return !ss_program().empty() &&
             (!safe_storages(view).empty() || (view.primary && !master_busy));
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
    if (open) open->index = faults_.size() - 1, open_.push_back(std::move(*open));
    return &faults_.back();
  }
  return nullptr;
}

std::optional<Injector::Open> Injector::cause(FaultKind kind, const View& view, Fault& fault) {
  auto pick = [&](const std::vector<std::string>& list) {
    return list[std::uniform_int_distribution<std::size_t>(0, list.size() - 1)(rng_)];
  };
  Open open{.index = 0, .ended = Clock::now()};
  std::string error;
  switch (kind) {
    case FaultKind::KillStorage:
    case FaultKind::Freeze: {
      fault.target = pick(safe_storages(view));
      open.impaired.push_back(*view.nid_of_port(cluster_.port_of(fault.target)));
      if (kind == FaultKind::KillStorage) {
        const NodeId nid = open.impaired.back();
        const auto before = view.identified_at(nid);
        fault.detail = cluster_.restart(fault.target, error) ? "SIGKILL, restarted" : error;
        open.ended = Clock::now();
        open.effect = [nid, before](const View& v) { return v.identified_at(nid) != before; };
        return open;
      }
      std::uniform_int_distribution<long> ms(settings_.freeze_min.count(),
                                             settings_.freeze_max.count());
      const std::chrono::milliseconds frozen(ms(rng_));
      cluster_.signal(fault.target, SIGSTOP);
      open.thaw = open.ended = Clock::now() + frozen;
      char text[64];
      std::snprintf(text, sizeof text, "SIGSTOP for %.1f s", frozen.count() / 1000.0);
      fault.detail = text;
      return open;
    }
    case FaultKind::KillMaster: {
      const auto port = view.port_of(*view.primary);
      const auto label = port ? cluster_.label_of_port(*port) : std::nullopt;
      if (!label) return std::nullopt;
      fault.target = *label;
      fault.detail = cluster_.restart(*label, error) ? "primary SIGKILL, restarted" : error;
      open.master = true, open.ended = Clock::now();
      open.effect = [old = *view.primary,
                     before = view.identified_at(*view.primary)](const View& v) {
        return v.primary != old || v.identified_at(old) != before;
      };
      return open;
    }
    case FaultKind::KillAdmin:
      fault.target = "admin";
      fault.detail = cluster_.restart("admin", error) ? "SIGKILL, restarted" : error;
      open.admin = true, open.ended = Clock::now();
      return open;
    case FaultKind::Reset: {
      std::vector<std::string> targets = safe_storages(view);
      const bool master_free =
          std::none_of(open_.begin(), open_.end(), [](auto& o) { return o.master; });
      if (view.primary && master_free)
        if (auto port = view.port_of(*view.primary))
          if (auto label = cluster_.label_of_port(*port)) targets.push_back(*label);
      if (targets.empty()) return std::nullopt;
      fault.target = pick(targets);
      const auto links = connections_of(cluster_.port_of(fault.target));
      if (links.empty()) return std::nullopt;
      const auto& [local, peer] =
          links[std::uniform_int_distribution<std::size_t>(0, links.size() - 1)(rng_)];
      auto [status, killed] = neo::simple::run_capture(
          {ss_program(), "-K", "-H", "-t", "-n",
           "( sport = :" + port_part(local) + " and dport = :" + port_part(peer) + " )"},
          std::chrono::seconds(5));
      if (status != 0 || killed.empty()) return std::nullopt;  // gone, or not allowed (root)
      fault.detail = "TCP reset " + local + " -> " + peer;
      if (fault.target.starts_with("storage"))
        open.impaired.push_back(*view.nid_of_port(cluster_.port_of(fault.target)));
      else
        open.master = true;
      open.ended = Clock::now();
      return open;
    }
    case FaultKind::Pack:
      pack_();
      fault.detail = "pack at the last TID";
      return std::nullopt;
    case FaultKind::LogRotate: {
      const std::string suffix = "." + std::to_string(++rotations_);
      for (const std::string& label : cluster_.labels()) {
        const auto log = cluster_.log_of(label);
        std::error_code ec;
        std::filesystem::rename(log, log.string() + suffix, ec);
        if (!ec) cluster_.signal(label, SIGRTMIN + 1);
      }
      fault.detail = "logs renamed to *" + suffix + ", SIGRTMIN+1";
      return std::nullopt;
    }
  }
  return std::nullopt;
}

void Injector::follow(const std::optional<View>& view) {
  const auto now = Clock::now();
  for (Open& open : open_)
    if (open.thaw && now >= *open.thaw) {
      cluster_.signal(faults_[open.index].target, SIGCONT);
      open.thaw.reset();
    }
  std::erase_if(open_, [&](Open& open) {
    Fault& fault = faults_[open.index];
    const bool fresh = view && view->taken > open.ended;
    if (fresh && open.effect && !open.seen) open.seen = open.effect(*view);
    if (!open.thaw && fresh && (!open.effect || open.seen) &&
        view->healthy(cluster_.layout().storages().size())) {
      fault.recovery = since_start(view->taken) - fault.at;
      return true;
    }
    if (now - open.ended > settings_.max_recovery && !fault.violation) fault.violation = true;
    return false;
  });
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
