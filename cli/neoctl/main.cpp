// neoctl: controls a NEO cluster through its admin node. All the logic is in
// run_neoctl().
#include <csignal>
#include <iostream>

#include "cli/neoctl/neoctl.hpp"

int main(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);  // a closed pipe is reported as a write error
  return neo::neoctl::run_neoctl(argc, argv, std::cout, std::cerr);
}
