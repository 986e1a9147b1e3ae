// Every option of neostress and of its commands is in man/neostress.1.
#include <catch2/catch.hpp>
#include <filesystem>

#include "cli/neostress/options.hpp"
#include "tests/support/man_page.hpp"

namespace neo::stress {
namespace {

TEST_CASE("every neostress option is in man/neostress.1", "[neostress]") {
  CLI::App app{"test", "neostress"};
  StressOptions options;
  add_options(app, options);
  const std::string man =
      neo::test::read_man_page(std::filesystem::path(NEO_SOURCE_DIR) / "man/neostress.1");
  REQUIRE_FALSE(man.empty());
  std::vector<const CLI::App*> apps = {&app};
  for (const CLI::App* sub : app.get_subcommands({}))
    if (sub->get_name() != "client") apps.push_back(sub);  // internal
  REQUIRE(apps.size() == 3);
  for (const CLI::App* a : apps)
    for (const CLI::Option* option : a->get_options())
      for (const std::string& name : option->get_lnames()) {
        INFO(a->get_name() << " --" << name);
        CHECK(man.find(neo::test::roff("--" + name)) != std::string::npos);
      }
  for (const char* section : {".SH NAME", ".SH SYNOPSIS", ".SH DESCRIPTION", ".SH OPTIONS",
                              ".SH EXIT STATUS", ".SH EXAMPLES", ".SH SEE ALSO"})
    CHECK(man.find(section) != std::string::npos);
}

TEST_CASE("neostress options are checked before anything runs", "[neostress]") {
  auto parse = [](std::vector<std::string> args) {
    CLI::App app{"test", "neostress"};
    StressOptions options;
    add_options(app, options);
    std::reverse(args.begin(), args.end());
    app.parse(args);
    return validate(options);
  };
  CHECK(parse({"run"}).empty());
  CHECK(parse({"run", "--kinds", "reset,pack"}).empty());
  CHECK(parse({"run", "--kinds", "reset,nuke"}).find("unknown fault kind 'nuke'") !=
        std::string::npos);
  CHECK_FALSE(parse({"-s", "0", "run"}).empty());
  CHECK_FALSE(parse({"--attach", "127.0.0.1:1", "check"}).empty());  // no --admin
  CHECK(parse({"--attach", "127.0.0.1:1", "--admin", "127.0.0.1:2", "check"}).empty());
  // Attached, neostress owns no node: pack faults only, no namespaces.
  const std::vector<std::string> attach = {"--attach", "127.0.0.1:1", "--admin", "127.0.0.1:2"};
  auto attached = [&](std::vector<std::string> run) {
    run.insert(run.begin(), attach.begin(), attach.end());
    return parse(run);
  };
  CHECK(attached({"run"}).empty());
  CHECK(attached({"run", "--kinds", "pack"}).empty());
  CHECK(attached({"run", "--kinds", "pack,kill-storage"}).find("only pack faults") !=
        std::string::npos);
  CHECK(attached({"run", "--isolate"}).find("not with --attach") != std::string::npos);
}

TEST_CASE("attached, run causes pack faults only", "[neostress]") {
  StressOptions options;
  options.attach_masters = {"127.0.0.1:1"};
  CHECK(fault_kinds(options) == std::vector<FaultKind>{FaultKind::Pack});
}

TEST_CASE("kill-master is left out without a spare master", "[neostress]") {
  StressOptions options;
  options.masters = 1;
  auto kinds = fault_kinds(options);
  CHECK(std::find(kinds.begin(), kinds.end(), FaultKind::KillMaster) == kinds.end());
  options.masters = 2;
  kinds = fault_kinds(options);
  CHECK(std::find(kinds.begin(), kinds.end(), FaultKind::KillMaster) != kinds.end());
  CHECK(kinds.size() == std::size(kAllFaults) - 2);  // not disk-full, delay
  options.isolate = true;
  CHECK(fault_kinds(options).size() == std::size(kAllFaults));
}

TEST_CASE("disk-full and delay need --isolate", "[neostress]") {
  CLI::App app{"test", "neostress"};
  StressOptions options;
  add_options(app, options);
  app.parse(std::vector<std::string>{"disk-full", "--kinds", "run"});
  CHECK(validate(options) == "the disk-full fault needs --isolate");
}

}  // namespace
}  // namespace neo::stress
