// The command list (neoctl without a command) and the man page.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "tests/unit/neoctl/fake_admin.hpp"

using namespace neo::neoctl;

namespace {

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void collect_names(const Command& command, const std::string& prefix,
                   std::vector<std::string>& names) {
  const std::string name = prefix + std::string(command.name);
  if (command.run) names.push_back(name);
  for (const Command& child : command.children) collect_names(child, name + " ", names);
}

}  // namespace

TEST_CASE("without a command, neoctl lists the commands as upstream does", "[neoctl]") {
  // upstream_usage.txt: what NEO/py 1.12's neoctl prints (Python 3.11).
  const std::string upstream =
      read_file(std::filesystem::path(NEO_SOURCE_DIR) / "tests/unit/neoctl/upstream_usage.txt");
  REQUIRE_FALSE(upstream.empty());
  CHECK(usage_text() + "\n" == upstream);
  neo::neoctl::test::FakeAdmin admin;
  auto outcome = neo::neoctl::test::run(admin, {"-a", "127.0.0.1:1"});
  CHECK(outcome.status == 0);
  CHECK(outcome.out == upstream);
  CHECK(outcome.err.empty());
  CHECK(admin.sent.empty());
}

TEST_CASE("every command is in the man page", "[neoctl]") {
  const std::string man = read_file(std::filesystem::path(NEO_SOURCE_DIR) / "man" / "neoctl.1");
  REQUIRE_FALSE(man.empty());
  for (const char* section : {".SH NAME", ".SH SYNOPSIS", ".SH DESCRIPTION", ".SH OPTIONS",
                              ".SH COMMANDS", ".SH EXIT STATUS", ".SH EXAMPLES", ".SH SEE ALSO"}) {
    CHECK(man.find(section) != std::string::npos);
  }
  std::vector<std::string> names;
  for (const Command* command : commands()) collect_names(*command, "", names);
  CHECK(names.size() == 17);
  for (std::string name : names) {
    // Each command is the bold tag of an entry of COMMANDS.
    INFO(name);
    CHECK(man.find(".TP\n\\fB" + name + "\\fR") != std::string::npos);
  }
  for (const char* option : {"\\-a", "\\-\\-address", "\\-l", "\\-\\-logfile", "\\-\\-ca",
                             "\\-\\-cert", "\\-\\-key", "\\-h", "\\-\\-help"}) {
    INFO(option);
    CHECK(man.find(option) != std::string::npos);
  }
}
