#include "core/log/protocol_text.hpp"

#include <catch2/catch.hpp>

using namespace neo;

TEST_CASE("protocol texts are bz2 streams, as Python's bz2.compress makes them", "[log]") {
  const std::string source = "Packets = {}\n" + std::string(100000, '#') + "\n";
  const std::string text = log::compress_protocol(source);
  CHECK(text.substr(0, 4) == "BZh9");
  CHECK(text.size() < 1000);
  CHECK(log::decompress_protocol(text) == source);
  CHECK(log::decompress_protocol(log::compress_protocol("")) == "");
  CHECK_FALSE(log::decompress_protocol("not bz2"));
  CHECK_FALSE(log::decompress_protocol(text.substr(0, text.size() - 1)));
}
