#include "cli/neolog/decompress.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <string>

#include "tests/unit/neolog/neolog_test_support.hpp"

using namespace neo::neolog;
using namespace neo::neolog::test;

namespace {
const std::pair<const char*, Compression> kCopies[] = {{"storage0.log.gz", Compression::Gzip},
                                                       {"storage0.log.bz2", Compression::Bzip2},
                                                       {"storage0.log.xz", Compression::Xz},
                                                       {"storage0.log.zst", Compression::Zstd}};
}  // namespace

TEST_CASE("compression is chosen by the last extension", "[neolog]") {
  CHECK(compression_of("a/storage0.log.gz") == Compression::Gzip);
  CHECK(compression_of("x.bz2") == Compression::Bzip2);
  CHECK(compression_of("x.xz") == Compression::Xz);
  CHECK(compression_of("x.zst") == Compression::Zstd);
  CHECK(compression_of("x.log") == Compression::None);
  CHECK(compression_of("x.GZ") == Compression::None);
  CHECK(compression_of("gz") == Compression::None);
  CHECK(compression_of("dir.gz/log") == Compression::None);
}

TEST_CASE("each compressed copy of the corpus decompresses to storage0.log", "[neolog]") {
  const std::string original = read_file(corpus_dir() / "storage0.log");
  REQUIRE(original.size() == 417792);
  for (const auto& [name, c] : kCopies) {
    INFO(name);
    std::string out;
    const DecompressStatus st = decompress_buffer(c, read_file(corpus_dir() / name), out);
    CHECK(st.complete);
    CHECK(st.error.empty());
    CHECK(out == original);
  }
}

TEST_CASE("cut-short compressed files give a clear error and what was decompressed", "[neolog]") {
  for (const auto& [name, c] : kCopies) {
    INFO(name);
    const std::string data = read_file(corpus_dir() / name);
    for (const std::size_t keep :
         {std::size_t{0}, std::size_t{1}, std::size_t{10}, data.size() / 2, data.size() - 1}) {
      std::string out;
      const DecompressStatus st = decompress_buffer(c, data.substr(0, keep), out);
      CHECK_FALSE(st.complete);
      CHECK_FALSE(st.error.empty());
      CHECK(st.output == out.size());
    }
    std::string out;
    const DecompressStatus st = decompress_buffer(c, data.substr(0, data.size() - 100), out);
    if (c != Compression::Bzip2) {  // one 900 kB bzip2 block: nothing before its end
      CHECK(out.size() > 0);
    }
    CHECK(st.error.find("truncated") != std::string::npos);
  }
}

TEST_CASE("corrupt or foreign input is refused without crashing", "[neolog]") {
  for (const auto& [name, c] : kCopies) {
    INFO(name);
    std::string out;
    CHECK_FALSE(decompress_buffer(c, "this is not compressed data at all", out).complete);
    std::string data = read_file(corpus_dir() / name);
    for (std::size_t i = 20; i < data.size(); i += data.size() / 7) data[i] ^= 0x55;
    out.clear();
    const DecompressStatus st = decompress_buffer(c, data, out);
    CHECK_FALSE(st.complete);
    CHECK_FALSE(st.error.empty());
  }
}

TEST_CASE("concatenated gzip members are read, trailing garbage is reported", "[neolog]") {
  const std::string gz = read_file(corpus_dir() / "storage0.log.gz");
  const std::string original = read_file(corpus_dir() / "storage0.log");
  std::string out;
  CHECK(decompress_buffer(Compression::Gzip, gz + gz, out).complete);
  CHECK(out == original + original);
  out.clear();
  const DecompressStatus st = decompress_buffer(Compression::Gzip, gz + "garbage", out);
  CHECK_FALSE(st.complete);
  CHECK(st.error == "trailing garbage after the compressed data");
  CHECK(out == original);
}

TEST_CASE("temporary files are removed", "[neolog]") {
  std::string path;
  {
    TempFile t;
    REQUIRE(t.ok());
    path = t.path();
    struct stat st;
    CHECK(::stat(path.c_str(), &st) == 0);
  }
  struct stat st;
  CHECK(::stat(path.c_str(), &st) != 0);
  TempFile t;
  REQUIRE(t.ok());
  t.unlink_now();
  CHECK(::stat(t.path().c_str(), &st) != 0);
}
