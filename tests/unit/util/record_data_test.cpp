#include "core/util/record_data.hpp"

#include <atomic>
#include <catch2/catch.hpp>
#include <random>
#include <thread>

using neo::compress;
using neo::decompress;

TEST_CASE("sha1 gives the 20-byte digest", "[record_data]") {
  // sha1("abc") = a9993e36 4706816a ba3e2571 7850c26c 9cd0d89d
  const std::string digest = neo::sha1("abc");
  REQUIRE(digest.size() == 20);
  CHECK(static_cast<unsigned char>(digest[0]) == 0xa9);
  CHECK(static_cast<unsigned char>(digest[19]) == 0x9d);
  CHECK(neo::sha1("").size() == 20);
}

TEST_CASE("compress keeps zlib only when smaller, and round-trips", "[record_data]") {
  const std::string text(5000, 'a');
  const neo::StoredData packed = compress(text);
  CHECK(packed.compression == 1);
  CHECK(packed.data.size() < 100);
  CHECK(decompress(packed.compression, packed.data).value() == text);

  std::mt19937 random(7);
  std::string noise(1000, '\0');
  for (char& c : noise) c = static_cast<char>(random());
  const neo::StoredData raw = compress(noise);
  CHECK(raw.compression == 0);
  CHECK(raw.data == noise);
  CHECK(decompress(0, raw.data).value() == noise);

  CHECK(compress("").compression == 0);
  // The per-thread stream is reset between calls: the same input, the same bytes.
  CHECK(compress(text).data == packed.data);
}

TEST_CASE("decompress refuses what zlib cannot inflate", "[record_data]") {
  const neo::StoredData packed = compress(std::string(3000, 'z'));
  CHECK(decompress(2, packed.data).error() == neo::errc::corrupted_record);
  CHECK(decompress(1, "not zlib").error() == neo::errc::corrupted_record);
  CHECK(decompress(1, packed.data.substr(0, packed.data.size() / 2)).error() ==
        neo::errc::corrupted_record);
  CHECK(decompress(1, packed.data + "trailing").error() == neo::errc::corrupted_record);
  // A failure leaves the stream usable.
  CHECK(decompress(1, packed.data).value() == std::string(3000, 'z'));
}

TEST_CASE("compress and decompress from several threads", "[record_data]") {
  std::vector<std::thread> threads;
  std::atomic<int> wrong{0};
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([t, &wrong] {
      for (int i = 0; i < 200; ++i) {
        const std::string text(100 + i, static_cast<char>('a' + t));
        auto packed = compress(text);
        if (decompress(packed.compression, packed.data).value() != text) ++wrong;
      }
    });
  for (auto& thread : threads) thread.join();
  CHECK(wrong == 0);
}
