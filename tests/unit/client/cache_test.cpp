// Tests of nodes/client/cache.hpp: revision lookups, validity ranges,
// invalidations, LRU eviction by bytes.
#include "nodes/client/cache.hpp"

#include <catch2/catch.hpp>
#include <string>

using namespace neo;
using neo::client::Cache;

namespace {

constexpr Oid O1{1}, O2{2}, O3{3};
constexpr Tid T(std::uint64_t value) { return Tid{value}; }
constexpr std::size_t kOverhead = 64;  // Cache's fixed cost per revision

std::string data(std::size_t size, char c = 'x') { return std::string(size, c); }

}  // namespace

TEST_CASE("cache: empty", "[client][cache]") {
  Cache cache(1 << 20);
  CHECK(cache.current(O1) == nullptr);
  CHECK(cache.before(O1, T(10), T(100)) == nullptr);
  CHECK(cache.at(O1, T(10)) == nullptr);
  CHECK(cache.bytes() == 0);
  CHECK(cache.records() == 0);
}

TEST_CASE("cache: current revision", "[client][cache]") {
  Cache cache(1 << 20);
  cache.store(O1, T(10), std::nullopt, "ten");
  const auto* entry = cache.current(O1);
  REQUIRE(entry != nullptr);
  CHECK(entry->serial == T(10));
  CHECK_FALSE(entry->next_serial);
  CHECK(entry->data == "ten");
  CHECK(cache.current(O2) == nullptr);
  CHECK(cache.records() == 1);
  CHECK(cache.bytes() == 3 + kOverhead);

  SECTION("an older revision stored later does not hide the current one") {
    cache.store(O1, T(5), T(10), "five");
    REQUIRE(cache.current(O1) != nullptr);
    CHECK(cache.current(O1)->serial == T(10));
    CHECK(cache.records() == 2);
  }
  SECTION("only an old, ended revision known: no current one") {
    Cache other(1 << 20);
    other.store(O1, T(5), T(10), "five");
    CHECK(other.current(O1) == nullptr);
  }
}

TEST_CASE("cache: at() finds exactly one serial", "[client][cache]") {
  Cache cache(1 << 20);
  cache.store(O1, T(5), T(10), "five");
  cache.store(O1, T(10), std::nullopt, "ten");
  REQUIRE(cache.at(O1, T(5)) != nullptr);
  CHECK(cache.at(O1, T(5))->data == "five");
  CHECK(cache.at(O1, T(5))->next_serial == T(10));
  REQUIRE(cache.at(O1, T(10)) != nullptr);
  CHECK(cache.at(O1, T(10))->data == "ten");
  CHECK(cache.at(O1, T(6)) == nullptr);
  CHECK(cache.at(O1, T(11)) == nullptr);
  CHECK(cache.at(O2, T(5)) == nullptr);
}

TEST_CASE("cache: before() follows validity ranges [serial, next_serial)", "[client][cache]") {
  Cache cache(1 << 20);
  cache.store(O1, T(5), T(10), "five");
  cache.store(O1, T(10), T(20), "ten");
  const Tid known = T(100);

  // Before the first known revision: unknown here.
  CHECK(cache.before(O1, T(5), known) == nullptr);
  CHECK(cache.before(O1, T(3), known) == nullptr);
  // before=6: the revision current at 5 is "five".
  REQUIRE(cache.before(O1, T(6), known) != nullptr);
  CHECK(cache.before(O1, T(6), known)->data == "five");
  // before=10: current just before 10 is still "five" (it ends at 10).
  REQUIRE(cache.before(O1, T(10), known) != nullptr);
  CHECK(cache.before(O1, T(10), known)->data == "five");
  // before=11: "ten".
  REQUIRE(cache.before(O1, T(11), known) != nullptr);
  CHECK(cache.before(O1, T(11), known)->data == "ten");
  // before=20: "ten" still (valid until 20 exclusive, i.e. at 19).
  REQUIRE(cache.before(O1, T(20), known) != nullptr);
  CHECK(cache.before(O1, T(20), known)->serial == T(10));
  // before=21: "ten" ended at 20 and the next revision is not cached.
  CHECK(cache.before(O1, T(21), known) == nullptr);
  CHECK(cache.before(O1, T(1000), known) == nullptr);
}

TEST_CASE("cache: before() has a gap when a middle revision is missing", "[client][cache]") {
  Cache cache(1 << 20);
  cache.store(O1, T(5), T(10), "five");
  cache.store(O1, T(30), std::nullopt, "thirty");  // 10..30 unknown
  CHECK(cache.before(O1, T(10), T(100))->data == "five");
  CHECK(cache.before(O1, T(11), T(100)) == nullptr);
  CHECK(cache.before(O1, T(30), T(100)) == nullptr);
  REQUIRE(cache.before(O1, T(31), T(100)) != nullptr);
  CHECK(cache.before(O1, T(31), T(100))->data == "thirty");
}

TEST_CASE("cache: the current revision counts for before() only up to `known`", "[client][cache]") {
  Cache cache(1 << 20);
  cache.store(O1, T(10), std::nullopt, "ten");
  // The client knows every transaction before 50: the current revision is
  // valid at least until then.
  REQUIRE(cache.before(O1, T(11), T(50)) != nullptr);
  CHECK(cache.before(O1, T(11), T(50))->data == "ten");
  REQUIRE(cache.before(O1, T(50), T(50)) != nullptr);
  CHECK(cache.before(O1, T(50), T(50))->serial == T(10));
  // Beyond what the client knows: a newer revision may exist.
  CHECK(cache.before(O1, T(51), T(50)) == nullptr);
  CHECK(cache.before(O1, T(1000), T(50)) == nullptr);
  // Before the revision itself: nothing.
  CHECK(cache.before(O1, T(10), T(50)) == nullptr);
}

TEST_CASE("cache: invalidate() ends the current revision", "[client][cache]") {
  Cache cache(1 << 20);
  cache.store(O1, T(10), std::nullopt, "ten");
  cache.invalidate(O1, T(20));
  CHECK(cache.current(O1) == nullptr);
  const auto* entry = cache.at(O1, T(10));
  REQUIRE(entry != nullptr);
  CHECK(entry->next_serial == T(20));
  CHECK(entry->data == "ten");
  // Still usable for loads before the invalidating transaction.
  REQUIRE(cache.before(O1, T(20), T(100)) != nullptr);
  CHECK(cache.before(O1, T(20), T(100))->data == "ten");
  CHECK(cache.before(O1, T(21), T(100)) == nullptr);

  SECTION("a second invalidation does not move the end") {
    cache.invalidate(O1, T(30));
    CHECK(cache.at(O1, T(10))->next_serial == T(20));
  }
  SECTION("the new revision can then be stored as current") {
    cache.store(O1, T(20), std::nullopt, "twenty");
    REQUIRE(cache.current(O1) != nullptr);
    CHECK(cache.current(O1)->data == "twenty");
    CHECK(cache.before(O1, T(20), T(100))->data == "ten");
    CHECK(cache.before(O1, T(21), T(100))->data == "twenty");
  }
}

TEST_CASE("cache: invalidate() ignores revisions not older than tid", "[client][cache]") {
  Cache cache(1 << 20);
  cache.store(O1, T(20), std::nullopt, "twenty");
  SECTION("same tid: the revision was written by that transaction") {
    cache.invalidate(O1, T(20));
    REQUIRE(cache.current(O1) != nullptr);
    CHECK(cache.current(O1)->serial == T(20));
  }
  SECTION("older tid (a late invalidation)") {
    cache.invalidate(O1, T(15));
    REQUIRE(cache.current(O1) != nullptr);
    CHECK_FALSE(cache.current(O1)->next_serial);
  }
  SECTION("unknown object: nothing happens") {
    cache.invalidate(O2, T(30));
    CHECK(cache.records() == 1);
    CHECK(cache.current(O2) == nullptr);
  }
  SECTION("other objects keep their current revision") {
    cache.store(O2, T(5), std::nullopt, "o2");
    cache.invalidate(O1, T(30));
    CHECK(cache.current(O1) == nullptr);
    REQUIRE(cache.current(O2) != nullptr);
    CHECK(cache.current(O2)->serial == T(5));
  }
}

TEST_CASE("cache: storing a revision with the same serial replaces it", "[client][cache]") {
  Cache cache(1 << 20);
  cache.store(O1, T(10), std::nullopt, data(100, 'a'));
  CHECK(cache.bytes() == 100 + kOverhead);

  SECTION("the only revision of the object") {
    cache.store(O1, T(10), T(20), data(50, 'b'));
    CHECK(cache.records() == 1);
    CHECK(cache.bytes() == 50 + kOverhead);
    const auto* entry = cache.at(O1, T(10));
    REQUIRE(entry != nullptr);
    CHECK(entry->data == data(50, 'b'));
    CHECK(entry->next_serial == T(20));
    CHECK(cache.current(O1) == nullptr);
  }
  SECTION("one of several revisions") {
    cache.store(O1, T(5), T(10), "five");
    cache.store(O1, T(10), std::nullopt, "new ten");
    CHECK(cache.records() == 2);
    CHECK(cache.bytes() == 4 + 7 + 2 * kOverhead);
    CHECK(cache.current(O1)->data == "new ten");
    CHECK(cache.at(O1, T(5))->data == "five");
  }
}

TEST_CASE("cache: LRU eviction by bytes", "[client][cache]") {
  // Room for 4 revisions of 100 + 64 bytes.
  const std::size_t each = 100 + kOverhead;
  Cache cache(4 * each);
  cache.store(O1, T(1), std::nullopt, data(100));
  cache.store(O2, T(1), std::nullopt, data(100));
  cache.store(O3, T(1), std::nullopt, data(100));
  cache.store(Oid{4}, T(1), std::nullopt, data(100));
  CHECK(cache.records() == 4);
  CHECK(cache.bytes() == 4 * each);

  SECTION("the least recently stored goes first") {
    cache.store(Oid{5}, T(1), std::nullopt, data(100));
    CHECK(cache.records() == 4);
    CHECK(cache.bytes() == 4 * each);
    CHECK(cache.current(O1) == nullptr);
    CHECK(cache.current(O2) != nullptr);
    CHECK(cache.current(Oid{5}) != nullptr);
  }
  SECTION("a looked-up entry is kept (current)") {
    CHECK(cache.current(O1) != nullptr);
    cache.store(Oid{5}, T(1), std::nullopt, data(100));
    CHECK(cache.current(O1) != nullptr);
    CHECK(cache.current(O2) == nullptr);
  }
  SECTION("a looked-up entry is kept (at)") {
    CHECK(cache.at(O1, T(1)) != nullptr);
    cache.store(Oid{5}, T(1), std::nullopt, data(100));
    CHECK(cache.at(O1, T(1)) != nullptr);
    CHECK(cache.at(O2, T(1)) == nullptr);
  }
  SECTION("a looked-up entry is kept (before)") {
    CHECK(cache.before(O1, T(2), T(10)) != nullptr);
    cache.store(Oid{5}, T(1), std::nullopt, data(100));
    CHECK(cache.current(O1) != nullptr);
    CHECK(cache.current(O2) == nullptr);
  }
  SECTION("a failed lookup does not touch") {
    CHECK(cache.before(O1, T(20), T(10)) == nullptr);  // beyond `known`
    cache.store(Oid{5}, T(1), std::nullopt, data(100));
    CHECK(cache.current(O1) == nullptr);
  }
  SECTION("replacing an entry makes it the most recent") {
    cache.store(O1, T(1), std::nullopt, data(100, 'z'));
    cache.store(Oid{5}, T(1), std::nullopt, data(100));
    REQUIRE(cache.current(O1) != nullptr);
    CHECK(cache.current(O1)->data == data(100, 'z'));
    CHECK(cache.current(O2) == nullptr);
  }
  SECTION("revisions of one object are evicted one by one") {
    cache.invalidate(O1, T(2));
    cache.store(O1, T(2), std::nullopt, data(100));  // evicts O1@1 (oldest)
    CHECK(cache.records() == 4);
    CHECK(cache.at(O1, T(1)) == nullptr);
    REQUIRE(cache.current(O1) != nullptr);
    CHECK(cache.current(O1)->serial == T(2));
  }
}

TEST_CASE("cache: a bigger record evicts as many as needed", "[client][cache]") {
  const std::size_t each = 100 + kOverhead;
  Cache cache(8 * each);  // a quarter: 2 * each
  for (std::uint64_t oid = 1; oid <= 8; ++oid) cache.store(Oid{oid}, T(1), std::nullopt, data(100));
  CHECK(cache.records() == 8);
  cache.store(Oid{9}, T(1), std::nullopt, data(2 * each - kOverhead));  // two slots' worth
  CHECK(cache.records() == 7);
  CHECK(cache.bytes() == 8 * each);
  CHECK(cache.current(Oid{1}) == nullptr);
  CHECK(cache.current(Oid{2}) == nullptr);
  CHECK(cache.current(Oid{3}) != nullptr);
  REQUIRE(cache.current(Oid{9}) != nullptr);
  CHECK(cache.current(Oid{9})->data.size() == 2 * each - kOverhead);
}

TEST_CASE("cache: records bigger than a quarter of the cache are not kept", "[client][cache]") {
  Cache cache(4000);
  cache.store(O1, T(1), std::nullopt, data(1000 - kOverhead));  // exactly a quarter
  CHECK(cache.records() == 1);
  cache.store(O2, T(1), std::nullopt, data(1001 - kOverhead));  // one byte more
  CHECK(cache.records() == 1);
  CHECK(cache.current(O2) == nullptr);
  CHECK(cache.bytes() == 1000);
  // Storing a big record evicts nothing.
  CHECK(cache.current(O1) != nullptr);
}

TEST_CASE("cache: clear()", "[client][cache]") {
  Cache cache(1 << 20);
  cache.store(O1, T(1), T(2), "a");
  cache.store(O1, T(2), std::nullopt, "b");
  cache.store(O2, T(3), std::nullopt, "c");
  cache.clear();
  CHECK(cache.records() == 0);
  CHECK(cache.bytes() == 0);
  CHECK(cache.current(O1) == nullptr);
  CHECK(cache.at(O1, T(1)) == nullptr);
  CHECK(cache.before(O2, T(10), T(10)) == nullptr);
  // Still usable afterwards.
  cache.store(O1, T(5), std::nullopt, "d");
  CHECK(cache.records() == 1);
  CHECK(cache.current(O1)->data == "d");
}

TEST_CASE("cache: many objects and revisions stay within bounds", "[client][cache]") {
  const std::size_t max = 10000;
  Cache cache(max);
  std::size_t stored = 0;
  for (std::uint64_t oid = 1; oid <= 50; ++oid) {
    for (std::uint64_t serial = 1; serial <= 5; ++serial) {
      cache.invalidate(Oid{oid}, T(serial));
      cache.store(Oid{oid}, T(serial), std::nullopt, data(oid * 7 % 300));
      ++stored;
      CHECK(cache.bytes() <= max);
    }
  }
  CHECK(cache.records() < stored);
  // The last objects stored are there, with their whole history chain.
  REQUIRE(cache.current(Oid{50}) != nullptr);
  CHECK(cache.current(Oid{50})->serial == T(5));
  CHECK(cache.at(Oid{50}, T(4))->next_serial == T(5));
  cache.clear();
  CHECK(cache.bytes() == 0);
}
