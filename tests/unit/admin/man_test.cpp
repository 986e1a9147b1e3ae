// Every option of neoadmin, neosimple and neomigrate is documented in its man page.
#include <catch2/catch.hpp>
#include <filesystem>

#include "cli/neomigrate/options.hpp"
#include "cli/neosimple/options.hpp"
#include "nodes/admin/admin_options.hpp"
#include "tests/support/man_page.hpp"

namespace {

void check_documented(const CLI::App& app, const std::string& man) {
  for (const CLI::Option* option : app.get_options()) {
    for (const std::string& name : option->get_lnames()) {
      INFO("--" << name);
      CHECK(man.find(neo::test::roff("--" + name)) != std::string::npos);
    }
  }
  for (const char* section : {".SH NAME", ".SH SYNOPSIS", ".SH DESCRIPTION", ".SH OPTIONS",
                              ".SH EXIT STATUS", ".SH EXAMPLES", ".SH SEE ALSO"}) {
    CHECK(man.find(section) != std::string::npos);
  }
}

}  // namespace

TEST_CASE("every neoadmin option is in man/neoadmin.8", "[admin]") {
  CLI::App app{"test", "neoadmin"};
  neo::config::CommonOptions common;
  neo::admin::AdminConfig config;
  neo::admin::add_admin_options(app, common, config);
  const std::string man =
      neo::test::read_man_page(std::filesystem::path(NEO_SOURCE_DIR) / "man/neoadmin.8");
  REQUIRE_FALSE(man.empty());
  check_documented(app, man);
}

TEST_CASE("every neosimple option is in man/neosimple.1", "[neosimple]") {
  CLI::App app{"test", "neosimple"};
  neo::simple::SimpleOptions options;
  neo::simple::add_simple_options(app, options);
  const std::string man =
      neo::test::read_man_page(std::filesystem::path(NEO_SOURCE_DIR) / "man/neosimple.1");
  REQUIRE_FALSE(man.empty());
  check_documented(app, man);
}

TEST_CASE("every neomigrate option is in man/neomigrate.1", "[neomigrate]") {
  CLI::App app{"test", "neomigrate"};
  neo::neomigrate::Options options;
  neo::neomigrate::add_options(app, options);
  const std::string man =
      neo::test::read_man_page(std::filesystem::path(NEO_SOURCE_DIR) / "man/neomigrate.1");
  REQUIRE_FALSE(man.empty());
  check_documented(app, man);
}
