// tests/tools/neomigrate/neomigrate_test.cpp
// neomigrate in-process against a cluster of our daemons (LocalCluster):
// each FileStorage sample goes FS -> NEO -> FS and comes back as its
// manifest lists it, record for record, backpointers included; and the
// errors an operator meets, with their exit statuses.
#include "cli/neomigrate/neomigrate.hpp"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "cli/neomigrate/progress.hpp"
#include "core/util/record_data.hpp"
#include "importer/file_storage.hpp"
#include "neo/client.hpp"
#include "tests/cluster/local_cluster.hpp"
#include "tests/unit/importer/fs_corpus.hpp"

using neo::Oid;
using neo::Tid;
using neo::test::LocalCluster;
using namespace neo::importer::test;
using namespace neo::neomigrate;
using namespace std::chrono_literals;

namespace {

struct Run {
  int status;
  std::string out, err;
};

Run neomigrate(std::vector<std::string> args) {
  args.insert(args.begin(), "neomigrate");
  std::vector<const char*> argv;
  for (const std::string& arg : args) argv.push_back(arg.c_str());
  std::ostringstream out, err;
  const int status = run_neomigrate(static_cast<int>(argv.size()), argv.data(), out, err);
  return {status, out.str(), err.str()};
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

struct Cluster {
  LocalCluster cluster;
  explicit Cluster(const std::string& name) : cluster({.name = name, .partitions = 4}) {
    cluster.start();
    INFO(cluster.diagnostics());
    REQUIRE(cluster.wait_cluster_state("RUNNING"));
  }
  std::string master() const { return cluster.master_address(); }
  std::string name() const { return cluster.options().name; }
};

// Every transaction and record of `path` as the manifest lists them: ids,
// raw metadata, oids in order, data, and backpointer offsets (which also
// proves that the file's layout is the source's).
void check_against_manifest(const std::string& path, const nlohmann::json& manifest) {
  neo::importer::FileStorage fs;
  REQUIRE_FALSE(fs.open(path));
  neo::importer::FsIterator it(fs);
  std::size_t count = 0;
  for (const nlohmann::json& expected : manifest["transactions"]) {
    auto txn = it.next();
    REQUIRE(txn);
    REQUIRE(*txn);
    ++count;
    INFO("transaction " << expected["tid"]);
    CHECK(hex64((*txn)->tid().value) == expected["tid"]);
    CHECK(std::string(1, (*txn)->header.status) == expected["status"]);
    CHECK(neo::hex((*txn)->user) == expected["user_hex"]);
    CHECK(neo::hex((*txn)->description) == expected["description_hex"]);
    CHECK(neo::hex((*txn)->extension) == expected["extension_hex"]);
    auto records = fs.read_records(**txn);
    REQUIRE(records);
    REQUIRE(records->size() == expected["records"].size());
    for (std::size_t i = 0; i < records->size(); ++i) {
      const nlohmann::json& record = expected["records"][i];
      const neo::importer::FsRecord& got = (*records)[i];
      INFO("record " << i << " oid " << record["oid"]);
      CHECK(hex64(got.oid().value) == record["oid"]);
      CHECK(sha1_hex(got.data) == json_text(record["data_sha1"]));
      if (record["back"].is_null()) {
        CHECK(got.header.plen != 0);
      } else {
        CHECK(got.header.plen == 0);
        CHECK(got.back == record["back"].get<std::uint64_t>());
      }
      CHECK(got.data_tid.has_value() == !record["data_txn"].is_null());
    }
  }
  auto end = it.next();
  REQUIRE(end);
  CHECK_FALSE(*end);
  CHECK(count == manifest["transaction_count"].get<std::size_t>());
}

}  // namespace

TEST_CASE("each FileStorage sample goes FS -> NEO -> FS unchanged, backpointers included",
          "[neomigrate]") {
  REQUIRE(LocalCluster::daemons_built());
  const std::string name = GENERATE(as<std::string>(), "small", "history", "features");
  INFO(name);
  Cluster c("neomigrate-" + name);
  const nlohmann::json manifest = corpus_manifest(name);

  Run in = neomigrate({"-c", c.name(), corpus_file(name), c.master()});
  INFO(in.out << in.err << c.cluster.diagnostics());
  REQUIRE(in.status == kExitOk);
  CHECK(in.out.find("WARNING: This is not the recommended way to import data to NEO") !=
        std::string::npos);
  CHECK(in.out.find("Migrating from " + corpus_file(name) + " to " + c.master()) !=
        std::string::npos);
  CHECK(in.out.find("100%  " + std::to_string(manifest["transaction_count"].get<int>()) +
                    " transactions") != std::string::npos);
  CHECK(in.out.find("Migration done in ") != std::string::npos);

  // The cluster's new oids come after the file's.
  auto client =
      neo::client::Client::connect({.masters = {c.master()}, .cluster = c.name(), .timeout = 20s});
  REQUIRE(client);
  auto oid = (*client)->new_oid();
  REQUIRE(oid);
  CHECK(oid->value > from_hex64(manifest["max_oid"]));
  auto last = (*client)->last_transaction();
  REQUIRE(last);
  CHECK(hex64(last->value) == manifest["last_tid"]);
  client->reset();

  const auto out = c.cluster.dir() / (name + ".out.fs");
  Run back = neomigrate({"-c", c.name(), c.master(), out.string()});
  INFO(back.out << back.err);
  REQUIRE(back.status == kExitOk);
  CHECK(back.out.find("Migrating from " + c.master() + " to " + out.string()) != std::string::npos);
  CHECK(back.out.find("Migration done in ") != std::string::npos);
  check_against_manifest(out.string(), manifest);
  // NEO/py brings small.fs back byte for byte; keeping backpointers, we do
  // it with every sample.
  CHECK(read_file(out) == read_file(corpus_file(name)));
}

TEST_CASE("neomigrate refuses what it cannot do, and says why", "[neomigrate]") {
  REQUIRE(LocalCluster::daemons_built());
  Cluster c("neomigrate-errors");
  const auto dir = c.cluster.dir();

  SECTION("bad command lines: status 2") {
    CHECK(neomigrate({"a.fs", "b.fs"}).status == kExitUsage);  // no -c
    CHECK(neomigrate({"-c", c.name(), "a.fs"}).status == kExitUsage);
    Run run = neomigrate({"-c", c.name(), "no-such.fs", (dir / "out.fs").string()});
    CHECK(run.status == kExitUsage);
    CHECK(run.err.find("neither an existing file nor a master address list") != std::string::npos);
    CHECK(neomigrate({"-c", c.name(), "--ca", "x", "a.fs", "b.fs"}).status == kExitUsage);
    Run help = neomigrate({"--help"});
    CHECK(help.status == kExitOk);
    CHECK(help.out.find("--cluster") != std::string::npos);
  }
  SECTION("an existing destination file") {
    std::ofstream(dir / "exists.fs") << "keep me";
    Run run = neomigrate({"-c", c.name(), c.master(), (dir / "exists.fs").string()});
    CHECK(run.status == kExitRefused);
    CHECK(run.err.find("exists") != std::string::npos);
    CHECK(read_file(dir / "exists.fs") == "keep me");
  }
  SECTION("a file that is not a FileStorage") {
    std::ofstream(dir / "bad.fs") << "not a FileStorage";
    Run run = neomigrate({"-c", c.name(), (dir / "bad.fs").string(), c.master()});
    CHECK(run.status == kExitRefused);
    CHECK(run.err.find("not a FileStorage file") != std::string::npos);
  }
  SECTION("an unreachable cluster, a wrong cluster name") {
    Run run =
        neomigrate({"-c", c.name(), "--timeout", "1", "127.0.0.1:1", (dir / "out.fs").string()});
    CHECK(run.status == kExitRefused);
    CHECK(run.err.find("cannot connect to cluster") != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(dir / "out.fs"));
    run = neomigrate({"-c", "not-" + c.name(), "--timeout", "5", corpus_file("small"), c.master()});
    CHECK(run.status == kExitRefused);
    CHECK(run.err.find("cluster name") != std::string::npos);
  }
  SECTION("a cluster that already has the file's transactions; -q prints nothing") {
    Run first = neomigrate({"-q", "-c", c.name(), corpus_file("small"), c.master()});
    REQUIRE(first.status == kExitOk);
    CHECK(first.out.empty());
    Run again = neomigrate({"-c", c.name(), corpus_file("small"), c.master()});
    CHECK(again.status == kExitRefused);
    CHECK(again.err.find("already has transactions") != std::string::npos);
  }
}

TEST_CASE("progress shows the share done, the rate and the time left", "[neomigrate]") {
  CHECK(Progress::duration_text(65) == "1:05");
  CHECK(Progress::duration_text(3725) == "1:02:05");
  CHECK(Progress::text(0.5, 10, 2'000'000, 2, true) ==
        "[###############               ]  50%  10 transactions  2.0 MB  1.0 MB/s  ETA 0:02");
  CHECK(Progress::text(1, 10, 2'000'000, 4, false) ==
        "100%  10 transactions  2.0 MB  0.5 MB/s  in 0:04");
  std::ostringstream quiet_out, lines_out;
  Progress quiet(quiet_out, Progress::Mode::quiet);
  quiet.update(0.5, 1, 1);
  quiet.finish(2, 2);
  CHECK(quiet_out.str().empty());
  Progress lines(lines_out, Progress::Mode::lines);
  lines.update(0.5, 1, 1);  // within 5 s of the start: no line yet
  lines.finish(2, 2'000'000);
  CHECK(lines_out.str().starts_with("100%  2 transactions  2.0 MB"));
  CHECK(lines_out.str().find('\r') == std::string::npos);
}
