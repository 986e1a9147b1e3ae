// The Importer backend with the upstream peer (skipped, exit 77, without
// NEO_PEER_PYTHONPATH):
// * upstream's ZODB client reads each FileStorage sample served by our
//   Importer exactly as ZODB wrote it (importer_client.py read);
// * it commits through our Importer with writeback, and ZODB reads back the
//   file, whose imported part is unchanged (importer_client.py writeback);
// * a database imported by our Importer opens in upstream's storage, and one
//   imported by upstream's Importer opens in ours.
#include <stdlib.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "importer/file_storage.hpp"
#include "importer/fs_index.hpp"
#include "tests/cluster/local_cluster.hpp"
#include "tests/interop/peer_env.hpp"
#include "tests/interop/upstream_cluster.hpp"
#include "tests/support/sqlite_rows.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_data.hpp"
#include "tests/unit/importer/fs_corpus.hpp"

using neo::Oid;
using neo::Tid;
using neo::interop::UpstreamCluster;
using neo::test::LocalCluster;
using namespace neo::importer::test;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

const std::string kName = "neo-cpp-importer";

void write_conf(const fs::path& conf, const fs::path& source, const fs::path& database,
                bool writeback) {
  std::ofstream(conf) << "[neo]\nadapter = SQLite\ndatabase = " << database.string()
                      << "\nwriteback = " << (writeback ? "true" : "false")
                      << "\n[root]\nstorage =\n  <filestorage>\n    path " << source.string()
                      << "\n  </filestorage>\n";
}

neo::test::RunResult client(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"/usr/bin/env", "PYTHONPATH=" + neo::interop::peer_pythonpath(),
                                   neo::interop::peer_python(), IMPORTER_CLIENT_SCRIPT};
  argv.insert(argv.end(), args.begin(), args.end());
  return neo::test::run_program(argv, 180s);
}

// Our cluster with storage 0 on the Importer, on a copy of corpus file `name`.
struct ImporterCluster {
  ImporterCluster(const std::string& name, bool writeback)
      : cluster({.name = kName, .partitions = 3}), manifest(corpus_manifest(name)) {
    fs::copy_file(corpus_file(name), source);
    write_conf(conf, source, cluster.database(0), writeback);
    cluster.use_importer(conf.string());
    cluster.start();
  }
  bool imported() {
    return neo::test::wait_for(
        [&] {
          return neo::test::read_file(cluster.dir() / "storage0.out")
                     .find("All data are imported") != std::string::npos;
        },
        60s);
  }
  LocalCluster cluster;
  nlohmann::json manifest;
  fs::path source = cluster.dir() / "Data.fs";
  fs::path conf = cluster.dir() / "importer.conf";
};

}  // namespace

TEST_CASE("upstream's client reads each FileStorage served by our Importer as ZODB wrote it",
          "[interop][importer]") {
  ::setenv("NEO_BIN_DIR", NEO_BIN_DIR_DEFAULT, 0);
  for (const char* name : {"small", "history", "features"}) {
    INFO(name);
    ImporterCluster c(name, false);
    INFO(c.cluster.diagnostics());
    REQUIRE(c.cluster.wait_cluster_state("RUNNING"));
    const std::string manifest =
        (neo::test::test_data_dir() / "filestorage" / (std::string(name) + ".manifest.json"))
            .string();
    neo::test::RunResult r = client({"read", c.cluster.master_address(), kName, manifest});
    INFO(r.out << r.err);
    CHECK(r.out == "OK\n");
    REQUIRE(c.imported());
    r = client({"read", c.cluster.master_address(), kName, manifest});
    INFO(r.out << r.err);
    CHECK(r.out == "OK\n");
  }
}

TEST_CASE("upstream's commits through our Importer are written back to the file, which ZODB reads",
          "[interop][importer]") {
  ::setenv("NEO_BIN_DIR", NEO_BIN_DIR_DEFAULT, 0);
  ImporterCluster c("small", true);
  INFO(c.cluster.diagnostics());
  REQUIRE(c.cluster.wait_cluster_state("RUNNING"));
  neo::test::RunResult r =
      client({"writeback", c.cluster.master_address(), kName, c.source.string()});
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  CHECK(r.out.ends_with("OK\n"));
  const std::string original = neo::test::read_file(corpus_file("small"));
  CHECK(neo::test::read_file(c.source).substr(0, original.size()) == original);

  neo::importer::FileStorage file;
  REQUIRE_FALSE(file.open(c.source.string()));
  neo::importer::FsIndex index;
  REQUIRE_FALSE(neo::importer::update_index(file, index));
  const std::size_t imported = c.manifest["transaction_count"];
  REQUIRE(index.transactions.size() == imported + 6);
  std::vector<std::vector<neo::importer::FsRecord>> added;
  for (std::size_t i = imported; i < index.transactions.size(); ++i) {
    auto txn = file.read_transaction(index.transactions[i].second);
    REQUIRE(txn);
    CHECK((*txn)->header.status == ' ');
    added.push_back(file.read_records(**txn).value());
  }
  const Tid new_container = index.transactions[imported].first;
  // The undo of a new transaction: a backpointer to the container's first revision.
  REQUIRE(added[2].size() == 1);
  CHECK(added[2][0].data_tid == new_container);
  // The undo of the last imported transaction: its modified object points into the
  // imported part; the object it created has no data any more.
  const nlohmann::json& last = c.manifest["transactions"].back();
  REQUIRE(added[3].size() == last["records"].size());
  for (const neo::importer::FsRecord& record : added[3]) {
    CHECK(record.header.plen == 0);
    if (record.data_tid) CHECK(*record.data_tid < Tid{from_hex64(last["tid"])});
  }
  CHECK(added[3][0].data_tid);
  CHECK_FALSE(added[3][1].data);  // its creation undone
  // deleteObject: no data.
  REQUIRE(added[5].size() == 1);
  CHECK(added[5][0].header.plen == 0);
  CHECK(added[5][0].back == 0);
}

TEST_CASE("a database imported by our Importer opens in upstream's storage, and the reverse",
          "[interop][importer]") {
  ::setenv("NEO_BIN_DIR", NEO_BIN_DIR_DEFAULT, 0);
  const std::string manifest =
      (neo::test::test_data_dir() / "filestorage" / "history.manifest.json").string();
  fs::path ours;
  {
    ImporterCluster c("history", false);
    INFO(c.cluster.diagnostics());
    REQUIRE(c.cluster.wait_cluster_state("RUNNING"));
    REQUIRE(c.imported());
    CHECK(c.cluster.storage(0).stop() == 0);
    ours = fs::temp_directory_path() / ("neo-importer-" + std::to_string(::getpid()) + ".sqlite");
    fs::copy_file(c.cluster.database(0), ours, fs::copy_options::overwrite_existing);
  }
  {
    UpstreamCluster upstream({.name = kName, .database = ours.string()});
    neo::test::RunResult r =
        client({"read", neo::net::to_string(upstream.master()), kName, manifest});
    INFO(r.out << r.err << upstream.diagnostics());
    CHECK(r.out == "OK\n");
  }
  fs::remove(ours);

  neo::test::TempDir dir("neo-importer-interop");
  const fs::path source = dir.path() / "Data.fs", theirs = dir.path() / "neo.sqlite";
  fs::copy_file(corpus_file("history"), source);
  write_conf(dir.path() / "importer.conf", source, theirs, false);
  const long total = corpus_manifest("history")["transaction_count"];
  {
    UpstreamCluster upstream(
        {.name = kName, .importer_conf = (dir.path() / "importer.conf").string()});
    INFO(upstream.diagnostics());
    REQUIRE(neo::test::wait_for(
        [&] { return neo::test::count_rows(theirs.string(), "trans") == total; }, 120s));
  }
  LocalCluster cluster({.name = kName, .partitions = 3});
  fs::copy_file(theirs, cluster.database(0));
  cluster.start();
  INFO(cluster.diagnostics());
  REQUIRE(cluster.wait_cluster_state("RUNNING"));
  neo::test::RunResult r = client({"read", cluster.master_address(), kName, manifest});
  INFO(r.out << r.err);
  CHECK(r.out == "OK\n");
}
