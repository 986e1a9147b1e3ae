#include "nodes/master/master_config.hpp"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

using neo::master::MasterOptions;

namespace {
MasterOptions parse(std::vector<std::string> args) {
  CLI::App app{"NEO Master node", "neomaster"};
  neo::config::CommonOptions common;
  MasterOptions options;
  neo::config::add_common_options(app, common);
  neo::master::add_master_options(app, options);
  std::reverse(args.begin(), args.end());
  app.parse(args);
  return options;
}
}  // namespace

TEST_CASE("the options of upstream's test harness are accepted", "[master]") {
  MasterOptions o = parse({"--nid", "-268435455", "--cluster", "c", "--masters", "127.0.0.1:21000",
                           "--bind", "127.0.0.1:21000", "--partitions", "7", "--replicas", "2"});
  neo::master::MasterConfig config = neo::master::make_config(o);
  CHECK(config.nid == neo::NodeId{-268435455});
  CHECK(config.partitions == 7);
  CHECK(config.replicas == 2);
  CHECK(config.bind.port == 21000);
  CHECK_FALSE(config.autostart);
}

TEST_CASE("defaults and bad values as upstream", "[master]") {
  MasterOptions o = parse({"-c", "c"});
  CHECK(o.partitions == 100);
  CHECK(o.replicas == 0);
  CHECK(neo::master::make_config(o).bind.port == 10000);
  o.replicas = -1;
  CHECK_THROWS_WITH(neo::master::make_config(o), "replicas must be a positive integer");
  o.replicas = 0;
  o.partitions = 0;
  CHECK_THROWS_WITH(neo::master::make_config(o), "partitions must be more than zero");
}

TEST_CASE("backup mode options are checked as upstream", "[master]") {
  MasterOptions o = parse({"-c", "c", "-A", "2", "-B"});
  CHECK(o.autostart == 2);
  CHECK_THROWS_WITH(neo::master::make_config(o),
                    Catch::Contains("--backup requires --upstream-cluster"));
  o = parse({"-c", "c", "-C", "c", "-M", "127.0.0.1:1"});
  CHECK_THROWS_WITH(neo::master::make_config(o),
                    "upstream cluster name must be different from cluster name");
  o = parse({"-c", "c", "-C", "up"});
  CHECK_THROWS_WITH(neo::master::make_config(o), Catch::Contains("go together"));
  o = parse({"-c", "c", "-B", "--upstream-cluster", "up", "--upstream-masters",
             "127.0.0.1:1 127.0.0.1:2"});
  neo::master::MasterConfig config = neo::master::make_config(o);
  CHECK(config.backup);
  CHECK(config.upstream_cluster == "up");
  REQUIRE(config.upstream_masters.size() == 2);
  CHECK(config.upstream_masters[1].port == 2);
}

TEST_CASE("upstream_cluster and upstream_masters are read from neo.conf", "[master][backup]") {
  const std::filesystem::path path =
      std::filesystem::temp_directory_path() / ("neo-backup-conf-" + std::to_string(::getpid()));
  {
    std::ofstream out(path);
    out << "[DEFAULT]\ncluster: backup\n\n[master]\nbind: 127.0.0.1:10000\n"
           "upstream_cluster: main\nupstream_masters: 127.0.0.1:30000 127.0.0.1:30001\n";
  }
  MasterOptions o = parse({"-f", path.string()});
  std::filesystem::remove(path);
  neo::master::MasterConfig config = neo::master::make_config(o);
  CHECK(config.cluster == "backup");
  CHECK(config.upstream_cluster == "main");
  REQUIRE(config.upstream_masters.size() == 2);
  CHECK(config.upstream_masters[0].port == 30000);
  CHECK_FALSE(config.backup);
}
