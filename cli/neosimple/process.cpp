#include "cli/neosimple/process.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <deque>
#include <fstream>
#include <thread>

namespace neo::simple {

namespace {

// What the child does between fork and exec: only async-signal-safe calls.
[[noreturn]] void exec_child(char* const* argv, int out_fd, pid_t parent, int error_pipe,
                             bool own_group) {
  prctl(PR_SET_PDEATHSIG, SIGTERM);
  if (getppid() != parent) _exit(127);
  if (own_group) setpgid(0, 0);
  const int null_fd = open("/dev/null", O_RDONLY);
  if (null_fd >= 0) dup2(null_fd, 0);
  dup2(out_fd, 1);
  dup2(out_fd, 2);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  execv(argv[0], argv);
  const int err = errno;
  (void)!write(error_pipe, &err, sizeof err);
  _exit(127);
}

std::vector<char*> c_argv(std::vector<std::string>& strings) {
  std::vector<char*> argv;
  for (std::string& arg : strings) argv.push_back(arg.data());
  argv.push_back(nullptr);
  return argv;
}

}  // namespace

Process::Process(std::string label, std::vector<std::string> argv, std::filesystem::path output)
    : label_(std::move(label)), argv_(std::move(argv)), output_(std::move(output)) {}

Process::Process(Process&& other) noexcept
    : label_(std::move(other.label_)),
      argv_(std::move(other.argv_)),
      output_(std::move(other.output_)),
      pid_(other.pid_),
      status_(other.status_) {
  other.pid_ = -1;
}

Process::~Process() {
  if (pid_ > 0 && running()) {
    kill(pid_, SIGKILL);
    int status = 0;
    waitpid(pid_, &status, 0);
  }
}

bool Process::start(std::string& error) {
  const int out_fd = open(output_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (out_fd < 0) {
    error = "cannot open " + output_.string() + ": " + std::strerror(errno);
    return false;
  }
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) {
    close(out_fd);
    error = std::string("pipe: ") + std::strerror(errno);
    return false;
  }
  std::vector<std::string> strings = argv_;
  std::vector<char*> argv = c_argv(strings);
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid == 0) exec_child(argv.data(), out_fd, parent, pipe_fds[1], true);
  close(out_fd);
  close(pipe_fds[1]);
  if (pid < 0) {
    close(pipe_fds[0]);
    error = std::string("fork: ") + std::strerror(errno);
    return false;
  }
  int child_errno = 0;
  const ssize_t n = read(pipe_fds[0], &child_errno, sizeof child_errno);
  close(pipe_fds[0]);
  pid_ = pid;
  status_.reset();
  if (n == sizeof child_errno) {
    running();
    wait_for(std::chrono::seconds(1));
    error = "cannot run " + argv_[0] + ": " + std::strerror(child_errno);
    return false;
  }
  return true;
}

bool Process::running() {
  if (pid_ <= 0 || status_) return false;
  int status = 0;
  const pid_t done = waitpid(pid_, &status, WNOHANG);
  if (done == pid_) {
    status_ = status;
    return false;
  }
  return done == 0;
}

std::string Process::describe_status() const {
  if (!status_) return "still running";
  if (WIFEXITED(*status_)) return "exited with status " + std::to_string(WEXITSTATUS(*status_));
  if (WIFSIGNALED(*status_)) return "killed by signal " + std::to_string(WTERMSIG(*status_));
  return "stopped";
}

void Process::signal(int signo) {
  if (pid_ > 0 && !status_) kill(pid_, signo);
}

bool Process::wait_for(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (running()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // polling the child's exit
  }
  return true;
}

std::string tail_lines(const std::filesystem::path& path, std::size_t lines) {
  std::ifstream in(path);
  std::deque<std::string> last;
  for (std::string line; std::getline(in, line);) {
    last.push_back(std::move(line));
    if (last.size() > lines) last.pop_front();
  }
  std::string text;
  for (const std::string& line : last) text += line + "\n";
  return text;
}

std::pair<int, std::string> run_capture(const std::vector<std::string>& argv,
                                        std::chrono::milliseconds timeout) {
  char path[] = "/tmp/neosimple-capture-XXXXXX";
  const int fd = mkstemp(path);
  if (fd < 0) return {-1, "mkstemp failed"};
  std::vector<std::string> strings = argv;
  std::vector<char*> c = c_argv(strings);
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) {
    close(fd);
    unlink(path);
    return {-1, "pipe failed"};
  }
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid == 0) exec_child(c.data(), fd, parent, pipe_fds[1], false);
  close(fd);
  close(pipe_fds[1]);
  close(pipe_fds[0]);
  int status = -1;
  if (pid > 0) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (waitpid(pid, &status, WNOHANG) == 0) {
      if (std::chrono::steady_clock::now() >= deadline) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
        status = -1;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));  // polling the child's exit
    }
  }
  std::ifstream in(path);
  std::string output((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  unlink(path);
  const int code = status >= 0 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return {code, output};
}

std::string shell_join(const std::vector<std::string>& argv) {
  std::string text;
  for (const std::string& arg : argv) {
    if (!text.empty()) text += ' ';
    const bool plain = !arg.empty() && arg.find_first_not_of(
                                           "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                           "0123456789-_./:=@,+[]") == std::string::npos;
    if (plain) {
      text += arg;
      continue;
    }
    text += '\'';
    for (char c : arg) text += c == '\'' ? std::string("'\\''") : std::string(1, c);
    text += '\'';
  }
  return text;
}

// A port that was free a moment ago on `ip`.
std::uint16_t free_port(const std::string& ip) {
  const bool v6 = ip.find(':') != std::string::npos;
  const int fd = ::socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  sockaddr_storage storage{};
  socklen_t size = 0;
  if (v6) {
    auto* a = reinterpret_cast<sockaddr_in6*>(&storage);
    a->sin6_family = AF_INET6;
    a->sin6_addr = in6addr_loopback;
    size = sizeof *a;
  } else {
    auto* a = reinterpret_cast<sockaddr_in*>(&storage);
    a->sin_family = AF_INET;
    a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    size = sizeof *a;
  }
  std::uint16_t port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&storage), size) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&storage), &size) == 0) {
    port = ntohs(v6 ? reinterpret_cast<sockaddr_in6*>(&storage)->sin6_port
                    : reinterpret_cast<sockaddr_in*>(&storage)->sin_port);
  }
  ::close(fd);
  return port;
}

}  // namespace neo::simple
