#include "cli/neostress/screen.hpp"

#include <poll.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <map>

namespace neo::stress {

struct Screen::Saved {
  termios attributes;
};

Screen::Screen() {
  saved_ = new Saved;
  if (tcgetattr(STDIN_FILENO, &saved_->attributes) == 0) {
    termios raw = saved_->attributes;
    raw.c_lflag &= ~(ICANON | ECHO);
    raw.c_cc[VMIN] = 0;
    raw.c_cc[VTIME] = 0;
    raw_ = tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0;
  }
  std::fputs("\x1b[?1049h\x1b[?25l", stdout);  // alternate screen, no cursor
  std::fflush(stdout);
}

Screen::~Screen() {
  if (raw_) tcsetattr(STDIN_FILENO, TCSANOW, &saved_->attributes);
  delete saved_;
  std::fputs("\x1b[?25h\x1b[?1049l", stdout);
  std::fflush(stdout);
}

std::optional<char> Screen::key() {
  pollfd fd{.fd = STDIN_FILENO, .events = POLLIN, .revents = 0};
  if (::poll(&fd, 1, 0) <= 0) return std::nullopt;
  char c = 0;
  if (::read(STDIN_FILENO, &c, 1) != 1) return std::nullopt;
  return c;
}

std::vector<std::string> pt_matrix(const View& view) {
  std::map<std::int32_t, std::string> lines;
  for (const auto& node : view.nodes)
    if (node.node_type == protocol::NodeType::Storage && node.nid)
      lines[node.nid->value] = std::string(view.rows.size(), '.');
  for (std::size_t p = 0; p < view.rows.size(); ++p)
    for (const auto& cell : view.rows[p])
      if (auto it = lines.find(cell.nid.value); it != lines.end())
        it->second[p] = "OUFCD?"[std::min(static_cast<int>(cell.state), 5)];  // enum order
  std::vector<std::string> out;
  for (const auto& [nid, cells] : lines) {
    std::string state = "?";
    for (const auto& node : view.nodes)
      if (node.nid && node.nid->value == nid) state = protocol::to_string(node.state);
    char head[48];
    std::snprintf(head, sizeof head, "%-4s %-8s ", to_string(NodeId{nid}).c_str(), state.c_str());
    out.push_back(head + cells);
  }
  return out;
}

void Screen::draw(const ScreenState& s) {
  winsize size{};
  ioctl(STDOUT_FILENO, TIOCGWINSZ, &size);
  const std::size_t rows = size.ws_row ? size.ws_row : 40;
  std::string text = "\x1b[H\x1b[2J";
  char line[256];
  std::snprintf(
      line, sizeof line,
      "neostress  %.0f s  %s  commits %llu  faults %llu%s   [f] faults on/off  [q] quit\n",
      s.elapsed, s.target.c_str(), static_cast<unsigned long long>(s.commits),
      static_cast<unsigned long long>(s.faults), s.faults_paused ? " (PAUSED)" : "");
  text += line;
  text += "cluster: " + (s.view ? s.view->summary() : std::string("(no answer from the admin)")) +
          "\nclients:";
  for (const ClientLine& c : s.clients) {
    const bool mark = c.stalled || !c.running;
    text += mark ? " \x1b[1;31m" : " ";
    text += c.name + "=" + std::to_string(c.commits) + (c.running ? "" : "(exited)");
    if (mark) text += "\x1b[0m";
  }
  text += "\n\npartition table:\n";
  if (s.view)
    for (const std::string& m : pt_matrix(*s.view)) text += "  " + m + "\n";
  text += "\nfaults:\n";
  const std::size_t used = 7 + (s.view ? pt_matrix(*s.view).size() : 0);
  const std::size_t room = rows > used + 1 ? rows - used - 1 : 0;
  const std::size_t from = s.fault_log.size() > room ? s.fault_log.size() - room : 0;
  for (std::size_t i = from; i < s.fault_log.size(); ++i) text += "  " + s.fault_log[i] + "\n";
  std::fputs(text.c_str(), stdout);
  std::fflush(stdout);
}

}  // namespace neo::stress
