// tests/cluster/importer_cluster_test.cpp
// The Importer backend in a real cluster (our daemons on 127.0.0.1): a
// storage started on a ZODB FileStorage serves it to clients at once,
// imports it, takes new commits, and then runs on its SQLite destination.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "core/util/record_data.hpp"
#include "neo/client.hpp"
#include "tests/cluster/cluster_client.hpp"
#include "tests/cluster/local_cluster.hpp"
#include "tests/support/client_steps.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/unit/importer/fs_corpus.hpp"

using neo::errc;
using neo::Oid;
using neo::Tid;
using neo::client::Client;
using neo::test::LocalCluster;
using namespace neo::importer::test;
using namespace std::chrono_literals;

namespace {

// Every revision the manifest lists, and every oid's current one.
void check_manifest(Client& client, const nlohmann::json& manifest) {
  for (const nlohmann::json& txn : manifest["transactions"]) {
    Tid tid{from_hex64(txn["tid"])};
    for (const nlohmann::json& record : txn["records"]) {
      INFO("oid " << record["oid"] << " at " << txn["tid"]);
      auto got = client.load_serial(Oid{from_hex64(record["oid"])}, tid);
      if (record["data_sha1"].is_null()) {
        CHECK(got.error() == errc::no_data);
        continue;
      }
      REQUIRE(got);
      CHECK(neo::hex(neo::sha1(got->data)) == record["data_sha1"]);
    }
  }
  for (const nlohmann::json& object : manifest["objects"]) {
    if (object["tid"].is_null()) continue;
    auto latest = client.load(Oid{from_hex64(object["oid"])});
    REQUIRE(latest);
    CHECK(neo::hex(neo::p64(latest->serial.value)) == object["tid"]);
  }
}

bool imported(const LocalCluster& cluster) {
  return neo::test::read_file(cluster.dir() / "storage0.out").find("All data are imported") !=
         std::string::npos;
}

}  // namespace

TEST_CASE("a storage on the Importer serves a FileStorage, imports it, then runs on SQLite",
          "[importer]") {
  REQUIRE(LocalCluster::daemons_built());
  LocalCluster cluster({.partitions = 12});
  const nlohmann::json manifest = corpus_manifest("features");
  const auto source = cluster.dir() / "Data.fs";
  std::filesystem::copy_file(corpus_file("features"), source);
  const std::string conf = (cluster.dir() / "importer.conf").string();
  std::ofstream(conf) << "[neo]\nadapter = SQLite\ndatabase = " << cluster.database(0).string()
                      << "\n[root]\nstorage =\n  <filestorage>\n    path " << source.string()
                      << "\n  </filestorage>\n";
  cluster.use_importer(conf);
  cluster.start();
  INFO(cluster.diagnostics());
  REQUIRE(cluster.wait_cluster_state("RUNNING"));
  auto client = neo::test::connect_client(cluster);
  const Tid last{from_hex64(manifest["last_tid"])};
  CHECK(client->last_transaction().value() == last);
  check_manifest(*client, manifest);
  REQUIRE(neo::test::wait_for([&] { return imported(cluster); }, 60s));
  check_manifest(*client, manifest);

  const Oid oid = client->new_oid().value();
  CHECK(oid.value == from_hex64(manifest["max_oid"]) + 1);
  const Tid tid = neo::test::commit(*client, {oid}, neo::kZeroTid, "after the import");
  CHECK(last < tid);
  client.reset();

  CHECK(cluster.storage(0).stop() == 0);
  cluster.use_importer("");
  cluster.start_storage(0);
  REQUIRE(cluster.wait_cluster_state("RUNNING"));
  auto native = neo::test::connect_client(cluster);
  check_manifest(*native, manifest);
  CHECK(native->load(oid)->serial == tid);
  CHECK(std::filesystem::file_size(source) == manifest["size"].get<std::uintmax_t>());
}
