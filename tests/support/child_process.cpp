#include "tests/support/child_process.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string_view>
#include <thread>

extern char** environ;

namespace neo::test {
namespace {

std::vector<char*> pointers(std::vector<std::string>& strings) {
  std::vector<char*> result;
  for (std::string& s : strings) result.push_back(s.data());
  result.push_back(nullptr);
  return result;
}

std::vector<std::string> merged_environment(const std::vector<std::string>& extra) {
  std::vector<std::string> result = extra;
  for (char** e = environ; *e; ++e) {
    const std::string_view entry(*e);
    const std::string_view name = entry.substr(0, entry.find('='));
    bool replaced = false;
    for (const std::string& x : extra)
      replaced = replaced || x.starts_with(std::string(name) + "=");
    if (!replaced) result.emplace_back(entry);
  }
  return result;
}

int decode_status(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The child's side of spawn(), between fork() and execve(): async-signal-safe
// calls only, and no return into the test's code. Signals are blocked on
// entry; the test's handlers (Catch reports a SIGTERM as a failed test) go
// back to their defaults before the test's mask is restored, so a signal
// sent before the exec acts as it would on the program itself.
[[noreturn]] void exec_child(char** argv, char** envp, int out_fd, int err_fd, pid_t parent,
                             const sigset_t& mask) {
  for (int sig = 1; sig < NSIG; ++sig) {
    struct sigaction action {};
    if (sigaction(sig, nullptr, &action) != 0) continue;  // not a signal we may change
    if (action.sa_handler == SIG_DFL || action.sa_handler == SIG_IGN) continue;
    action = {};
    action.sa_handler = SIG_DFL;
    sigaction(sig, &action, nullptr);
  }
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != parent) _exit(127);
  setpgid(0, 0);  // Ctrl-C in the terminal reaches the test only
  dup2(out_fd, 1);
  dup2(err_fd, 2);
  sigprocmask(SIG_SETMASK, &mask, nullptr);
  execve(argv[0], argv, envp);
  _exit(127);
}

pid_t spawn(std::vector<std::string> argv, std::vector<std::string> env, int out_fd, int err_fd) {
  std::vector<char*> argp = pointers(argv);
  std::vector<char*> envp = pointers(env);
  const pid_t parent = getpid();
  // Every signal blocked across fork(): none reaches the child before
  // exec_child() has reset the handlers it inherits.
  sigset_t all, saved;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &saved);
  const pid_t pid = fork();
  if (pid == 0) exec_child(argp.data(), envp.data(), out_fd, err_fd, parent, saved);
  pthread_sigmask(SIG_SETMASK, &saved, nullptr);
  if (pid < 0) throw std::runtime_error("fork failed");
  return pid;
}

}  // namespace

ChildProcess::ChildProcess(std::vector<std::string> argv, std::filesystem::path output,
                           std::vector<std::string> environment)
    : argv_(std::move(argv)), output_(std::move(output)) {
  const int fd = open(output_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) throw std::runtime_error("cannot create " + output_.string());
  try {
    pid_ = spawn(argv_, merged_environment(environment), fd, fd);
  } catch (...) {
    close(fd);
    throw;
  }
  close(fd);
}

ChildProcess::~ChildProcess() {
  if (running()) {
    ::kill(pid_, SIGKILL);
    int status = 0;
    waitpid(pid_, &status, 0);
  }
}

bool ChildProcess::running() { return !exit_status().has_value(); }

std::optional<int> ChildProcess::exit_status() {
  if (!status_ && pid_ > 0) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) status_ = decode_status(status);
  }
  return status_;
}

void ChildProcess::signal(int signal) {
  if (running()) ::kill(pid_, signal);
}

std::optional<int> ChildProcess::wait(std::chrono::milliseconds timeout) {
  wait_for([this] { return !running(); }, timeout, std::chrono::milliseconds(5));
  return exit_status();
}

int ChildProcess::stop(std::chrono::milliseconds grace) {
  signal(SIGTERM);
  if (auto status = wait(grace)) return *status;
  signal(SIGKILL);
  return wait(std::chrono::seconds(10)).value_or(-1);
}

std::string ChildProcess::output() const { return read_file(output_); }

std::string ChildProcess::output_tail(std::size_t max_bytes) const {
  const std::string text = output();
  return text.size() > max_bytes ? text.substr(text.size() - max_bytes) : text;
}

RunResult run_program(const std::vector<std::string>& argv, std::chrono::milliseconds timeout) {
  const std::filesystem::path dir = make_temp_dir("neo-run");
  RunResult result;
  {
    const int out = open((dir / "out").c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    const int err = open((dir / "err").c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    const pid_t pid = spawn(argv, merged_environment({}), out, err);
    close(out);
    close(err);
    int status = 0;
    const bool done = wait_for([&] { return waitpid(pid, &status, WNOHANG) == pid; }, timeout,
                               std::chrono::milliseconds(2));
    if (done) {
      result.status = decode_status(status);
    } else {
      ::kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
    }
  }
  result.out = read_file(dir / "out");
  result.err = read_file(dir / "err");
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);
  return result;
}

bool wait_for(const std::function<bool()>& condition, std::chrono::milliseconds timeout,
              std::chrono::milliseconds step) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(step);  // polling interval, not a wait for an event
  }
  return true;
}

namespace {

std::uint16_t any_free_port() {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t size = sizeof address;
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&address), size) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size) != 0) {
    if (fd >= 0) close(fd);
    throw std::runtime_error("cannot find a free port");
  }
  close(fd);
  return ntohs(address.sin_port);
}

}  // namespace

std::uint16_t free_port() {
  // The kernel may give a port it just gave again (e.g. a cluster's admin
  // and its second storage got the same one): never twice in this process.
  static std::mutex mutex;
  static std::set<std::uint16_t> given;
  std::lock_guard lock(mutex);
  for (int attempt = 0; attempt < 1000; ++attempt) {
    const std::uint16_t port = any_free_port();
    if (given.insert(port).second) return port;
  }
  throw std::runtime_error("cannot find a free port not given yet");
}

double cpu_seconds(pid_t pid) {
  std::ifstream file("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  const auto paren = stat.rfind(')');
  if (paren == std::string::npos) return 0;
  std::istringstream fields(stat.substr(paren + 2));  // from field 3 (state)
  std::string field;
  unsigned long long utime = 0, stime = 0;
  for (int index = 3; index <= 15 && fields >> field; ++index) {
    if (index == 14) utime = std::stoull(field);
    if (index == 15) stime = std::stoull(field);
  }
  return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

double percentile(std::vector<double> samples, double p) {
  if (samples.empty()) return 0;
  std::sort(samples.begin(), samples.end());
  return samples[std::min(samples.size() - 1, static_cast<std::size_t>(p * samples.size()))];
}

std::filesystem::path make_temp_dir(const std::string& prefix) {
  std::string pattern = (std::filesystem::temp_directory_path() / (prefix + "-XXXXXX")).string();
  if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
  return pattern;
}

}  // namespace neo::test
