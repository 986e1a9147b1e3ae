// nodes/storage/storage_options.hpp
// The command line and neo.conf section of neostorage, as NEO/py's storage
// (spec/config-and-cli.md 4): common + server options, then -a -d -w
// --disable-pack --disable-drop-partitions --new-nid -i -e --dedup --reset.
// open_database() turns the adapter and connection string into a Database,
// throwing std::runtime_error with the operator's message on failure.
// Used by main.cpp and the tests; no I/O besides opening the database.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "core/config/options.hpp"
#include "core/util/ids.hpp"
#include "nodes/storage/database/database.hpp"

namespace neo::storage {

struct StorageOptions {
  config::ServerOptions server;
  std::string adapter = "MySQL";  // NEO/py's default (MariaDB, MySQLdb, PyMySQL: the same)
  std::string database;           // SQLite path or file: URI; MySQL [user[:password]@]db[socket]
  double wait = 0;                // MySQL only: seconds to retry connecting (-1: forever)
  bool disable_pack = false;
  bool disable_drop_partitions = false;
  bool new_nid = false;
  std::optional<std::int64_t> nid;  // -i: overrides the database's (testing)
  std::string engine;               // MySQL only: InnoDB (default) or RocksDB, for new tables
  bool dedup = false;
  bool reset = false;
};

// Registers every option of neostorage on `app` (common options included).
void add_storage_options(CLI::App& app, config::CommonOptions& common, StorageOptions& options);

// The node id given with -i (an integer, as NEO/py's int option), or nullopt.
// Throws std::runtime_error if it is not a valid node id.
std::optional<NodeId> option_nid(const StorageOptions& options);

// True for the adapters backed by MariaDbDatabase: MySQL (NEO/py's name and
// default), its bindings' names MySQLdb and PyMySQL, and MariaDB.
bool is_mysql_adapter(std::string_view adapter);

// Opens (and with --reset, erases) the database. Throws std::runtime_error:
// unsupported adapter, bad connection string, database locked by another
// process...
std::unique_ptr<Database> open_database(const StorageOptions& options);

}  // namespace neo::storage
