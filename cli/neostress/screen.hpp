// cli/neostress/screen.hpp
// neostress's interactive screen on a terminal, like upstream's: cluster
// state and ids, commits per client (stalled ones highlighted), the
// partition table, the fault log; keys: f pauses/resumes the faults
// (upstream's F1), q quits (the data is still checked). Plain ANSI escapes
// and a raw terminal (termios), restored by the destructor.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cli/neostress/probe.hpp"

namespace neo::stress {

struct ClientLine {
  std::string name;
  std::uint64_t commits = 0;
  bool stalled = false;  // no commit for a while
  bool running = true;
};

struct ScreenState {
  std::optional<View> view;
  std::vector<ClientLine> clients;
  double elapsed = 0;
  std::uint64_t commits = 0, faults = 0;
  bool faults_paused = false;
  std::string target;  // "until 120 s", "until 500 faults"
  std::vector<std::string> fault_log;
};

class Screen {
 public:
  Screen();   // raw mode, alternate screen
  ~Screen();  // restores the terminal
  void draw(const ScreenState& state);
  // A key pressed since the last call, if any.
  std::optional<char> key();

 private:
  bool raw_ = false;
  struct Saved;
  Saved* saved_ = nullptr;
};

// The partition table as upstream's neoctl prints a matrix: one line per
// storage, one letter per partition (U up to date, O out of date, F
// feeding, C corrupted, D discarded, . none).
std::vector<std::string> pt_matrix(const View& view);

}  // namespace neo::stress
