// neostress's data model: encodings round trip and refuse damage, logs
// spill into buckets, and verify() finds every kind of lost or extra data.
#include "cli/neostress/model.hpp"

#include <catch2/catch.hpp>

namespace neo::stress {
namespace {

Layout layout_of(std::size_t writers, std::size_t accounts, std::int64_t balance) {
  Layout layout;
  for (std::size_t i = 0; i < writers; ++i) layout.writers.push_back(Oid{100 + i});
  for (std::size_t i = 0; i < accounts; ++i) layout.accounts.push_back(Oid{200 + i});
  layout.logs = {Oid{1}, Oid{2}, Oid{3}};
  layout.initial_balance = balance;
  return layout;
}

// Writer w made `count` commits, each appended twice (two logs).
void commits(Snapshot& s, std::uint32_t w, std::uint32_t count) {
  for (std::uint32_t j = 0; j < count; ++j)
    s.entries.push_back({w, j}), s.entries.push_back({w, j});
  if (s.counts.size() <= w) s.counts.resize(w + 1);
  s.counts[w] = count;
}

TEST_CASE("neostress objects round trip and refuse damage") {
  Layout layout = layout_of(2, 3, 1000);
  auto decoded = decode_layout(encode_layout(layout));
  REQUIRE(decoded);
  CHECK(decoded->writers == layout.writers);
  CHECK(decoded->accounts == layout.accounts);
  CHECK(decoded->logs == layout.logs);
  CHECK(decoded->initial_balance == 1000);

  LogHead head{.buckets = {Oid{7}}, .entries = {{1, 2}, {3, 4}}};
  auto log = decode_log(encode_log(head));
  REQUIRE(log);
  CHECK(log->buckets == head.buckets);
  CHECK(log->entries == head.entries);
  CHECK(decode_count(encode_count(-42)) == -42);

  const std::string good = encode_log(head);
  CHECK_FALSE(decode_log(good.substr(0, good.size() - 1)));  // cut
  CHECK_FALSE(decode_log(good + "x"));                       // trailing bytes
  CHECK_FALSE(decode_log("NSB1" + good.substr(4)));          // another kind
  CHECK_FALSE(decode_count(encode_log(head)));
  // A huge list length cannot make the decoder allocate.
  CHECK_FALSE(decode_bucket(std::string("NSB1\xff\xff\xff\xff", 8)));
}

TEST_CASE("a full log head moves its entries to a new bucket") {
  LogHead head;
  for (std::uint32_t j = 0; j < kBucketEntries; ++j) CHECK_FALSE(append(head, {0, j}, Oid{}));
  CHECK(full(head));
  auto bucket = append(head, {0, 99}, Oid{55});
  REQUIRE(bucket);
  CHECK(decode_bucket(*bucket)->size() == kBucketEntries);
  CHECK(head.buckets == std::vector<Oid>{Oid{55}});
  CHECK(head.entries == std::vector<Entry>{{0, 99}});
}

TEST_CASE("acks are parsed line by line; a cut last line is not an ack") {
  const std::string text =
      format_ack({1, 2, Tid{0x3ff}}) + format_ack({0, 0, Tid{5}}) + "garbage\n" + "4 5";
  std::size_t bad = 0;
  const std::vector<Ack> acks = parse_acks(text, &bad);
  REQUIRE(acks.size() == 2);
  CHECK(acks[0].writer == 1);
  CHECK(acks[0].seq == 2);
  CHECK(acks[0].tid == Tid{0x3ff});
  CHECK(bad == 1);
}

TEST_CASE("verify accepts a consistent database") {
  const Layout layout = layout_of(2, 2, 500);
  Snapshot s;
  commits(s, 0, 10);
  commits(s, 1, 3);
  s.balances = {480, 520};
  const Verdict v = verify(layout, s, {{0, 9, Tid{1}}, {1, 2, Tid{2}}});
  CHECK(v.violations.empty());
  CHECK(v.commits == 13);
  CHECK(v.acked == 2);
}

TEST_CASE("verify finds lost, duplicated and phantom commits, and money") {
  const Layout layout = layout_of(2, 2, 500);
  Snapshot base;
  commits(base, 0, 5);
  commits(base, 1, 5);
  base.balances = {500, 500};

  SECTION("an entry lost from one log") {
    Snapshot s = base;
    s.entries.erase(s.entries.begin() + 3);
    CHECK(verify(layout, s, {}).violations.size() == 1);
  }
  SECTION("a commit lost entirely") {
    Snapshot s = base;
    std::erase(s.entries, Entry{1, 2});
    const Verdict v = verify(layout, s, {});
    REQUIRE(v.violations.size() == 1);
    CHECK(v.violations[0].find("missing") != std::string::npos);
  }
  SECTION("a commit applied twice") {
    Snapshot s = base;
    s.entries.push_back({0, 1}), s.entries.push_back({0, 1});
    CHECK(verify(layout, s, {}).violations.size() == 1);
  }
  SECTION("an acknowledged commit that is not there") {
    Snapshot s = base;
    const Verdict v = verify(layout, s, {{1, 5, Tid{9}}});
    REQUIRE(v.violations.size() == 1);
    CHECK(v.violations[0].find("acknowledged") != std::string::npos);
  }
  SECTION("entries beyond the writer's count, and unknown writers") {
    Snapshot s = base;
    s.entries.push_back({0, 7}), s.entries.push_back({0, 7}), s.entries.push_back({9, 0});
    CHECK(verify(layout, s, {}).violations.size() == 2);
  }
  SECTION("money created") {
    Snapshot s = base;
    s.balances[1] += 1;
    CHECK(verify(layout, s, {}).violations.size() == 1);
  }
}

}  // namespace
}  // namespace neo::stress
