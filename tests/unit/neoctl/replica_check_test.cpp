// PartitionCheck (check --wait's comparison): the ranges asked, as a
// storage's Checker, and who is reported where, from scripted digests.
#include "cli/neoctl/replica_check.hpp"

#include <catch2/catch.hpp>

using namespace neo;
using namespace neo::neoctl;
using protocol::AskCheckSerialRange;
using protocol::AskCheckTIDRange;

namespace {

const NodeId kS1{1}, kS2{2}, kS3{3};

RangeDigest tids(std::int64_t count, std::string sha, std::uint64_t max_tid) {
  return digest_of(protocol::AnswerCheckTIDRange{count, std::move(sha), Tid{max_tid}});
}

RangeDigest objects(std::int64_t count, std::string sha, std::uint64_t max_tid,
                    std::uint64_t max_oid) {
  return digest_of(protocol::AnswerCheckSerialRange{count, std::move(sha), Tid{max_tid}, "o" + sha,
                                                    Oid{max_oid}});
}

// Every participant answers `digest`.
void all_answer(PartitionCheck& check, const RangeDigest& digest) {
  check.feed(std::vector<PartitionCheck::Answer>(check.participants().size(), digest));
}

AskCheckTIDRange tid_request(const PartitionCheck& check) {
  REQUIRE(std::holds_alternative<AskCheckTIDRange>(check.request()));
  return std::get<AskCheckTIDRange>(check.request());
}

AskCheckSerialRange serial_request(const PartitionCheck& check) {
  REQUIRE(std::holds_alternative<AskCheckSerialRange>(check.request()));
  return std::get<AskCheckSerialRange>(check.request());
}

}  // namespace

TEST_CASE("replicas that agree: transactions then objects, chunk by chunk", "[neoctl]") {
  PartitionCheck check(3, {kS1, kS2}, std::nullopt, Tid{5}, Tid{100}, 2);
  CHECK_FALSE(check.done());
  AskCheckTIDRange t = tid_request(check);
  CHECK(t.partition == 3);
  CHECK(t.length == 2);
  CHECK(t.min_tid == Tid{5});
  CHECK(t.max_tid == Tid{100});
  all_answer(check, tids(2, "a", 10));  // a full chunk: the next one after it
  CHECK(tid_request(check).min_tid == Tid{11});
  all_answer(check, tids(1, "b", 40));  // the last one: objects from the start
  AskCheckSerialRange s = serial_request(check);
  CHECK(s.partition == 3);
  CHECK(s.min_tid == Tid{5});
  CHECK(s.max_tid == Tid{100});
  CHECK(s.min_oid == Oid{0});
  all_answer(check, objects(2, "c", 11, 7));
  s = serial_request(check);
  CHECK(s.min_tid == Tid{11});
  CHECK(s.min_oid == Oid{8});
  CHECK_FALSE(check.done());
  all_answer(check, objects(0, "d", 0, 0));
  CHECK(check.done());
  CHECK(check.complete());
  CHECK(check.differences().empty());
  CHECK(check.failures().empty());
}

TEST_CASE("two replicas that differ: the second is named, the check stops", "[neoctl]") {
  PartitionCheck check(1, {kS1, kS2}, std::nullopt, Tid{0}, Tid{100}, 2);
  all_answer(check, tids(1, "a", 40));
  check.feed({objects(1, "x", 40, 3), objects(1, "y", 40, 3)});
  CHECK(check.done());
  CHECK_FALSE(check.complete());
  REQUIRE(check.differences().size() == 1);
  const Difference& d = check.differences()[0];
  CHECK(d.nid == kS2);
  CHECK(d.reference == kS1);
  CHECK(d.objects);
  CHECK(d.min_tid == Tid{0});
  CHECK(d.max_tid == Tid{100});  // partial chunks: up to max_tid
  CHECK(check.failures().empty());
}

TEST_CASE("the given reference decides, whatever the table order", "[neoctl]") {
  PartitionCheck check(0, {kS1, kS2}, kS2, Tid{0}, Tid{100}, 2);
  check.feed({tids(2, "x", 30), tids(2, "y", 20)});  // full chunks: up to the earlier end
  REQUIRE(check.differences().size() == 1);
  CHECK(check.differences()[0].nid == kS1);
  CHECK(check.differences()[0].reference == kS2);
  CHECK_FALSE(check.differences()[0].objects);
  CHECK(check.differences()[0].max_tid == Tid{20});
  CHECK(check.done());
}

TEST_CASE("of 3 replicas, the one unlike the others is named; the others go on", "[neoctl]") {
  PartitionCheck check(2, {kS1, kS2, kS3}, std::nullopt, Tid{0}, Tid{100}, 2);
  check.feed({tids(2, "bad", 12), tids(2, "a", 10), tids(2, "a", 10)});
  REQUIRE(check.differences().size() == 1);
  CHECK(check.differences()[0].nid == kS1);
  CHECK(check.differences()[0].reference == kS2);
  CHECK(check.differences()[0].max_tid == Tid{10});
  CHECK(check.participants() == std::vector<NodeId>{kS2, kS3});
  CHECK(tid_request(check).min_tid == Tid{11});  // from the agreed answer
  all_answer(check, tids(0, "", 0));
  check.feed({objects(1, "o", 12, 9), objects(1, "p", 12, 9)});
  REQUIRE(check.differences().size() == 2);
  CHECK(check.differences()[1].nid == kS3);
  CHECK(check.differences()[1].objects);
  CHECK(check.done());
}

TEST_CASE("a replica that fails leaves the check", "[neoctl]") {
  SECTION("the others go on") {
    PartitionCheck check(0, {kS1, kS2, kS3}, std::nullopt, Tid{0}, Tid{100}, 2);
    check.feed({tids(0, "", 0), std::string("connection closed"), tids(0, "", 0)});
    CHECK(check.participants() == std::vector<NodeId>{kS1, kS3});
    REQUIRE(check.failures().size() == 1);
    CHECK(check.failures()[0].nid == kS2);
    CHECK(check.failures()[0].why == "connection closed");
    all_answer(check, objects(0, "", 0, 0));
    CHECK(check.complete());
    CHECK(check.differences().empty());
  }
  SECTION("nothing left to compare") {
    PartitionCheck check(0, {kS1, kS2}, std::nullopt, Tid{0}, Tid{100}, 2);
    check.feed({std::string("NOT_READY"), tids(0, "", 0)});
    CHECK(check.done());
    CHECK_FALSE(check.complete());
    CHECK(check.failures().size() == 1);
  }
  SECTION("the reference fails") {
    PartitionCheck check(0, {kS1, kS2, kS3}, kS1, Tid{0}, Tid{100}, 2);
    check.feed({std::string("CHECKING_ERROR"), tids(0, "", 0), tids(0, "", 0)});
    CHECK(check.done());
    CHECK_FALSE(check.complete());
    CHECK(check.differences().empty());
  }
}

TEST_CASE("nothing to compare: fewer than 2 replicas, or a reference not among them", "[neoctl]") {
  CHECK(PartitionCheck(0, {kS1}, std::nullopt, Tid{0}, Tid{1}).done());
  CHECK(PartitionCheck(0, {kS1, kS2}, kS3, Tid{0}, Tid{1}).done());
  PartitionCheck check(0, {kS1, kS2}, std::nullopt, Tid{0}, Tid{1});
  CHECK_FALSE(check.done());
  CHECK(tid_request(check).length == kCheckCount);
  check.feed({tids(0, "", 0)});  // not one answer per participant
  CHECK(check.done());
  CHECK_FALSE(check.complete());
}
