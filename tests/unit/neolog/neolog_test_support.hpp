// Helpers for the neolog tests: run neolog in-process, temporary
// directories, the corpus (tests/data/neolog: NEO/py logs and upstream
// neolog's outputs). Tests never write into the corpus. A missing corpus
// directory or file fails the test, naming the path.
#pragma once

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "cli/neolog/neolog.hpp"
#include "tests/support/test_data.hpp"

namespace neo::neolog::test {

struct RunResult {
  int status = -1;
  std::string out, err;
};

// run_neolog("neolog", args...) with TZ set for the call.
inline RunResult run(const std::vector<std::string>& args, const char* tz = "UTC") {
  const char* old_tz = std::getenv("TZ");
  const std::string saved = old_tz ? old_tz : "";
  ::setenv("TZ", tz, 1);
  std::vector<const char*> argv{"neolog"};
  for (const std::string& a : args) argv.push_back(a.c_str());
  std::ostringstream out, err;
  RunResult r;
  r.status = run_neolog(static_cast<int>(argv.size()), argv.data(), out, err);
  r.out = out.str();
  r.err = err.str();
  if (old_tz) {
    ::setenv("TZ", saved.c_str(), 1);
  } else {
    ::unsetenv("TZ");
  }
  return r;
}

// tests/data/neolog (fails the test if it is missing).
inline std::filesystem::path corpus_dir() {
  const std::filesystem::path dir = neo::test::test_data_dir() / "neolog";
  if (!std::filesystem::is_directory(dir)) FAIL("missing test data directory " << dir.string());
  return dir;
}

// The whole content of a file (fails the test if it cannot be read).
inline std::string read_file(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  if (!f || std::filesystem::is_directory(p)) FAIL("cannot read " << p.string());
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

inline void write_file(const std::filesystem::path& p, const std::string& data) {
  std::ofstream f(p, std::ios::binary | std::ios::trunc);
  f.write(data.data(), static_cast<std::streamsize>(data.size()));
}

// A fresh directory under $TMPDIR, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "neolog-test-XXXXXX").string();
    path_ = ::mkdtemp(tmpl.data());
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }
  std::string operator/(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

}  // namespace neo::neolog::test
