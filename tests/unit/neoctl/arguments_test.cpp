#include "cli/neoctl/arguments.hpp"

#include <catch2/catch.hpp>

using namespace neo;
using namespace neo::neoctl;

TEST_CASE("integers are read as Python's int() reads them", "[neoctl]") {
  CHECK(parse_int("12") == 12);
  CHECK(parse_int(" 12\n") == 12);
  CHECK(parse_int("+7") == 7);
  CHECK(parse_int("-3") == -3);
  CHECK(parse_int("007") == 7);
  CHECK(parse_int("1_000") == 1000);
  CHECK(parse_int("9223372036854775807") == INT64_MAX);
  CHECK(parse_int("-9223372036854775808") == INT64_MIN);
  CHECK_FALSE(parse_int("9223372036854775808"));
  CHECK_FALSE(parse_int(""));
  CHECK_FALSE(parse_int("x"));
  CHECK_FALSE(parse_int("1__0"));
  CHECK_FALSE(parse_int("_1"));
  CHECK_FALSE(parse_int("1_"));
  CHECK_FALSE(parse_int("0x10"));
  CHECK_FALSE(parse_int("1.0"));
  CHECK_FALSE(parse_int("- 1"));
}

TEST_CASE("node ids are read as upstream's uuid_int", "[neoctl]") {
  CHECK(parse_node("S1") == NodeId{1});
  CHECK(parse_node("S12") == NodeId{12});
  CHECK(parse_node("M1") == make_node_id(0, 1));
  CHECK(parse_node("C3") == make_node_id(2, 3));
  CHECK(parse_node("A1") == make_node_id(3, 1));
  CHECK(parse_node("S01") == NodeId{1});
  CHECK(parse_node("S 1") == NodeId{1});
  CHECK_FALSE(parse_node(""));
  CHECK_FALSE(parse_node("s1"));
  CHECK_FALSE(parse_node("X1"));
  CHECK_FALSE(parse_node("S"));
  CHECK_FALSE(parse_node("Sx"));
  CHECK_FALSE(parse_node("S99999999999"));
  CHECK_FALSE(parse_node("all"));
}

TEST_CASE("TIDs are tid:<int> or a UNIX time", "[neoctl]") {
  CHECK(parse_tid("tid:257684787499560686") == Tid{257684787499560686ULL});
  CHECK(parse_tid("TID:0x3937af2eeeeeeee") == Tid{0x3937af2eeeeeeeeULL});
  CHECK(parse_tid("tid:0") == Tid{0});
  CHECK(parse_tid("1325421296") == tid_from_time(1325421296));
  CHECK(parse_tid("1325421296.5") == tid_from_time(1325421296.5));
  CHECK_FALSE(parse_tid("tid:zz"));
  CHECK_FALSE(parse_tid("tid:-1"));
  CHECK_FALSE(parse_tid("yesterday"));
  CHECK_FALSE(parse_tid(""));
}

TEST_CASE("node types and cluster states ignore case", "[neoctl]") {
  CHECK(parse_node_type("storage") == protocol::NodeType::Storage);
  CHECK(parse_node_type("Master") == protocol::NodeType::Master);
  CHECK(parse_node_type("CLIENT") == protocol::NodeType::Client);
  CHECK(parse_node_type("admin") == protocol::NodeType::Admin);
  CHECK_FALSE(parse_node_type("foo"));
  CHECK(parse_cluster_state("recovering") == protocol::ClusterState::Recovering);
  CHECK(parse_cluster_state("Stopping") == protocol::ClusterState::Stopping);
  CHECK(parse_cluster_state("starting_backup") == protocol::ClusterState::StartingBackup);
  CHECK(parse_cluster_state("BACKINGUP") == protocol::ClusterState::BackingUp);
  CHECK_FALSE(parse_cluster_state("bogus"));
}
