// neolog: prints NEO log files. All the logic is in run_neolog().
#include <csignal>
#include <iostream>

#include "cli/neolog/neolog.hpp"

int main(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);  // a closed pipe ends the output with status 1, as upstream
  std::ios::sync_with_stdio(false);
  return neo::neolog::run_neolog(argc, argv, std::cout, std::cerr);
}
