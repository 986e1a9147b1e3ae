#include "core/config/master_list_file.hpp"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdlib.h>

using namespace neo::config;

namespace {

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "neo-mlf-XXXXXX").string();
    REQUIRE(mkdtemp(pattern.data()));
    path = pattern;
  }
  ~TempDir() { std::filesystem::remove_all(path); }
};

std::string read(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void write(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path) << text;
}

}  // namespace

TEST_CASE("a missing master list file is created empty", "[config]") {
  TempDir dir;
  const auto path = dir.path / "masters.json";
  MasterListFile file(path.string());
  CHECK(file.addresses().empty());
  CHECK(read(path) == "[]");
}

TEST_CASE("the master list file follows address changes, as NEO/py writes it", "[config]") {
  TempDir dir;
  const auto path = dir.path / "masters.json";
  write(path, R"([["127.0.0.1", 10000], ["::1", 10001]])");  // NEO/py's json.dump
  MasterListFile file(path.string());
  REQUIRE(file.addresses() == std::vector<Address>{{"127.0.0.1", 10000}, {"::1", 10001}});

  CHECK(!file.update(std::nullopt, Address{"127.0.0.1", 10002}));
  CHECK(read(path) == R"([["127.0.0.1", 10000], ["::1", 10001], ["127.0.0.1", 10002]])");
  CHECK(!file.update(Address{"127.0.0.1", 10000}, std::nullopt));
  CHECK(!file.update(Address{"::1", 10001}, Address{"::1", 10003}));
  CHECK(read(path) == R"([["127.0.0.1", 10002], ["::1", 10003]])");
  CHECK(!file.update(Address{"10.0.0.9", 1}, std::nullopt));  // unknown: unchanged
  CHECK(MasterListFile(path.string()).addresses() == file.addresses());
  CHECK(!std::filesystem::exists(path.string() + "#neo#"));
}

TEST_CASE("a corrupt master list file is a clear startup error", "[config]") {
  TempDir dir;
  const auto path = dir.path / "masters.json";
  for (const char* text : {"not json", "{}", R"([["127.0.0.1"]])", R"([["h", 70000]])"}) {
    write(path, text);
    INFO(text);
    CHECK_THROWS_AS(MasterListFile(path.string()), Error);
  }
  CHECK_THROWS_AS(MasterListFile((dir.path / "no-such-dir" / "m.json").string()), Error);
}
