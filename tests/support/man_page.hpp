// tests/support/man_page.hpp
// Reading a man page (roff) from the source tree and finding an option in
// it, for the tests that check every option of a program is documented.
// Header-only.
#pragma once

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace neo::test {

inline std::string read_man_page(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// "--monitor-email" as roff writes it: "\-\-monitor\-email".
inline std::string roff(const std::string& name) {
  std::string text;
  for (char c : name) text += c == '-' ? std::string("\\-") : std::string(1, c);
  return text;
}

}  // namespace neo::test
