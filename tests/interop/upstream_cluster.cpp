#include "tests/interop/upstream_cluster.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "tests/support/child_process.hpp"

extern char** environ;

namespace neo::interop {
namespace {

std::string tail_of(const std::filesystem::path& path, std::size_t bytes) {
  std::ifstream in(path, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return text.size() > bytes ? "..." + text.substr(text.size() - bytes) : text;
}

std::vector<std::string> tls_args(const std::optional<net::TlsFiles>& tls) {
  if (!tls) return {};
  return {"--ca", tls->ca, "--cert", tls->cert, "--key", tls->key};
}

}  // namespace

std::uint16_t free_port() { return test::free_port(); }

UpstreamCluster::UpstreamCluster(const Options& options) : options_(options) {
  const std::string pythonpath = peer_pythonpath();
  neoppod_ = pythonpath.substr(0, pythonpath.find(':'));
  python_ = peer_python();
  std::string pattern = (std::filesystem::temp_directory_path() / "neo-interop-XXXXXX").string();
  if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
  dir_ = pattern;
  std::fprintf(stderr, "upstream cluster in %s\n", dir_.c_str());
  master_ = net::Address{"127.0.0.1", free_port()};
  const std::string masters = net::to_string(master_);

  std::vector<std::string> args = {"-l", (dir_ / "master.log").string(),
                                   "-c", options_.name,
                                   "-b", masters,
                                   "-m", masters,
                                   "-p", std::to_string(options_.partitions),
                                   "-r", std::to_string(options_.replicas)};
  if (options_.autostart > 0) {
    args.push_back("-A");
    args.push_back(std::to_string(options_.autostart));
  }
  for (std::string& arg : tls_args(options_.master_tls)) args.push_back(std::move(arg));
  args.insert(args.end(), options_.master_args.begin(), options_.master_args.end());
  spawn("master", "neomaster", args);

  for (int i = 0; i < options_.storages; ++i) add_storage();
  if (options_.admin) {
    admin_ = net::Address{"127.0.0.1", free_port()};
    args = {"-l", (dir_ / "admin.log").string(), "-c", options_.name,
            "-b", net::to_string(admin_),        "-m", masters};
    for (std::string& arg : tls_args(options_.admin_tls)) args.push_back(std::move(arg));
    spawn("admin", options_.admin_binary.empty() ? "neoadmin" : options_.admin_binary, args);
  }
}

std::vector<pid_t> UpstreamCluster::server_pids() const {
  std::vector<pid_t> pids;
  for (const Process& process : processes_)
    if (process.name != "admin") pids.push_back(process.pid);
  return pids;
}

std::size_t UpstreamCluster::add_storage() {
  const std::size_t index = storages_.size();
  const std::string suffix = index ? std::to_string(index) : "";
  storages_.push_back(net::Address{"127.0.0.1", free_port()});
  std::string adapter = "SQLite", database = (dir_ / ("db" + suffix + ".sqlite")).string();
  if (index == 0 && !options_.importer_conf.empty()) {
    adapter = "Importer";
    database = options_.importer_conf;
  } else if (index == 0 && !options_.database.empty()) {
    database = options_.database;
    if (!options_.adapter.empty()) adapter = options_.adapter;
  }
  std::vector<std::string> args = {"-l", (dir_ / ("storage" + suffix + ".log")).string(),
                                   "-c", options_.name,
                                   "-b", net::to_string(storages_.back()),
                                   "-m", net::to_string(master_),
                                   "-a", adapter,
                                   "-d", database};
  for (std::string& arg : tls_args(options_.storage_tls)) args.push_back(std::move(arg));
  spawn("storage" + suffix, "neostorage", args);
  return index;
}

std::vector<std::string> UpstreamCluster::upstream_program(const std::string& script) const {
  return {python_, neoppod_ + "/" + script};
}

UpstreamCluster::~UpstreamCluster() {
  for (auto it = processes_.rbegin(); it != processes_.rend(); ++it) stop(*it);
  if (env_or("NEO_INTEROP_KEEP", "").empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  } else {
    std::fprintf(stderr, "kept %s\n", dir_.c_str());
  }
}

void UpstreamCluster::spawn(const std::string& name, const std::string& script,
                            const std::vector<std::string>& args) {
  // Everything the child needs is prepared before fork(). An absolute
  // `script` is an executable of ours, run directly.
  std::vector<std::string> argv_strings = {python_, neoppod_ + "/" + script};
  if (script.starts_with("/")) argv_strings = {script};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& arg : argv_strings) argv.push_back(arg.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_strings = {"PYTHONPATH=" + peer_pythonpath()};
  for (char** e = environ; *e; ++e) {
    if (std::string_view(*e).starts_with("PYTHONPATH=")) continue;
    env_strings.emplace_back(*e);
  }
  std::vector<char*> envp;
  for (std::string& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);
  const std::string output = (dir_ / (name + ".out")).string();
  const pid_t parent = getpid();

  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);
    const int fd = open(output.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
      close(fd);
    }
    execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }
  processes_.push_back(Process{name, pid});
}

void UpstreamCluster::stop(Process& process) {
  if (process.pid <= 0) return;
  kill(process.pid, SIGTERM);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  int status = 0;
  while (waitpid(process.pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      kill(process.pid, SIGKILL);
      waitpid(process.pid, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));  // waiting for exit
  }
  process.pid = -1;
}

bool UpstreamCluster::alive() {
  bool all = true;
  for (Process& process : processes_) {
    int status = 0;
    if (process.pid > 0 && waitpid(process.pid, &status, WNOHANG) == process.pid) {
      process.pid = -1;  // reaped: never signal that pid again
    }
    all = all && process.pid > 0;
  }
  return all;
}

std::string UpstreamCluster::diagnostics() const {
  std::ostringstream out;
  for (const Process& process : processes_) {
    out << "--- " << process.name << " output:\n" << tail_of(dir_ / (process.name + ".out"), 2000);
  }
  const std::string dump = (dir_ / "master.neolog").string();
  const std::string command = python_ + " " + neoppod_ + "/neolog " +
                              (dir_ / "master.log").string() + " > " + dump + " 2>&1";
  if (std::system(command.c_str()) == 0) out << "--- master log:\n" << tail_of(dump, 6000);
  return out.str();
}

}  // namespace neo::interop
