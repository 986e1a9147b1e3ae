// tests/support/test_data.hpp
// Where the tests find their data files: tests/data of the source tree
// (golden protocol vectors, the neolog corpus; see tests/data/README.md).
// The location is compiled into tests/support/test_data.cpp, so a test
// program finds its data whatever its working directory. No Catch2 here:
// the fuzz replay programs use it too. Thread-safe (no state).
#pragma once

#include <filesystem>

namespace neo::test {

// The absolute path of tests/data.
std::filesystem::path test_data_dir();

}  // namespace neo::test
