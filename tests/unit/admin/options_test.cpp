// neoadmin's command line and neosimple's option checks (no sockets).
#include "cli/neosimple/options.hpp"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <random>

#include "cli/neosimple/layout.hpp"
#include "nodes/admin/admin_options.hpp"

namespace {

template <class Options, class Add>
bool parse(Options& options, Add add, std::vector<std::string> args) {
  CLI::App app{"test", "test"};
  add(app, options);
  std::vector<char*> argv = {const_cast<char*>("test")};
  for (std::string& arg : args) argv.push_back(arg.data());
  try {
    app.parse(static_cast<int>(argv.size()), argv.data());
  } catch (const CLI::ParseError&) {
    return false;
  }
  return true;
}

struct AdminOptions {
  neo::config::CommonOptions common;
  neo::admin::AdminConfig config;
};

bool parse_admin(AdminOptions& o, std::vector<std::string> args) {
  return parse(
      o,
      [](CLI::App& app, AdminOptions& opts) {
        neo::admin::add_admin_options(app, opts.common, opts.config);
      },
      std::move(args));
}

}  // namespace

TEST_CASE("neoadmin takes upstream's options and defaults", "[admin]") {
  AdminOptions o;
  REQUIRE(parse_admin(o, {"-c", "test"}));
  CHECK(o.config.server.cluster == "test");
  CHECK(o.config.server.bind.host == "127.0.0.1");
  CHECK(o.config.server.bind.port == 9999);
  REQUIRE(o.config.server.masters.size() == 1);
  CHECK(o.config.server.masters[0].port == 10000);
  CHECK(o.config.monitor_maxlag == 0.0);
  CHECK_FALSE(o.config.nid);

  AdminOptions full;
  REQUIRE(parse_admin(full, {"-c",
                             "x",
                             "-b",
                             "127.0.0.1:22100",
                             "-m",
                             "127.0.0.1:22101 127.0.0.1:22102",
                             "--monitor-email",
                             "a@b",
                             "--monitor-email",
                             "c@d",
                             "--monitor-backup",
                             "bk",
                             "--monitor-maxlag",
                             "2.5",
                             "--smtp",
                             "mail:25",
                             "--smtp-tls",
                             "--smtp-auth",
                             "u:p",
                             "-i",
                             "3"}));
  CHECK(full.config.server.masters.size() == 2);
  CHECK(full.config.monitor_email == std::vector<std::string>{"a@b", "c@d"});
  CHECK(full.config.monitor_backup == std::vector<std::string>{"bk"});
  CHECK(full.config.monitor_maxlag == 2.5);
  CHECK(full.config.smtp == "mail:25");
  CHECK(full.config.smtp_tls);
  CHECK(full.config.smtp_auth == "u:p");
  CHECK(full.config.nid == 3);
}

TEST_CASE("neoadmin reads its section of neo.conf", "[admin]") {
  const std::filesystem::path path =
      std::filesystem::temp_directory_path() / ("neoadmin-test-" + std::to_string(getpid()));
  {
    std::ofstream out(path);
    out << "[DEFAULT]\ncluster = filecluster\nmasters = 127.0.0.1:22110\n"
        << "[admin]\nbind = 127.0.0.1:22111\nmonitor_email =\n  a@b\n  c@d\nsmtp_tls = yes\n";
  }
  AdminOptions o;
  const bool parsed = parse_admin(o, {"-f", path.string()});
  std::filesystem::remove(path);
  REQUIRE(parsed);
  CHECK(o.config.server.cluster == "filecluster");
  CHECK(o.config.server.bind.port == 22111);
  CHECK(o.config.server.masters.at(0).port == 22110);
  CHECK(o.config.monitor_email == std::vector<std::string>{"a@b", "c@d"});
  CHECK(o.config.smtp_tls);
}

TEST_CASE("neoadmin requires a cluster name", "[admin]") {
  AdminOptions o;
  CHECK_FALSE(parse_admin(o, {}));
}

namespace {

bool parse_simple(neo::simple::SimpleOptions& o, std::vector<std::string> args) {
  return parse(
      o,
      [](CLI::App& app, neo::simple::SimpleOptions& opts) {
        neo::simple::add_simple_options(app, opts);
      },
      std::move(args));
}

}  // namespace

TEST_CASE("neosimple defaults to two storages in ./neosimple-data", "[neosimple]") {
  neo::simple::SimpleOptions o;
  REQUIRE(parse_simple(o, {}));
  CHECK(neo::simple::validate(o).empty());
  CHECK(neo::simple::storage_count(o) == 2);
  CHECK(o.data_dir == "neosimple-data");
  CHECK(o.bind_ip == "127.0.0.1");
}

TEST_CASE("neosimple accepts upstream's option names", "[neosimple]") {
  neo::simple::SimpleOptions o;
  REQUIRE(parse_simple(o, {"--seed",
                           "x",
                           "--adapter",
                           "SQLite",
                           "--autostart",
                           "--bind_ip",
                           "127.0.0.1",
                           "--master_count",
                           "2",
                           "--name",
                           "foo",
                           "--partitions",
                           "5",
                           "--replicas",
                           "1",
                           "--temp_dir",
                           "/tmp/d",
                           "--address_type",
                           "ipv6",
                           "--clear_databases",
                           "--cleanup_on_delete",
                           "--logger",
                           "db1",
                           "db2",
                           "db3"}));
  CHECK(neo::simple::validate(o).empty());
  CHECK(neo::simple::storage_count(o) == 3);
  CHECK(o.data_dir == "/tmp/d");
  CHECK(o.master_count == 2);
  CHECK(o.name == "foo");
  neo::simple::SimpleOptions mysql;
  CHECK_FALSE(parse_simple(mysql, {"--adapter", "MySQL"}));
}

TEST_CASE("neosimple rejects contradictory options", "[neosimple]") {
  neo::simple::SimpleOptions both;
  REQUIRE(parse_simple(both, {"-n", "3", "db1"}));
  CHECK(neo::simple::validate(both) == "give either -n/--storages or databases, not both");
  neo::simple::SimpleOptions zero;
  REQUIRE(parse_simple(zero, {"-n", "0"}));
  CHECK_FALSE(neo::simple::validate(zero).empty());
  neo::simple::SimpleOptions ports;
  REQUIRE(parse_simple(ports, {"--port-base", "65534"}));
  CHECK(neo::simple::validate(ports) == "--port-base: not enough ports");
}

TEST_CASE("neosimple runs the daemons with upstream's options", "[neosimple]") {
  neo::simple::SimpleOptions o;
  REQUIRE(parse_simple(o, {"--port-base", "22400", "--partitions", "4", "--replicas", "1",
                           "--data-dir", "/d", "--name", "c1", "db1", "/abs/db2.sqlite"}));
  REQUIRE(neo::simple::validate(o).empty());
  std::mt19937_64 rng(1);
  neo::simple::Layout layout(o, {}, rng);
  REQUIRE(layout.ports_assigned());
  using Words = std::vector<std::string>;
  CHECK(layout.command(layout.masters()[0], "/bin", true) ==
        Words{"/bin/neomaster", "-l", "/d/master.log", "-c", "c1", "-b", "127.0.0.1:22400", "-m",
              "127.0.0.1:22400", "-p", "4", "-r", "1", "-A", "2"});
  CHECK(layout.command(layout.storages()[0], "/bin", true) ==
        Words{"/bin/neostorage", "-l", "/d/storage1.log", "-c", "c1", "-b", "127.0.0.1:22401", "-m",
              "127.0.0.1:22400", "-a", "SQLite", "-d", "/d/db1.sqlite"});
  CHECK(layout.storages()[1].database == "/abs/db2.sqlite");
  CHECK(layout.command(layout.admin(), "/bin", false) ==
        Words{"/bin/neoadmin", "-l", "/d/admin.log", "-c", "c1", "-b", "127.0.0.1:22403", "-m",
              "127.0.0.1:22400"});
}

TEST_CASE("neosimple brings the same cluster back from its saved settings", "[neosimple]") {
  neo::simple::SimpleOptions first;
  REQUIRE(parse_simple(first, {"--partitions", "6"}));
  REQUIRE(neo::simple::validate(first).empty());
  std::mt19937_64 rng(7);
  neo::simple::Layout a(first, {}, rng);
  std::uint16_t next = 22300;
  a.assign_ports([&] { return next++; });
  const neo::simple::Settings saved =
      neo::simple::parse_settings(neo::simple::format_settings(a.settings()));

  neo::simple::SimpleOptions again;
  REQUIRE(parse_simple(again, {"--partitions", "3"}));
  REQUIRE(neo::simple::validate(again).empty());
  std::vector<std::string> notes;
  neo::simple::Layout b(again, saved, rng, &notes);
  CHECK(b.name() == a.name());
  CHECK(b.partitions() == 6);
  CHECK(notes.size() == 1);
  CHECK(b.ports_assigned());
  CHECK(b.address(b.admin()) == a.address(a.admin()));
  CHECK(b.master_list() == a.master_list());
}

TEST_CASE("neosimple uses brackets for IPv6 addresses", "[neosimple]") {
  neo::simple::SimpleOptions o;
  REQUIRE(parse_simple(o, {"--address_type", "ipv6", "--port-base", "22200"}));
  REQUIRE(neo::simple::validate(o).empty());
  std::mt19937_64 rng(1);
  neo::simple::Layout layout(o, {}, rng);
  CHECK(layout.master_list() == "[::1]:22200");
}
