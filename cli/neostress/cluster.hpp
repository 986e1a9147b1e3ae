// cli/neostress/cluster.hpp
// The cluster under stress when neostress starts it: the daemons of
// neosimple's Layout (NEO/py's options, so --bin-dir may hold wrappers
// running NEO/py's daemons), each a child Process that neostress kills,
// freezes and restarts. Use from the main thread only (children die with
// the thread that forked them).
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/neosimple/layout.hpp"
#include "cli/neosimple/process.hpp"

namespace neo::stress {

struct ClusterPlan {
  std::string name = "neostress";
  int masters = 1, storages = 4, partitions = 12, replicas = 1;
  bool ipv6 = false;
  std::filesystem::path data_dir, bin_dir;
  // Storage i's database in disks[i]/ instead of the data dir (--isolate).
  std::vector<std::filesystem::path> disks{};
};

// <data dir>/neostress.conf: the plan of the cluster a run started, so that
// `neostress -d DIR check` starts the same cluster again.
void save_plan(const ClusterPlan& plan);
// nullopt if the directory has no (valid) neostress.conf.
std::optional<ClusterPlan> load_plan(const std::filesystem::path& data_dir);

class StressCluster {
 public:
  explicit StressCluster(const ClusterPlan& plan);
  ~StressCluster();  // kills what still runs

  // Starts every daemon; false with `error` if one could not be started.
  bool start(std::string& error);
  const neo::simple::Layout& layout() const { return layout_; }
  std::string admin_address() const { return layout_.address(layout_.admin()); }
  std::vector<std::string> master_addresses() const;
  const std::string& name() const { return layout_.name(); }

  // Labels: "master", "master2", "storage1", "admin".
  std::vector<std::string> labels() const;
  // The label of the node listening on `port`, if it is ours.
  std::optional<std::string> label_of_port(std::uint16_t port) const;
  std::uint16_t port_of(const std::string& label) const;
  std::filesystem::path log_of(const std::string& label) const;
  std::filesystem::path database_of(const std::string& label) const;

  // SIGKILL, wait, then start again with the same command line.
  bool restart(const std::string& label, std::string& error);
  void signal(const std::string& label, int signo);
  bool running(const std::string& label);
  // How long ago `label` was (re)started.
  std::chrono::steady_clock::duration age(const std::string& label) const;
  // A node that exited on its own (not killed by us), with its status;
  // nodes for which `ignore` is true are not looked at.
  std::optional<std::string> exited(std::string& how,
                                    const std::function<bool(const std::string&)>& ignore = {});
  // Stops every node (SIGTERM, then SIGKILL after `grace`).
  void stop(std::chrono::milliseconds grace);

 private:
  const neo::simple::NodePlan& plan_of(const std::string& label) const;
  std::vector<std::string> command(const neo::simple::NodePlan& node) const;

  ClusterPlan plan_;
  neo::simple::Layout layout_;
  std::map<std::string, std::unique_ptr<neo::simple::Process>> processes_;
  std::map<std::string, std::chrono::steady_clock::time_point> started_;
};

}  // namespace neo::stress
