#include "cli/neolog/pipeline.hpp"

#include <catch2/catch.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "cli/neolog/diagnostics.hpp"

using namespace neo::neolog;

namespace {

// What a sink saw of a record, owned.
struct Seen {
  Record::Kind kind;
  double date;
  std::string node, msg, pathname, peer;
  std::int64_t level, msg_id, code;
  std::optional<std::int64_t> lineno;
  std::optional<std::string> body;
  bool operator==(const Seen&) const = default;
};

Seen seen(const Record& r) {
  return {r.kind,  r.date,   *r.node, std::string(r.msg), std::string(r.pathname),
          std::string(r.peer), r.level, r.msg_id, r.code, r.lineno,
          r.body ? std::optional<std::string>(*r.body) : std::nullopt};
}

// Records them, and prints one line per record into Output.
class Collector : public RecordSink {
 public:
  Collector(Output& out, bool pathname, std::int64_t bodiless_code)
      : out_(out), pathname_(pathname), bodiless_(bodiless_code) {}
  void write(const Record& r) override {
    records.push_back(seen(r));
    out_.buffer() += std::to_string(records.size()) + '\n';
    out_.maybe_flush();
  }
  bool uses_pathname() const override { return pathname_; }
  bool uses_body(std::int64_t code) const override { return code != bodiless_; }
  std::vector<Seen> records;

 private:
  Output& out_;
  bool pathname_;
  std::int64_t bodiless_;
};

std::vector<Seen> make_records(std::vector<std::string>& storage, std::vector<std::string>& nodes) {
  std::vector<Seen> all;
  for (int i = 0; i < 10000; ++i) {
    Seen s{};
    s.date = 1e9 + i;
    s.node = nodes[i % nodes.size()];
    if (i % 3 == 0) {
      s.kind = Record::Kind::Log;
      s.level = 10 * (i % 5);
      s.msg = "message " + std::to_string(i) + std::string(i % 97, 'm');
      s.pathname = "/path/" + std::to_string(i);
      if (i % 2) s.lineno = i;
    } else {
      s.kind = Record::Kind::Packet;
      s.msg_id = i;
      s.code = i % 7;
      s.peer = "> S1 (127.0.0.1:" + std::to_string(i) + ")";
      if (i % 11) s.body = std::string(i % 13 == 0 ? 700000 : i % 300, static_cast<char>(i));
    }
    all.push_back(s);
  }
  storage.clear();
  return all;
}

}  // namespace

TEST_CASE("the pipeline hands every record over, in order, with what the sink reads",
          "[neolog]") {
  std::vector<std::string> storage, nodes{"S1", "M1", "admin-load", "C2"};
  const std::vector<Seen> all = make_records(storage, nodes);
  for (const bool pathname : {true, false}) {
    std::ostringstream text;
    Output out(text);
    Collector sink(out, pathname, 3);
    {
      RecordPipeline pipeline(sink, out);
      std::string node;  // one label object, reassigned (as LogFile may do)
      for (const Seen& s : all) {
        node = s.node;
        Record r;
        r.kind = s.kind;
        r.date = s.date;
        r.node = &node;
        r.level = s.level;
        r.msg = s.msg;
        r.pathname = s.pathname;
        r.lineno = s.lineno;
        r.msg_id = s.msg_id;
        r.code = s.code;
        r.peer = s.peer;
        if (s.body) r.body = *s.body;
        pipeline.write(r);
      }
    }
    out.flush();
    REQUIRE(sink.records.size() == all.size());
    for (std::size_t i = 0; i < all.size(); ++i) {
      Seen want = all[i];
      if (!pathname) want.pathname.clear();
      if (want.body && want.code == 3) want.body = "";  // only its presence is kept
      INFO(i);
      REQUIRE(sink.records[i] == want);
    }
    CHECK(text.str().size() > 10000 * 2);
  }
}

TEST_CASE("a message on stderr comes after the records written before it", "[neolog]") {
  std::ostringstream text;
  Output out(text);
  std::ostream& err = text;  // one stream, as a terminal shows both
  Diagnostics diag(err);
  diag.set_output(&out);
  Collector sink(out, true, -1);
  RecordPipeline pipeline(sink, out);
  std::string node = "S1";
  std::string expected;
  for (int i = 1; i <= 5000; ++i) {
    Record r;
    r.kind = Record::Kind::Packet;
    r.node = &node;
    r.peer = "p";
    pipeline.write(r);
    expected += std::to_string(i) + '\n';
    if (i % 1000 == 0) {
      diag.warning("x.log", "mark " + std::to_string(i));
      expected += "neolog: x.log: warning: mark " + std::to_string(i) + '\n';
    }
  }
  pipeline.drain();
  out.flush();
  CHECK(text.str() == expected);
}
