#include "cli/neostress/cluster.hpp"

#include <signal.h>

#include <fstream>
#include <random>

namespace neo::stress {
namespace {

using neo::simple::Layout;
using neo::simple::NodePlan;
using neo::simple::Process;

Layout make_layout(const ClusterPlan& plan) {
  neo::simple::SimpleOptions options;
  options.storages = plan.storages;
  options.data_dir = plan.data_dir.string();
  options.name = plan.name;
  options.partitions = plan.partitions;
  options.replicas = plan.replicas;
  options.master_count = plan.masters;
  options.bind_ip = plan.ipv6 ? "::1" : "127.0.0.1";
  for (std::size_t i = 0; i < plan.disks.size(); ++i)
    options.dbs.push_back(
        (plan.disks[i] / ("storage" + std::to_string(i + 1) + ".sqlite")).string());
  std::mt19937_64 rng(0);
  Layout layout(options, {}, rng);
  layout.assign_ports([&] { return neo::simple::free_port(layout.bind_ip()); });
  return layout;
}

std::filesystem::path plan_file(const std::filesystem::path& dir) { return dir / "neostress.conf"; }

}  // namespace

void save_plan(const ClusterPlan& plan) {
  const neo::simple::Settings settings = {{"name", plan.name},
                                          {"masters", std::to_string(plan.masters)},
                                          {"storages", std::to_string(plan.storages)},
                                          {"partitions", std::to_string(plan.partitions)},
                                          {"replicas", std::to_string(plan.replicas)},
                                          {"ipv6", plan.ipv6 ? "1" : "0"}};
  std::ofstream out(plan_file(plan.data_dir));
  out << "# neostress: the cluster of this directory (`neostress -d DIR check` starts it again)\n";
  for (const auto& [key, value] : settings) out << key << " = " << value << "\n";
}

std::optional<ClusterPlan> load_plan(const std::filesystem::path& data_dir) {
  std::ifstream in(plan_file(data_dir));
  if (!in) return std::nullopt;
  const neo::simple::Settings settings = neo::simple::parse_settings(
      {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()});
  ClusterPlan plan;
  plan.data_dir = data_dir;
  try {
    plan.name = settings.at("name");
    plan.masters = std::stoi(settings.at("masters"));
    plan.storages = std::stoi(settings.at("storages"));
    plan.partitions = std::stoi(settings.at("partitions"));
    plan.replicas = std::stoi(settings.at("replicas"));
    plan.ipv6 = settings.at("ipv6") == "1";
  } catch (const std::exception&) {
    return std::nullopt;
  }
  return plan;
}

StressCluster::StressCluster(const ClusterPlan& plan) : plan_(plan), layout_(make_layout(plan)) {}

StressCluster::~StressCluster() { stop(std::chrono::milliseconds(0)); }

std::vector<std::string> StressCluster::labels() const {
  std::vector<std::string> labels;
  for (const NodePlan* node : layout_.all()) labels.push_back(node->label);
  return labels;
}

std::vector<std::string> StressCluster::master_addresses() const {
  std::vector<std::string> list;
  for (const NodePlan& master : layout_.masters()) list.push_back(layout_.address(master));
  return list;
}

const NodePlan& StressCluster::plan_of(const std::string& label) const {
  for (const NodePlan* node : layout_.all())
    if (node->label == label) return *node;
  throw std::out_of_range("no node " + label);
}

std::optional<std::string> StressCluster::label_of_port(std::uint16_t port) const {
  for (const NodePlan* node : layout_.all())
    if (node->port == port) return node->label;
  return std::nullopt;
}

std::uint16_t StressCluster::port_of(const std::string& label) const { return plan_of(label).port; }

std::filesystem::path StressCluster::log_of(const std::string& label) const {
  return plan_of(label).log;
}

std::filesystem::path StressCluster::database_of(const std::string& label) const {
  return plan_of(label).database;
}

std::vector<std::string> StressCluster::command(const NodePlan& node) const {
  return layout_.command(node, plan_.bin_dir, true);
}

bool StressCluster::start(std::string& error) {
  std::filesystem::create_directories(plan_.data_dir);
  for (const NodePlan* node : layout_.all()) {
    auto process = std::make_unique<Process>(node->label, command(*node), node->output);
    {
      std::ofstream out(node->output, std::ios::app);
      out << "--- neostress: " << neo::simple::shell_join(process->argv()) << "\n";
    }
    if (!process->start(error)) return error = node->label + ": " + error, false;
    processes_[node->label] = std::move(process);
    started_[node->label] = std::chrono::steady_clock::now();
  }
  return true;
}

bool StressCluster::restart(const std::string& label, std::string& error) {
  auto& process = processes_.at(label);
  process->signal(SIGCONT);  // a frozen node dies as well
  process->signal(SIGKILL);
  process->wait_for(std::chrono::seconds(10));
  process = std::make_unique<Process>(label, process->argv(), process->output());
  if (!process->start(error)) return error = label + ": " + error, false;
  started_[label] = std::chrono::steady_clock::now();
  return true;
}

std::chrono::steady_clock::duration StressCluster::age(const std::string& label) const {
  return std::chrono::steady_clock::now() - started_.at(label);
}

void StressCluster::signal(const std::string& label, int signo) {
  processes_.at(label)->signal(signo);
}

bool StressCluster::running(const std::string& label) { return processes_.at(label)->running(); }

std::optional<std::string> StressCluster::exited(
    std::string& how, const std::function<bool(const std::string&)>& ignore) {
  for (auto& [label, process] : processes_) {
    if ((ignore && ignore(label)) || process->running()) continue;
    how = process->describe_status() + "; last lines of " + process->output().string() + ":\n" +
          neo::simple::tail_lines(process->output(), 20);
    return label;
  }
  return std::nullopt;
}

void StressCluster::stop(std::chrono::milliseconds grace) {
  for (auto& [label, process] : processes_) {
    process->signal(SIGCONT);
    process->signal(SIGTERM);
  }
  for (auto& [label, process] : processes_) process->wait_for(grace);
  processes_.clear();  // ~Process kills what still runs
}

}  // namespace neo::stress
