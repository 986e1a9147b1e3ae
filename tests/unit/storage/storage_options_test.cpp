// neostorage's command line: upstream names and defaults, adapters.
#include "nodes/storage/storage_options.hpp"

#include <catch2/catch.hpp>

#include "tests/unit/storage/storage_test_support.hpp"

using neo::storage::StorageOptions;

namespace {
void parse(CLI::App& app, std::vector<std::string> args) {
  std::reverse(args.begin(), args.end());
  app.parse(args);
}
}  // namespace

TEST_CASE("neostorage options have NEO/py's names and defaults", "[storage][options]") {
  CLI::App app{"NEO Storage node", "neostorage"};
  neo::config::CommonOptions common;
  StorageOptions options;
  neo::storage::add_storage_options(app, common, options);
  parse(app, {"--nid", "1", "--cluster", "c", "--masters", "127.0.0.1:21500", "--bind",
              "127.0.0.1:0", "--logfile", "/tmp/x.log", "--adapter", "SQLite", "--database",
              "db.sqlite", "--disable-pack", "--dedup"});
  CHECK(options.server.cluster == "c");
  CHECK(options.adapter == "SQLite");
  CHECK(options.database == "db.sqlite");
  CHECK(options.disable_pack);
  CHECK(options.dedup);
  CHECK_FALSE(options.reset);
  CHECK(neo::storage::option_nid(options) == neo::make_node_id(1, 1));
}

TEST_CASE("the adapter defaults to MySQL, whose database string names a server",
          "[storage][options]") {
  CLI::App app{"NEO Storage node", "neostorage"};
  neo::config::CommonOptions common;
  StorageOptions options;
  neo::storage::add_storage_options(app, common, options);
  parse(app, {"-c", "c", "-d", "db.sqlite"});
  CHECK(options.adapter == "MySQL");
  CHECK(options.server.masters.size() == 1);
  // Database "db" behind the socket ".sqlite": nothing listens there.
  CHECK_THROWS_WITH(neo::storage::open_database(options),
                    Catch::StartsWith("cannot open the MySQL database db.sqlite: cannot connect to "
                                      "MySQL database db: "));
  CHECK(neo::storage::is_mysql_adapter("MariaDB"));
  CHECK(neo::storage::is_mysql_adapter("MySQL"));
  CHECK_FALSE(neo::storage::is_mysql_adapter("SQLite"));
  options.adapter = "Importer";  // -d names its importer.conf
  CHECK_THROWS_WITH(neo::storage::open_database(options),
                    "Importer: cannot read configuration file 'db.sqlite'");
}

TEST_CASE("a database locked by another storage is refused", "[storage][options]") {
  neo::storage::test::TempDir dir;
  StorageOptions options;
  options.adapter = "SQLite";
  options.database = dir.file("db.sqlite");
  auto first = neo::storage::open_database(options);
  CHECK_THROWS_WITH(neo::storage::open_database(options), Catch::Contains("locked"));
}
