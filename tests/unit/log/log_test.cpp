#include "core/log/log.hpp"

#include <catch2/catch.hpp>

#include "tests/unit/log/log_test_support.hpp"

using namespace neo;
using neo::log::test::Reader;
using neo::log::test::Row;
using neo::log::test::TempDir;

namespace {

// Each test starts from a fresh setup and ends console-only.
struct LogFixture {
  TempDir dir;
  std::string path = dir.file("node.log");
  explicit LogFixture(log::Options options = {}) {
    options.logfile = path;
    options.console_level = log::Level::Critical;  // keep test output quiet
    log::setup("neostorage", options);
  }
  ~LogFixture() {
    log::set_node(std::nullopt, std::nullopt);
    log::shutdown();
  }
};

log::Options immediate(std::optional<std::size_t> max_packet = std::nullopt) {
  log::Options options;
  options.backlog = std::nullopt;
  options.max_packet = max_packet;
  return options;
}

}  // namespace

TEST_CASE("SPDLOG macros write records with level and source location", "[log]") {
  LogFixture f(immediate());
  SPDLOG_DEBUG("debug {}", 1);
  const int line = __LINE__ + 1;
  SPDLOG_INFO("info {}", "two");
  SPDLOG_ERROR("error");
  Reader reader(f.path);
  auto rows = reader.query("SELECT node, level, pathname, lineno, msg FROM log ORDER BY date");
  REQUIRE(rows.size() == 3);
  CHECK(rows[0][1] == "10");  // DEBUG reaches the file whatever the console level
  CHECK(rows[0][4] == "debug 1");
  CHECK(rows[1] == Row{std::nullopt, "20", "tests/unit/log/log_test.cpp", std::to_string(line),
                       "info two"});
  CHECK(rows[2][1] == "40");
}

TEST_CASE("records carry the node identity once it is known", "[log]") {
  LogFixture f(immediate());
  SPDLOG_INFO("anonymous");
  log::set_node("test", std::nullopt);
  SPDLOG_INFO("cluster only");
  log::set_node("test", NodeId{-268435455});
  SPDLOG_INFO("identified");
  CHECK(log::node_label() == "M1");
  Reader reader(f.path);
  CHECK(reader.query("SELECT id, name, cluster, nid FROM node ORDER BY id") ==
        std::vector<Row>{{"0", std::nullopt, "test", std::nullopt},
                         {"1", std::nullopt, "test", "-268435455"}});
  auto rows = reader.query("SELECT node, msg FROM log ORDER BY date");
  REQUIRE(rows.size() == 5);
  CHECK(rows[0] == Row{std::nullopt, "anonymous"});
  CHECK(rows[2] == Row{"0", "cluster only"});
  CHECK(rows[3] == Row{"1", "Node ID: M1"});
  CHECK(rows[4] == Row{"1", "identified"});
}

TEST_CASE("a named logger has its own node identity", "[log]") {
  LogFixture f(immediate());
  auto s1 = log::named_logger("S1");
  log::set_node("test", NodeId{1}, "S1");
  SPDLOG_LOGGER_INFO(s1, "from S1");
  SPDLOG_INFO("from the process");
  Reader reader(f.path);
  CHECK(reader.query("SELECT msg, name, nid FROM log LEFT JOIN node ON node=id ORDER BY date") ==
        std::vector<Row>{{"Node ID: S1", "S1", "1"},
                         {"from S1", "S1", "1"},
                         {"from the process", std::nullopt, std::nullopt}});
  spdlog::drop("S1");
}

TEST_CASE("packet() writes peer, ids and body", "[log]") {
  LogFixture f(immediate(4));
  CHECK(log::packets_enabled());
  log::set_node("test", NodeId{1});
  log::packet(true, "M1", "127.0.0.1:10000", 0x12, 0x0020, std::string("\x93\x01\xc0\xc0", 4));
  log::packet(false, "None", "127.0.0.1:53492", 7, 0x8001, "\x90");
  log::packet(false, "None", "", 8, 3, "\x91\x01", 100);  // larger than max_packet
  Reader reader(f.path);
  CHECK(reader.query("SELECT node, msg_id, code, peer, body FROM packet ORDER BY date") ==
        std::vector<Row>{{"0", "18", "32", "> M1 (127.0.0.1:10000)", std::string("\x93\x01\xc0\xc0", 4)},
                         {"0", "7", "32769", "< None (127.0.0.1:53492)", "\x90"},
                         {"0", "8", "3", "< None ()", std::nullopt}});
}

TEST_CASE("daemons keep records in memory until a warning or a flush", "[log]") {
  LogFixture f;  // default: 16 MiB backlog
  SPDLOG_DEBUG("context");
  log::packet(false, "S1", "127.0.0.1:20000", 1, 1, "\x90");
  Reader reader(f.path);
  CHECK(reader.count("log") == 0);
  CHECK(reader.count("packet") == 0);
  SPDLOG_WARN("trouble");
  CHECK(reader.count("log") == 2);
  CHECK(reader.count("packet") == 1);
  SPDLOG_INFO("more");
  CHECK(reader.count("log") == 2);
  log::flush();
  CHECK(reader.count("log") == 3);
}

TEST_CASE("without a log file nothing is recorded", "[log]") {
  log::Options options;
  options.console_level = log::Level::Critical;
  log::setup("neoctl", options);
  CHECK_FALSE(log::packets_enabled());
  log::packet(true, "S1", "", 1, 1, "\x90");  // no effect
  SPDLOG_INFO("console only");
  log::flush();
  log::reopen();
  CHECK(log::node_label() == "neoctl");
  log::shutdown();
}

TEST_CASE("relative_path strips the project root", "[log]") {
  CHECK(log::relative_path(__FILE__) == "tests/unit/log/log_test.cpp");
  CHECK(log::relative_path("/elsewhere/x.cpp") == "/elsewhere/x.cpp");
}
