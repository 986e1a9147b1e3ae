// Main of the interoperability tests: they need the upstream NEO/py peer and
// report themselves skipped (exit code 77, CTest SKIP_RETURN_CODE) without it.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <cstdio>

#include "tests/interop/peer_env.hpp"

int main(int argc, char** argv) {
  if (neo::interop::peer_pythonpath().empty()) {
    std::puts("SKIPPED: set NEO_PEER_PYTHONPATH to run the interoperability tests (see README.md)");
    return 77;
  }
  return Catch::Session().run(argc, argv);
}
