#include "nodes/master/recovery.hpp"

#include <catch2/catch.hpp>

using neo::NodeId;
using neo::master::Recovery;
namespace protocol = neo::protocol;

namespace {
const NodeId S1{1}, S2{2}, S3{3};

protocol::AnswerRecovery with_ptid(std::optional<std::int64_t> ptid) {
  return protocol::AnswerRecovery{ptid, std::nullopt, std::nullopt};
}

Recovery::Input base_input() {
  Recovery::Input in;
  in.is_pending = [](NodeId) { return true; };
  in.has_outstanding = [](NodeId) { return false; };
  return in;
}
}  // namespace

TEST_CASE("recovery asks the table of the node with the highest ptid", "[master]") {
  Recovery r;
  CHECK_FALSE(r.answered(S1, with_ptid(std::nullopt)));  // empty database
  CHECK(r.answered(S2, with_ptid(3)));
  CHECK_FALSE(r.answered(S3, with_ptid(3)));  // queued behind S2
  CHECK(r.answered(S1, with_ptid(5)));        // a newer table wins
  CHECK(r.target_ptid() == 5);
  CHECK_FALSE(r.take_table(3));  // late answer of an older table: ignored
  CHECK(r.take_table(5));
  CHECK_FALSE(r.answered(S3, with_ptid(5)));  // already loaded
}

TEST_CASE("recovery asks the next node with the same ptid when the asked one leaves",
          "[master]") {
  Recovery r;
  CHECK(r.answered(S1, with_ptid(4)));
  CHECK_FALSE(r.answered(S2, with_ptid(4)));
  CHECK(r.lost(S1) == S2);
  CHECK_FALSE(r.waiting_lost());
  CHECK_FALSE(r.lost(S2));
  CHECK(r.waiting_lost());  // nobody else has version 4
  CHECK(r.answered(S3, with_ptid(4)));  // it came back (or another one has it)
}

TEST_CASE("a new cluster starts with --autostart connected storages", "[master]") {
  Recovery::Input in = base_input();
  in.autostart = 2;
  in.identified_storages = {S1};
  CHECK_FALSE(Recovery::decide(in));
  in.identified_storages = {S1, S2};
  CHECK(Recovery::decide(in) == std::vector<NodeId>{S1, S2});
  in.has_outstanding = [](NodeId nid) { return nid == S2; };  // AskRecovery not answered yet
  CHECK_FALSE(Recovery::decide(in));
}

TEST_CASE("a new cluster without --autostart waits for neoctl start", "[master]") {
  Recovery::Input in = base_input();
  in.identified_storages = {S1, S2};
  CHECK_FALSE(Recovery::decide(in));
  in.autostart = 0;  // 0 means no autostart, as NEO/py
  CHECK_FALSE(Recovery::decide(in));
  in.startup_allowed = true;
  CHECK(Recovery::decide(in) == std::vector<NodeId>{S1, S2});
  in.identified_storages.clear();
  CHECK_FALSE(Recovery::decide(in));
}

TEST_CASE("an existing cluster waits for every storage with readable cells", "[master]") {
  Recovery::Input in = base_input();
  in.pt_filled = true;
  in.operational = {S1, S2};
  in.is_pending = [](NodeId nid) { return nid == S1; };  // S2 still DOWN
  in.connected_members = {S1};
  in.autostart = 1;  // no effect on an existing cluster
  CHECK_FALSE(Recovery::decide(in));
  in.startup_allowed = true;  // neoctl start: go with the connected ones
  CHECK(Recovery::decide(in) == std::vector<NodeId>{S1});
  in.startup_allowed = false;
  in.is_pending = [](NodeId) { return true; };
  in.connected_members = {S1, S2, S3};
  CHECK(Recovery::decide(in) == std::vector<NodeId>{S1, S2, S3});
  in.operational.clear();  // some partition has no readable cell on a connected node
  CHECK_FALSE(Recovery::decide(in));
}

// Found by the simulation (tests/sim, seed 1050): S2 answered first with
// ptid 1, its table was loaded; S3 and S1 then announced ptid 2 and S3 was
// asked for it, but the cluster left recovery at once with the table of
// ptid 1, where a cell since OUT_OF_DATE looked readable: the commits made
// meanwhile were lost.
TEST_CASE("recovery never leaves with an older table while a newer one is fetched", "[master]") {
  Recovery r;
  REQUIRE(r.answered(S2, with_ptid(1)));
  REQUIRE(r.take_table(1));
  REQUIRE(r.answered(S3, with_ptid(2)));  // ask S3 for its table
  CHECK_FALSE(r.answered(S1, with_ptid(2)));  // S3 already asked
  Recovery::Input in = base_input();
  in.pt_filled = true;
  in.operational = {S1, S2};
  in.connected_members = {S1, S2, S3};
  in.table_awaited = r.target_ptid() > 1;
  CHECK_FALSE(Recovery::decide(in));
  REQUIRE(r.take_table(2));
  in.table_awaited = false;  // the table of ptid 2 is loaded
  CHECK(Recovery::decide(in) == std::vector<NodeId>{S1, S2, S3});
}

TEST_CASE("truncating, recovery waits for every node with cells; who must be told again",
          "[master][truncate]") {
  Recovery::Input in = base_input();
  in.pt_filled = true;
  in.operational = {S1};  // S2 has only OUT_OF_DATE cells
  in.pt_nodes = {S1, S2};
  in.connected_members = {S1};
  in.is_pending = [](NodeId nid) { return nid == S1; };
  CHECK(Recovery::decide(in) == std::vector<NodeId>{S1});  // no truncation: S1 is enough
  in.truncate_tid = neo::Tid{8};
  CHECK_FALSE(Recovery::decide(in));  // S2 may have data after the TID
  in.is_pending = [](NodeId) { return true; };
  in.connected_members = {S1, S2};
  CHECK(Recovery::decide(in) == std::vector<NodeId>{S1, S2});
  in.is_pending = [](NodeId nid) { return nid == S1; };
  in.startup_allowed = true;  // neoctl start: the operator's choice
  CHECK(Recovery::decide(in) == std::vector<NodeId>{S1, S2});

  Recovery r;
  r.answered(S1, {.ptid = 2, .truncate_tid = neo::Tid{8}});
  r.answered(S2, {.ptid = 2});
  r.answered(S3, {.ptid = 2, .truncate_tid = neo::Tid{9}});  // a later one
  CHECK(r.untruncated(neo::Tid{8}) == std::vector<NodeId>{S2, S3});
  CHECK(r.untruncated(neo::Tid{9}) == std::vector<NodeId>{S2});
  r.lost(S2);
  CHECK(r.untruncated(neo::Tid{8}) == std::vector<NodeId>{S3});
}
