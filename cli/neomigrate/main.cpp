// neomigrate: copies a ZODB FileStorage into a NEO cluster, or a NEO
// cluster into a new FileStorage. All the logic is in run_neomigrate().
#include <csignal>
#include <iostream>

#include "cli/neomigrate/neomigrate.hpp"

int main(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);  // a closed pipe is reported as a write error
  return neo::neomigrate::run_neomigrate(argc, argv, std::cout, std::cerr);
}
