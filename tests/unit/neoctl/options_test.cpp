// neoctl's command line, checked against what NEO/py's neoctl (argparse,
// Python 3.11) prints for the same arguments.
#include "cli/neoctl/options.hpp"

#include <catch2/catch.hpp>

#include "tests/unit/neoctl/fake_admin.hpp"

using namespace neo::neoctl;
using Words = std::vector<std::string>;

namespace {

ParsedOptions parse(Words args) { return parse_options(args); }

std::string usage_error(const std::string& message) {
  return std::string(kUsageText) + "neoctl: error: " + message + "\n";
}

}  // namespace

TEST_CASE("options come first, the command takes the rest", "[neoctl]") {
  ParsedOptions p = parse({"-a", "10.0.0.1:5", "print", "node", "-a", "x"});
  REQUIRE(p.error.empty());
  CHECK(p.options.address == "10.0.0.1:5");
  CHECK(p.options.command == Words{"print", "node", "-a", "x"});

  p = parse({});
  CHECK(p.options.address == "127.0.0.1:9999");
  CHECK(p.options.command.empty());

  p = parse({"tweak", "-n"});
  CHECK(p.options.command == Words{"tweak", "-n"});

  // "--" is part of the command (upstream then says "invalid command: -- ...").
  p = parse({"--", "print", "cluster"});
  CHECK(p.options.command == Words{"--", "print", "cluster"});
  // A negative number is a word, not an option.
  p = parse({"-1"});
  CHECK(p.options.command == Words{"-1"});
}

TEST_CASE("option values may be attached or abbreviated as argparse allows", "[neoctl]") {
  CHECK(parse({"-a127.0.0.1:1"}).options.address == "127.0.0.1:1");
  CHECK(parse({"-a=127.0.0.1:1"}).options.address == "127.0.0.1:1");
  CHECK(parse({"--address=127.0.0.1:1"}).options.address == "127.0.0.1:1");
  CHECK(parse({"--addr", "127.0.0.1:1"}).options.address == "127.0.0.1:1");
  CHECK(parse({"--addr=127.0.0.1:1"}).options.address == "127.0.0.1:1");
  CHECK(parse({"-a", "1", "-a", "2"}).options.address == "2");
  CHECK(parse({"--log", "x.log"}).options.logfile == "x.log");
  CHECK(parse({"-lx.log"}).options.logfile == "x.log");
  CHECK(parse({"-l", ""}).options.logfile.empty());  // accepted: no log
  ParsedOptions p = parse({"--ca", "a", "--cert", "b", "--k", "c"});
  CHECK(p.options.ca == "a");
  CHECK(p.options.cert == "b");
  CHECK(p.options.key == "c");
}

TEST_CASE("bad options print argparse's usage and exit with 2", "[neoctl]") {
  neo::neoctl::test::FakeAdmin admin;
  auto check = [&](Words args, const std::string& message) {
    auto outcome = neo::neoctl::test::run(admin, args);
    CHECK(outcome.status == 2);
    CHECK(outcome.out.empty());
    CHECK(outcome.err == usage_error(message));
  };
  check({"-x"}, "unrecognized arguments: -x");
  check({"-x", "print", "cluster"}, "unrecognized arguments: -x");
  check({"-x", "-y=1"}, "unrecognized arguments: -x -y=1");
  check({"-a"}, "argument -a/--address: expected one argument");
  check({"-a", "--", "print"}, "argument -a/--address: expected one argument");
  check({"-l", "-a", "x"}, "argument -l/--logfile: expected one argument");
  check({"-a", ""}, "argument -a/--address: value is empty");
  check({"--address="}, "argument -a/--address: value is empty");
  check({"print", "pt", ""}, "argument cmd: value is empty");
  check({"tweak", "--c"}, "ambiguous option: --c could match --ca, --cert");
  check({"--c=x"}, "ambiguous option: --c=x could match --ca, --cert");
  check({"-h=3"}, "argument -h/--help: ignored explicit argument '3'");
  check({"--help=3"}, "argument -h/--help: ignored explicit argument '3'");
  CHECK(admin.sent.empty());
}

TEST_CASE("--help prints argparse's help on stdout", "[neoctl]") {
  neo::neoctl::test::FakeAdmin admin;
  for (Words args :
       {Words{"--help"}, Words{"-h"}, Words{"--he"}, Words{"-a", "x", "-h", "print"}}) {
    auto outcome = neo::neoctl::test::run(admin, args);
    CHECK(outcome.status == 0);
    CHECK(outcome.out == kHelpText);
    CHECK(outcome.err.empty());
  }
  CHECK(std::string(kHelpText).find("(default: 127.0.0.1:9999)") != std::string::npos);
}
