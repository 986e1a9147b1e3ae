#include "nodes/storage/storage_options.hpp"

#include <stdexcept>

#include "nodes/storage/database/importer_database.hpp"
#include "nodes/storage/database/mariadb_database.hpp"
#include "nodes/storage/database/sqlite_database.hpp"

namespace neo::storage {

void add_storage_options(CLI::App& app, config::CommonOptions& common, StorageOptions& options) {
  app.description("NEO Storage node");
  config::add_common_options(app, common);
  config::add_server_options(
      app, options.server,
      {.section = "storage", .masters = "127.0.0.1:10000", .bind = "127.0.0.1"});
  app.add_option("-a,--adapter", options.adapter, "database adapter to use")
      ->check(CLI::IsMember({"Importer", "MariaDB", "MySQL", "MySQLdb", "PyMySQL", "SQLite"}))
      ->capture_default_str();
  app.add_option("-d,--database", options.database,
                 "database connections string: SQLite path or file: URI; MySQL "
                 "[user[:password]@]database[socket]")
      ->required();
  app.add_option("-w,--wait", options.wait,
                 "seconds to wait for backend to be available, before erroring-out (-1 = "
                 "infinite)");
  app.add_flag("--disable-pack", options.disable_pack, "do not process any pack order");
  app.add_flag("--disable-drop-partitions", options.disable_drop_partitions,
               "do not delete data of discarded cells, which is useful for big databases "
               "because the current implementation is inefficient (this option should "
               "disappear in the future)");
  app.add_flag("--new-nid", options.new_nid,
               "request a new NID from a cluster that is already operational, update the "
               "database with the new NID and exit, which makes easier to quickly set up a "
               "replica by copying the database of another node while it was stopped");
  app.add_option("-i,--nid", options.nid,
                 "specify an NID to use for this process. Previously assigned NID takes "
                 "precedence (i.e. you should always use reset with this switch)")
      ->group("database creation");
  app.add_option("-e,--engine", options.engine, "database engine (MySQL only)")
      ->check(CLI::IsMember({"InnoDB", "RocksDB"}))
      ->group("database creation");
  app.add_flag("--dedup", options.dedup,
               "enable deduplication of data when setting up a new storage node")
      ->group("database creation");
  app.add_flag("--reset", options.reset, "remove an existing database if any, and exit")
      ->group("database creation");
}

std::optional<NodeId> option_nid(const StorageOptions& options) {
  if (!options.nid) return std::nullopt;
  if (*options.nid < INT32_MIN || *options.nid > UINT32_MAX)
    throw std::runtime_error("invalid node id " + std::to_string(*options.nid) + " (--nid)");
  return NodeId{static_cast<std::int32_t>(static_cast<std::uint32_t>(*options.nid))};
}

bool is_mysql_adapter(std::string_view adapter) {
  return adapter == "MySQL" || adapter == "MariaDB" || adapter == "MySQLdb" || adapter == "PyMySQL";
}

std::unique_ptr<Database> open_database(const StorageOptions& options) {
  if (options.adapter == "Importer") {
    try {
      return ImporterDatabase::open(options.database, options.reset, options.dedup);
    } catch (const DatabaseError& e) {
      throw std::runtime_error("Importer: " + std::string(e.what()));
    }
  }
  if (is_mysql_adapter(options.adapter)) {
    try {
      return MariaDbDatabase::open(options.database,
                                   MariaDbDatabase::Options{.reset = options.reset,
                                                            .dedup = options.dedup,
                                                            .engine = options.engine,
                                                            .wait = options.wait});
    } catch (const DatabaseError& e) {
      throw std::runtime_error("cannot open the MySQL database " + options.database + ": " +
                               e.what());
    }
  }
  if (options.adapter != "SQLite")
    throw std::runtime_error("adapter " + options.adapter + " is not supported by this build");
  try {
    return SqliteDatabase::open(
        options.database, SqliteDatabase::Options{.reset = options.reset, .dedup = options.dedup});
  } catch (const DatabaseError& e) {
    std::string what = e.what();
    if (what.find("locked") != std::string::npos) what += " (another storage process is using it)";
    throw std::runtime_error("cannot open the database " + options.database + ": " + what);
  }
}

}  // namespace neo::storage
