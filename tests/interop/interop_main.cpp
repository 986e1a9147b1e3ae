// Main of the interoperability tests: they need the upstream NEO/py peer and
// report themselves skipped (exit code 77, CTest SKIP_RETURN_CODE) without it.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>

int main(int argc, char** argv) {
  const char* path = std::getenv("NEO_PEER_PYTHONPATH");
  if (path == nullptr || *path == '\0') {
    std::puts("SKIPPED: set NEO_PEER_PYTHONPATH to run the interoperability tests (see README.md)");
    return 77;
  }
  return Catch::Session().run(argc, argv);
}
