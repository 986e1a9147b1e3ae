// tests/support/test_data.cpp: the compiled-in location of tests/data
// (NEO_TEST_DATA_DIR, set by tests/CMakeLists.txt for this file only).
#include "tests/support/test_data.hpp"

namespace neo::test {

std::filesystem::path test_data_dir() { return NEO_TEST_DATA_DIR; }

}  // namespace neo::test
