// tests/support/child_process.hpp
// A program run as a child process by a test: stdout and stderr go to a
// file, the child dies with the test (PR_SET_PDEATHSIG), and the destructor
// kills and reaps it. Between fork and exec the child runs none of the
// test's signal handlers: a signal sent then acts as on the program itself.
// Waiting is bounded; nothing here sleeps for a fixed time to let something
// happen, it polls a condition with a deadline.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace neo::test {

class ChildProcess {
 public:
  // Starts argv[0] (a path) with `argv`; extra environment entries
  // ("NAME=value") replace those of the test's environment.
  ChildProcess(std::vector<std::string> argv, std::filesystem::path output,
               std::vector<std::string> environment = {});
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  // True until the process has exited (reaps it when it has).
  bool running();
  // The exit status (or 128 + signal) once exited; nullopt while running.
  std::optional<int> exit_status();
  // Sends `signal` if still running.
  void signal(int signal);
  // Waits at most `timeout` for the exit; the status, or nullopt.
  std::optional<int> wait(std::chrono::milliseconds timeout);
  // SIGTERM, then SIGKILL after `grace`; returns the exit status.
  int stop(std::chrono::milliseconds grace = std::chrono::seconds(5));
  // The last `max_bytes` of the output file.
  std::string output_tail(std::size_t max_bytes = 4000) const;
  std::string output() const;
  const std::vector<std::string>& argv() const { return argv_; }

 private:
  std::vector<std::string> argv_;
  std::filesystem::path output_;
  pid_t pid_ = -1;
  std::optional<int> status_;
};

// Runs a program to completion (at most `timeout`, then SIGKILL); its
// stdout and stderr separately.
struct RunResult {
  int status = -1;  // exit status, 128 + signal, or -1 on timeout
  std::string out, err;
};
RunResult run_program(const std::vector<std::string>& argv,
                      std::chrono::milliseconds timeout = std::chrono::seconds(30));

// Polls `condition` every `step` until it is true or `timeout` passed.
bool wait_for(const std::function<bool()>& condition, std::chrono::milliseconds timeout,
              std::chrono::milliseconds step = std::chrono::milliseconds(20));

// A TCP port on 127.0.0.1 that was free a moment ago.
std::uint16_t free_port();

// CPU time (utime + stime) of process `pid` so far, in seconds (0 if gone).
double cpu_seconds(pid_t pid);

// The p-th percentile (0..1) of unsorted samples (0 if none), for benchmarks.
double percentile(std::vector<double> samples, double p);

// A new empty directory under the temporary directory.
std::filesystem::path make_temp_dir(const std::string& prefix);

}  // namespace neo::test
