// cli/neosimple/process.hpp
// A child process of neosimple: started with fork/exec in its own process
// group (the terminal's Ctrl-C reaches neosimple only, which then stops the
// cluster in order), with PR_SET_PDEATHSIG so that it dies with neosimple,
// stdout and stderr appended to a file. Use from one thread.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace neo::simple {

class Process {
 public:
  Process(std::string label, std::vector<std::string> argv, std::filesystem::path output);
  Process(Process&&) noexcept;
  Process& operator=(Process&&) = delete;
  ~Process();  // kills (SIGKILL) and reaps a process still running

  // Starts it; false (with `error`) if fork or exec failed.
  bool start(std::string& error);
  // True until it exits (reaps it when it has).
  bool running();
  // The wait status once it exited.
  std::optional<int> status() const { return status_; }
  // "exited with status 1", "killed by signal 9".
  std::string describe_status() const;
  void signal(int signo);
  // Waits until it exits or `timeout`; true if it exited.
  bool wait_for(std::chrono::milliseconds timeout);

  const std::string& label() const { return label_; }
  pid_t pid() const { return pid_; }
  const std::filesystem::path& output() const { return output_; }
  const std::vector<std::string>& argv() const { return argv_; }

 private:
  std::string label_;
  std::vector<std::string> argv_;
  std::filesystem::path output_;
  pid_t pid_ = -1;
  std::optional<int> status_;
};

// The last `lines` lines of a file ("" if it cannot be read).
std::string tail_lines(const std::filesystem::path& path, std::size_t lines);
// Runs a program to completion (stdin /dev/null), capturing stdout+stderr;
// killed after `timeout`. Returns (exit status or -1, output).
std::pair<int, std::string> run_capture(const std::vector<std::string>& argv,
                                        std::chrono::milliseconds timeout);
// A port that was free a moment ago on `ip` (0 if none could be had).
std::uint16_t free_port(const std::string& ip);
// Shell-like rendering of a command line, for the operator.
std::string shell_join(const std::vector<std::string>& argv);

}  // namespace neo::simple
