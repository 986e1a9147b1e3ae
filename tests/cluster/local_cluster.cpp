#include "tests/cluster/local_cluster.hpp"

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <sstream>
#include <tuple>

namespace neo::test {
namespace {

std::string env_or(const char* name, const std::string& fallback) {
  const char* value = std::getenv(name);
  return value && *value ? value : fallback;
}

std::string address(std::uint16_t port) { return "127.0.0.1:" + std::to_string(port); }

}  // namespace

std::size_t count_lines_with(const std::string& text, const std::string& needle) {
  std::istringstream in(text);
  std::size_t count = 0;
  for (std::string line; std::getline(in, line);) count += line.find(needle) != std::string::npos;
  return count;
}

std::string LocalCluster::program(const std::string& name) {
  return env_or("NEO_BIN_DIR", "build/bin") + "/" + name;
}

bool LocalCluster::daemons_built() {
  for (const char* name : {"neomaster", "neostorage", "neoadmin", "neoctl"})
    if (!std::filesystem::exists(program(name))) {
      std::cerr << program(name) << " is missing: build the daemons and neoctl first\n";
      return false;
    }
  return true;
}

LocalCluster::LocalCluster(Options options)
    : options_(std::move(options)),
      dir_(make_temp_dir("neo-cluster")),
      master_port_(free_port()),
      admin_port_(free_port()) {
  for (int i = 0; i < options_.storages; ++i) storage_ports_.push_back(free_port());
  storages_.resize(storage_ports_.size());
}

LocalCluster::~LocalCluster() {
  if (admin_) admin_->stop();
  for (auto& storage : storages_)
    if (storage) storage->stop();
  if (master_) master_->stop();
  if (env_or("NEO_CLUSTER_KEEP", "").empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
}

std::string LocalCluster::master_address() const { return address(master_port_); }
std::string LocalCluster::admin_address() const { return address(admin_port_); }
std::string LocalCluster::storage_address(std::size_t index) const {
  return address(storage_ports_.at(index));
}
std::filesystem::path LocalCluster::database(std::size_t index) const {
  return dir_ / ("db" + std::to_string(index) + ".sqlite");
}

std::vector<std::string> LocalCluster::common_args(const std::string& node) const {
  return {program("neo" + node.substr(0, node.find_first_of("0123456789"))),
          "-l",
          (dir_ / (node + ".log")).string(),
          "-c",
          options_.name,
          "-m",
          master_address()};
}

void LocalCluster::start() {
  start_master();
  for (std::size_t i = 0; i < storages_.size(); ++i) start_storage(i);
  if (options_.admin) start_admin();
}

void LocalCluster::start_master() {
  std::vector<std::string> args = common_args("master");
  const int autostart = options_.autostart ? options_.autostart : options_.storages;
  for (const std::string& arg :
       {std::string("-b"), master_address(), std::string("-p"), std::to_string(options_.partitions),
        std::string("-r"), std::to_string(options_.replicas), std::string("-A"),
        std::to_string(autostart)})
    args.push_back(arg);
  args.insert(args.end(), options_.master_args.begin(), options_.master_args.end());
  master_ = std::make_unique<ChildProcess>(args, dir_ / "master.out");
}

// The storage's -d: the path, or with NEO_CLUSTER_DB_PRAGMAS (for benchmarks,
// e.g. "synchronous=OFF") the SQLite URI carrying them.
std::string LocalCluster::database_argument(std::size_t index) const {
  const std::string pragmas = env_or("NEO_CLUSTER_DB_PRAGMAS", "");
  return pragmas.empty() ? database(index).string()
                         : "file:" + database(index).string() + "?" + pragmas;
}

void LocalCluster::start_storage(std::size_t index) {
  const std::string node = "storage" + std::to_string(index);
  std::vector<std::string> args = common_args(node);
  const bool importer = index == 0 && !importer_conf_.empty();
  std::string adapter = importer ? "Importer" : "SQLite";
  std::string database = importer ? importer_conf_ : database_argument(index);
  if (auto it = databases_.find(index); it != databases_.end() && !importer)
    std::tie(adapter, database) = it->second;
  for (const std::string& arg : {std::string("-b"), storage_address(index), std::string("-a"),
                                 adapter, std::string("-d"), database})
    args.push_back(arg);
  storages_.at(index) = std::make_unique<ChildProcess>(args, dir_ / (node + ".out"));
}

void LocalCluster::start_admin() {
  std::vector<std::string> args = common_args("admin");
  args.push_back("-b");
  args.push_back(admin_address());
  admin_ = std::make_unique<ChildProcess>(args, dir_ / "admin.out");
}

RunResult LocalCluster::neoctl(const std::vector<std::string>& args) const {
  std::vector<std::string> argv = {program("neoctl"), "-a", admin_address()};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_program(argv);
}

bool LocalCluster::wait_cluster_state(const std::string& state,
                                      std::chrono::milliseconds timeout) const {
  return wait_for(
      [&] {
        return neoctl({"print", "cluster"}).out == state + "\n";
      },
      timeout, std::chrono::milliseconds(50));
}

bool LocalCluster::wait_nodes(const std::string& text, std::size_t lines,
                              std::chrono::milliseconds timeout) const {
  return wait_for(
      [&] {
        return count_lines_with(neoctl({"print", "node"}).out, text) == lines;
      },
      timeout, std::chrono::milliseconds(50));
}

std::string LocalCluster::diagnostics() const {
  std::ostringstream out;
  out << "cluster directory: " << dir_.string() << '\n';
  auto show = [&](const char* name, const std::unique_ptr<ChildProcess>& process) {
    if (process) out << "--- " << name << " output:\n" << process->output_tail(3000);
  };
  show("master", master_);
  for (std::size_t i = 0; i < storages_.size(); ++i)
    show(("storage" + std::to_string(i)).c_str(), storages_[i]);
  show("admin", admin_);
  const RunResult log = run_program({program("neolog"), (dir_ / "master.log").string()});
  const std::size_t size = log.out.size();
  out << "--- master log (tail):\n" << (size > 6000 ? log.out.substr(size - 6000) : log.out);
  return out.str();
}

}  // namespace neo::test
