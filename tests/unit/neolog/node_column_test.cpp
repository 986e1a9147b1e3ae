#include "cli/neolog/node_column.hpp"

#include <catch2/catch.hpp>

using namespace neo::neolog;

TEST_CASE("node ids print as NEO/py's uuid_str", "[neolog]") {
  CHECK(uuid_str(1) == "S1");
  CHECK(uuid_str(-268435455) == "M1");
  CHECK(uuid_str(-536870910) == "C2");
  CHECK(uuid_str(-805306367) == "A1");
  CHECK(uuid_str(0) == "0");
  CHECK(uuid_str(0x7f000001) == "?127:1");
}

TEST_CASE("the fallback node name is the file name without its extensions", "[neolog]") {
  CHECK(default_node_name("master.log") == "master");
  CHECK(default_node_name("logs/admin.log.1") == "admin.log");
  CHECK(default_node_name("/x/storage0.log.gz") == "storage0");
  CHECK(default_node_name("storage0.log.zst") == "storage0");
  CHECK(default_node_name("s.bz2") == "s");
  CHECK(default_node_name("noext") == "noext");
  CHECK(default_node_name("dir.d/noext") == "noext");
  CHECK(default_node_name(".log") == "");
}

TEST_CASE("the node column shows the nid, else the logger name, else the file", "[neolog]") {
  NodeNaming naming{false, false, "storage0"};
  CHECK(node_label(naming, {std::nullopt, "neocorpus", 1}) == "S1");
  CHECK(node_label(naming, {std::nullopt, "neocorpus", std::nullopt}) == "storage0");
  CHECK(node_label(naming, {"S2-thread", "neocorpus", std::nullopt}) == "S2-thread");
  CHECK(node_label(naming, {"", std::nullopt, 0}) == "storage0");
  naming.show_cluster = true;  // -C
  CHECK(node_label(naming, {std::nullopt, "neocorpus", -268435455}) == "neocorpus/M1");
  CHECK(node_label(naming, {std::nullopt, "neocorpus", std::nullopt}) == "storage0");
  naming = {true, false, "storage0"};  // -N
  CHECK(node_label(naming, {std::nullopt, "neocorpus", 1}) == "storage0");
  CHECK(node_label(naming, {"name", "neocorpus", 1}) == "name");
}
