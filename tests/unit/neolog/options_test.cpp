// neolog's own options (--until, --level, --packet, --json) and usage errors,
// in-process on the corpus.
#include <catch2/catch.hpp>
#include <cctype>
#include <string>

#include "tests/unit/neolog/neolog_test_support.hpp"

using namespace neo::neolog::test;

namespace {
std::string storage0() { return (corpus_dir() / "storage0.log").string(); }
std::size_t count(const std::string& s, const std::string& what) {
  std::size_t n = 0;
  for (auto p = s.find(what); p != std::string::npos; p = s.find(what, p + 1)) ++n;
  return n;
}
}  // namespace

TEST_CASE("--until keeps records up to a date, inclusive", "[neolog]") {
  const RunResult all = run({storage0()});
  const RunResult r = run({"--until", "2026-11-22 03:49:21", storage0()});
  CHECK(r.status == 0);
  CHECK(all.out.compare(0, r.out.size(), r.out) == 0);
  CHECK(r.out.find("2026-11-22 03:49:21.") == std::string::npos);
  CHECK(r.out.find("2026-11-22 03:49:20.") != std::string::npos);
  // --from and --until together: exactly the records of one second.
  const RunResult second =
      run({"--from", "2026-11-22 03:49:20", "--until", "1795319360.99999", storage0()});
  CHECK(count(second.out, "\n") == count(all.out, "2026-11-22 03:49:20."));
}

TEST_CASE("--level hides lower levels and packets", "[neolog]") {
  const RunResult r = run({"--level", "warning", storage0()});
  CHECK(r.status == 0);
  CHECK_FALSE(r.out.empty());
  CHECK(count(r.out, "PACKET") == 0);
  CHECK(count(r.out, " DEBUG ") == 0);
  CHECK(count(r.out, " INFO ") == 0);
  CHECK(count(run({"--level", "DEBUG", storage0()}).out, "\n") ==
        count(run({storage0()}).out, "\n"));
  CHECK(run({"--level", "25", storage0()}).out == run({"--level", "WARNING", storage0()}).out);
}

TEST_CASE("--packet shows only the named packets", "[neolog]") {
  const RunResult r = run({"--packet", "AskObject", "--packet", "0x8020", storage0()});
  CHECK(r.status == 0);
  CHECK(count(r.out, "\n") == count(r.out, " AskObject ") + count(r.out, " AnswerObject "));
  const std::string all = run({storage0()}).out;
  CHECK(count(r.out, " AnswerObject ") == count(all, " AnswerObject "));
  CHECK(count(r.out, " AskObject ") == count(all, " AskObject "));
  CHECK(count(r.out, " AnswerObject ") > 0);
  const RunResult with_logs = run({"--packet", "askobject", "--level", "ERROR", storage0()});
  CHECK(count(with_logs.out, " AskObject ") == count(r.out, " AskObject "));
}

TEST_CASE("--json prints one valid object per record", "[neolog]") {
  const RunResult r = run({"--json", "-a", (corpus_dir() / "master.log").string()});
  CHECK(r.status == 0);
  const std::string first = r.out.substr(0, r.out.find('\n'));
  CHECK(first ==
        "{\"date\":1795319355.748462,\"time\":\"2026-11-22T03:49:15.748462+00:00\","
        "\"node\":\"master\",\"level\":\"INFO\",\"pathname\":\"lib/logger.py\","
        "\"lineno\":337,\"msg\":\"Node ID: None\"}");
  CHECK(first.find("\"node\":\"master\"") != std::string::npos);
  CHECK(count(r.out, "\n") == 258 + 677);  // log + packet rows
  CHECK(r.out.find("\"packet\":\"Error\"") != std::string::npos);
  CHECK(r.out.find("\"lines\":[\"0 (b'Nodes added: S2')\"]") != std::string::npos);
}

TEST_CASE("usage errors exit with status 2 and a message", "[neolog]") {
  for (const std::vector<std::string>& args : {std::vector<std::string>{},
                                               {"-C", "-N", storage0()},
                                               {"-s", "0", storage0()},
                                               {"--from", "not a date", storage0()},
                                               {"--level", "LOUD", storage0()},
                                               {"--packet", "NoSuchPacket", storage0()},
                                               {"--bogus", storage0()}}) {
    const RunResult r = run(args);
    CHECK(r.status == 2);
    CHECK(r.out.empty());
    CHECK(r.err.rfind("neolog: ", 0) == 0);
  }
  const RunResult help = run({"--help"});
  CHECK(help.status == 0);
  CHECK(help.out.find("--from") != std::string::npos);
}

TEST_CASE("every option of --help is in the man page", "[neolog]") {
  const std::string man = read_file(std::filesystem::path(NEO_SOURCE_DIR) / "man" / "neolog.1");
  REQUIRE_FALSE(man.empty());
  for (const char* section : {".SH NAME", ".SH SYNOPSIS", ".SH DESCRIPTION", ".SH OPTIONS",
                              ".SH EXIT STATUS", ".SH EXAMPLES", ".SH SEE ALSO"}) {
    CHECK(man.find(section) != std::string::npos);
  }
  const std::string help = run({"--help"}).out;
  std::size_t options = 0;
  for (std::size_t p = help.find("--"); p != std::string::npos; p = help.find("--", p + 2)) {
    std::size_t end = p + 2;
    while (end < help.size() &&
           (std::isalnum(static_cast<unsigned char>(help[end])) || help[end] == '-'))
      ++end;
    std::string name = help.substr(p, end - p);  // "--sleep-interval"
    if (name == "--") continue;
    std::string roff;  // as written in roff: every '-' escaped
    for (const char c : name) roff += c == '-' ? std::string("\\-") : std::string(1, c);
    INFO(name);
    CHECK(man.find(roff) != std::string::npos);
    ++options;
  }
  CHECK(options >= 17);
}
