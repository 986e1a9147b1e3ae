// tests/unit/importer/importer_config_test.cpp
// importer.conf as NEO/py reads it, and the errors an operator gets.
#include "importer/importer_config.hpp"

#include <catch2/catch.hpp>

using namespace neo;
using namespace neo::importer;

namespace {

ImporterConfig parse(const std::string& text) {
  return importer_config(config::IniFile::parse(text, "importer.conf"));
}

std::string error_of(const std::string& text) {
  try {
    parse(text);
  } catch (const config::Error& e) {
    return e.what();
  }
  return "";
}

const std::string kSource =
    "[root]\nstorage =\n  <filestorage>\n    path /data/Data.fs\n  </filestorage>\n";

}  // namespace

TEST_CASE("importer.conf: destination first, then the source", "[importer]") {
  ImporterConfig c = parse(
      "[neo]\nadapter = SQLite\ndatabase = /tmp/x.sqlite\n"
      "compress = zlib=9\nwriteback = true\n" +
      kSource);
  CHECK(c.adapter == "SQLite");
  CHECK(c.database == "/tmp/x.sqlite");
  CHECK(c.compress_level == 9);
  CHECK(c.writeback);
  REQUIRE(c.sources.size() == 1);
  CHECK(c.sources[0].name == "root");
  CHECK(c.sources[0].path == "/data/Data.fs");
  ImporterConfig d = parse("[neo]\ndatabase = x\n" + kSource);
  CHECK(d.adapter == "MySQL");  // NEO/py's default
  CHECK(d.compress_level == -1);
  CHECK_FALSE(d.writeback);
  CHECK_FALSE(parse("[neo]\ndatabase = x\ncompress = false\n" + kSource).compress_level);
}

TEST_CASE("importer.conf: what is not supported is said clearly", "[importer]") {
  CHECK(error_of("[neo]\ndatabase = x\n").find("at least one source") != std::string::npos);
  CHECK(error_of("[neo]\nadapter = SQLite\n" + kSource).find("needs 'database'") !=
        std::string::npos);
  CHECK(error_of("[neo]\ndatabase = x\ncompress = yes\n" + kSource).find("invalid compress") !=
        std::string::npos);
  CHECK(error_of("[neo]\ndatabase = x\nwriteback = 1\n" + kSource).find("neither true nor false") !=
        std::string::npos);
  CHECK(error_of("[neo]\ndatabase = x\n[root]\nstorage =\n  <zeoclient>\n    server x:1\n"
                 "  </zeoclient>\n")
            .find("FileStorage only") != std::string::npos);
  CHECK(error_of("[neo]\ndatabase = x\n[root]\nstorage =\n  <filestorage>\n  </filestorage>\n")
            .find("has no path") != std::string::npos);
  CHECK(error_of("[neo]\ndatabase = x\n" + kSource + "oid = 5\n").find("not supported yet") !=
        std::string::npos);
  CHECK(error_of("[neo]\ndatabase = x\n" + kSource +
                 "[other]\nstorage =\n <filestorage>\n  path /x\n </filestorage>\n")
            .find("not supported yet") != std::string::npos);
}
