// cli/neostress/faults.hpp
// The faults neostress causes and their record. The Injector picks the
// next fault (the kind done least so far that is safe now, then a random
// target), causes it on the StressCluster, and follows it until the cluster
// is healthy again (View::healthy on a view taken after the fault ended):
// that delay is the fault's recovery time. A fault is safe when the cluster
// can stay operational through it: a storage is killed, frozen or cut only
// if every partition keeps a readable cell elsewhere; a master only with a
// spare; one fault at a time per master and admin. Timed faults (freeze,
// disk-full, delay) end by themselves (SIGCONT, space back, normal traffic).
// Used from the main thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "cli/neostress/cluster.hpp"
#include "cli/neostress/probe.hpp"

namespace neo::stress {

enum class FaultKind {
  KillStorage,
  KillMaster,
  KillAdmin,
  Freeze,
  Reset,
  Pack,
  LogRotate,
  DiskFull,
  Delay
};
inline constexpr FaultKind kAllFaults[] = {
    FaultKind::KillStorage, FaultKind::KillMaster, FaultKind::KillAdmin,
    FaultKind::Freeze,      FaultKind::Reset,      FaultKind::Pack,
    FaultKind::LogRotate,   FaultKind::DiskFull,   FaultKind::Delay};
// "kill-storage", "kill-master", "kill-admin", "freeze", "reset", "pack",
// "logrotate", "disk-full", "delay".
std::string_view to_string(FaultKind kind);
// Kinds that need `--isolate` (private namespaces).
bool needs_isolation(FaultKind kind);
std::optional<FaultKind> parse_fault_kind(std::string_view name);

using Clock = std::chrono::steady_clock;

struct Fault {
  std::uint64_t number = 0;
  FaultKind kind{};
  std::string target{};  // node label ("storage2"), or "" for the cluster
  std::string detail{};  // "SIGSTOP for 1.4 s", "TCP reset 127.0.0.1:40212 -> 127.0.0.1:20001"
  double at = 0;         // seconds since the run started
  std::optional<double> recovery{};  // seconds until healthy again
  bool violation = false;            // not healthy within the bound
};

struct InjectorSettings {
  std::vector<FaultKind> kinds;
  std::chrono::milliseconds max_recovery{60000};
  // A fault is over at the first healthy view taken this long after it.
  std::chrono::milliseconds settle{200};
  std::chrono::milliseconds freeze_min{500}, freeze_max{3000};  // also disk-full, delay
  bool unsafe = false;    // also faults that can stop the cluster
  bool isolated = false;  // --isolate: disks on tmpfs, private loopback
  std::uint64_t delay_kbit = 2000;
  std::size_t storages = 0;  // RUNNING in a healthy cluster
};

class Injector {
 public:
  // `pack` packs the cluster (on a thread of the caller's), false if a
  // pack is still in progress; may be empty. Without `cluster` (a cluster
  // neostress attached to), only pack faults are caused.
  Injector(StressCluster* cluster, InjectorSettings settings, std::uint64_t seed,
           Clock::time_point start, std::function<bool()> pack);

  // Causes the next fault if one is safe now (`view` fresh); returns it.
  const Fault* inject(const View& view);
  // Follows the open faults: ends timed ones, closes recovered ones.
  void follow(const std::optional<View>& view);
  // Ends every timed fault now.
  void end_timed();
  // Whether node `label` may exit because of a fault (its disk full): No;
  // Wait (the disk is still full: started again when space is back);
  // Restart (space is back but the fault not over: start it again now).
  enum class Exit { No, Wait, Restart };
  Exit exit_expected(const std::string& label) const;
  bool idle() const { return open_.empty(); }
  const std::vector<Fault>& faults() const { return faults_; }
  std::map<FaultKind, std::uint64_t> counts() const;
  // Last lines for the screen.
  std::vector<std::string> log_tail(std::size_t lines) const;
  // Faults not recovered within the bound (also set on the Fault).
  std::uint64_t violations() const;

 private:
  struct Open {
    std::size_t index = 0;                     // in faults_
    Clock::time_point ended{};                 // the fault's end (restart, undo)
    std::optional<Clock::time_point> until{};  // a timed fault lasts until then...
    std::function<void()> undo{};              // ...and ends with this
    std::vector<NodeId> impaired{};            // storages it affects
    bool master = false, admin = false, delay = false;
    std::string may_exit{};  // a node that may exit meanwhile
    // What a view shows once the fault took effect (a node identified
    // again, another primary): views that do not show it yet are old news.
    std::function<bool(const View&)> effect{};
    bool seen = false;
  };
  bool possible(FaultKind kind, const View& view) const;
  std::optional<Open> cause(FaultKind kind, const View& view, Fault& fault);
  std::optional<Open> kill_storage(const View& view, Fault& fault);
  std::optional<Open> timed_storage_fault(FaultKind kind, const View& view, Fault& fault);
  std::optional<Open> delay(const View& view, Fault& fault);
  std::optional<Open> kill_master(const View& view, Fault& fault);
  std::optional<Open> reset(const View& view, Fault& fault);
  void rotate_logs(Fault& fault);
  std::chrono::milliseconds random_duration();
  std::string pick(const std::vector<std::string>& list);
  bool any_open(bool Open::*flag) const;
  std::vector<NodeId> impaired() const;
  std::vector<std::string> safe_storages(const View& view) const;
  double since_start(Clock::time_point t) const;

  StressCluster* cluster_;  // null when attached: pack faults only
  InjectorSettings settings_;
  std::mt19937_64 rng_;
  Clock::time_point start_;
  std::function<bool()> pack_;
  std::vector<Fault> faults_;
  std::vector<Open> open_;
  std::uint64_t rotations_ = 0;
  Clock::time_point last_storage_fault_{};  // start or end of the last one
};

}  // namespace neo::stress
