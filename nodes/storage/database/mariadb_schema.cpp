// MariaDbDatabase: opening, schema creation and upgrades.
#include <algorithm>
#include <string>

#include "nodes/storage/database/database_logic.hpp"
#include "nodes/storage/database/mariadb_connection.hpp"
#include "nodes/storage/database/mariadb_database.hpp"
#include "nodes/storage/database/sql_guard.hpp"

namespace neo::storage {
namespace {

// RocksDB column family comments, as NEO/py declares them ('' on InnoDB).
std::string cf(bool rocksdb, std::string_view name, bool reverse = false) {
  if (!rocksdb) return "";
  return std::string(" COMMENT '") + (reverse ? "rev:" : "") + "cf_neo_" + std::string(name) + "'";
}

constexpr const char* kTables[] = {"config", "pt",      "pack",   "trans", "obj",
                                   "data",   "bigdata", "ttrans", "tobj",  "todel"};

}  // namespace

const std::error_category& mariadb_error_category() noexcept { return mariadb::category(); }

// Each value follows "CREATE TABLE <name> ": NEO/py's MySQL schema version 4.
std::map<std::string, std::string> MariaDbDatabase::schema(bool dedup) const {
  const bool r = engine_ == "RocksDB";
  const std::string engine = ") ENGINE=" + engine_;
  std::map<std::string, std::string> s;
  s["config"] =
      "(name VARBINARY(255) NOT NULL PRIMARY KEY,"
      " value VARBINARY(255) NULL" +
      engine;
  s["pt"] =
      "(`partition` SMALLINT UNSIGNED NOT NULL,"
      " nid INT NOT NULL,"
      " tid BIGINT NOT NULL,"
      " pack BIGINT UNSIGNED,"
      " PRIMARY KEY (`partition`, nid)" +
      engine;
  s["pack"] =
      "(tid BIGINT UNSIGNED NOT NULL PRIMARY KEY,"
      " approved BOOLEAN,"
      " partial BOOLEAN NOT NULL,"
      " oids MEDIUMBLOB,"
      " pack_tid BIGINT UNSIGNED" +
      engine;
  const std::string trans_columns =
      "(`partition` SMALLINT UNSIGNED NOT NULL,"
      " tid BIGINT UNSIGNED%s,"
      " packed BOOLEAN NOT NULL,"
      " oids MEDIUMBLOB NOT NULL,"
      " user BLOB NOT NULL,"
      " description BLOB NOT NULL,"
      " ext BLOB NOT NULL,"
      " ttid BIGINT UNSIGNED NOT NULL,";
  auto with_tid = [&](std::string_view not_null) {
    std::string text = trans_columns;
    text.replace(text.find("%s"), 2, not_null);
    return text;
  };
  s["trans"] =
      with_tid(" NOT NULL") + " PRIMARY KEY (`partition`, tid)" + cf(r, "append_meta") + engine;
  const std::string obj_columns =
      "(`partition` SMALLINT UNSIGNED NOT NULL,"
      " oid BIGINT UNSIGNED NOT NULL,"
      " tid BIGINT UNSIGNED NOT NULL,"
      " data_id BIGINT UNSIGNED NULL,"
      " value_tid BIGINT UNSIGNED NULL,";
  s["obj"] = obj_columns + " PRIMARY KEY (`partition`, oid, tid)" + cf(r, "obj_pk", true) +
             ", KEY tid (`partition`, tid, oid)" + cf(r, "append_meta") + ", KEY (data_id)" +
             cf(r, "append_meta") + engine;
  s["data"] =
      "(id BIGINT UNSIGNED NOT NULL,"
      " hash BINARY(20) NOT NULL,"
      " compression TINYINT UNSIGNED NULL,"
      " value MEDIUMBLOB NOT NULL,"
      " PRIMARY KEY (id)" +
      cf(r, "append") + (dedup ? ", UNIQUE (hash, compression)" + cf(r, "no_comp") : "") + engine;
  s["bigdata"] =
      "(id INT UNSIGNED NOT NULL AUTO_INCREMENT,"
      " value MEDIUMBLOB NOT NULL,"
      " PRIMARY KEY (id)" +
      cf(r, "append") + engine;
  s["ttrans"] = with_tid("") + " PRIMARY KEY (ttid)" + cf(r, "no_comp") + engine;
  s["tobj"] = obj_columns + " PRIMARY KEY (tid, oid)" + cf(r, "no_comp") + engine;
  s["todel"] =
      "(data_id BIGINT UNSIGNED NOT NULL, PRIMARY KEY (data_id)" + cf(r, "no_comp") + engine;
  return s;
}

MariaDbDatabase::MariaDbDatabase() = default;

std::unique_ptr<MariaDbDatabase> MariaDbDatabase::open(std::string_view database,
                                                       const Options& options) {
  std::string engine = options.engine.empty() ? "InnoDB" : options.engine;
  if (engine != "InnoDB" && engine != "RocksDB") {
    throw DatabaseError("Unsupported engine: '" + engine + "' not in ('InnoDB', 'RocksDB')");
  }
  mariadb::Connection::Settings settings{mariadb::parse_target(database), engine, true,
                                         options.wait};
  std::unique_ptr<MariaDbDatabase> db(new MariaDbDatabase());
  db->engine_ = engine;
  db->conn_ = std::make_unique<mariadb::Connection>(std::move(settings));
  try {
    auto datadir = db->q("SELECT @@datadir");
    if (!datadir.empty() && !datadir[0].is_null(0)) db->datadir_ = datadir[0].str(0);
    if (options.reset) db->erase();
    db->setup(options.dedup);
  } catch (const mariadb::Failure& failure) {
    throw DatabaseError(failure.message);
  }
  return db;
}

void MariaDbDatabase::setup(bool dedup) {
  config_.clear();
  auto dedup_index = table_nonempty("data").has_value()
                         ? std::optional(!q("SHOW INDEX FROM data WHERE key_name='hash'").empty())
                         : std::nullopt;
  std::map<std::string, std::string> tables = schema(dedup_index.value_or(dedup));
  if (!table_nonempty("config")) {
    q("CREATE TABLE config " + tables["config"]);
    tables.erase("config");
    do_set_config("version", std::to_string(kVersion));
  } else {
    load_config();
    migrate(tables);
  }
  for (const auto& [table, body] : tables) q("CREATE TABLE IF NOT EXISTS " + table + " " + body);
  do_commit();
  load_config();
  load_state();
  prune_todel();
}

void MariaDbDatabase::migrate(std::map<std::string, std::string>& tables) {
  int version = schema_version();
  while (version < kVersion) {
    ++version;
    switch (version) {
      case 1:
        check_no_unfinished_transactions();
        q("DROP TABLE IF EXISTS ttrans");
        break;
      case 2: alter_table(tables, "obj", "*"); break;
      case 3: {
        // pt as version 3 had it: without the pack column. NEO/py's 1-state
        // fails on its unsigned column for CORRUPTED (4): signed here.
        std::map<std::string, std::string> old{{"pt", tables["pt"]}};
        std::string& body = old["pt"];
        body.erase(body.find(" pack BIGINT UNSIGNED,"), 22);
        alter_table(
            old, "pt",
            "rid AS `partition`, nid,"
            " CASE state WHEN 0 THEN -1 WHEN 2 THEN -2 ELSE 1-CAST(state AS SIGNED) END AS tid");
        break;
      }
      case 4: {
        do_set_config("partitions", std::nullopt);
        const auto own = config("nid") ? parse_int(*config("nid")) : std::nullopt;
        alter_table(tables, "pt",
                    "*, IF(nid=" + (own ? std::to_string(*own) : std::string("NULL")) +
                        ", 0, NULL) AS pack");
        break;
      }
    }
    do_set_config("version", std::to_string(version));
    do_commit();
  }
}

// Rebuilds `table` from its schema entry (which it takes) filled with
// `select` from the old one; resumes a rebuild interrupted before the rename.
void MariaDbDatabase::alter_table(std::map<std::string, std::string>& tables,
                                  const std::string& table, const std::string& select) {
  const std::string renamed = "new_" + table;
  if (!table_nonempty(table)) {
    if (!table_nonempty(renamed)) return;
  } else {
    q("DROP TABLE IF EXISTS " + renamed);
    q("CREATE TABLE " + renamed + " " + tables[table] + " SELECT " + select + " FROM " + table);
    tables.erase(table);
    q("DROP TABLE " + table);
  }
  q("ALTER TABLE " + renamed + " RENAME TO " + table);
}

void MariaDbDatabase::erase() {
  std::string list;
  for (const char* table : kTables) list += std::string(list.empty() ? "" : ", ") + table;
  q("DROP TABLE IF EXISTS " + list);
}

void MariaDbDatabase::load_config() {
  config_.clear();
  for (const auto& row : q("SELECT name, value FROM config")) {
    if (!row.is_null(0) && !row.is_null(1)) config_[row.str(0)] = row.str(1);
  }
}

void MariaDbDatabase::load_state() {
  check_config();
  uncommitted_data_.clear();
  for (const auto& row :
       q("SELECT data_id, count(*) FROM tobj WHERE data_id IS NOT NULL GROUP BY data_id")) {
    uncommitted_data_[row.u64(0)] = row.i64(1);
  }
  dedup_ = !q("SHOW INDEX FROM data WHERE key_name='hash'").empty();
  update_readable(true);
}

// Data rows whose deletion was deferred by NEO/py (its secondary
// connections write `todel`): prune them now, then empty the table.
void MariaDbDatabase::prune_todel() {
  std::uint64_t min_id = 0;
  bool any = false;
  for (;;) {
    std::vector<std::uint64_t> ids;
    for (const auto& row : q("SELECT data_id FROM todel WHERE data_id>=" + std::to_string(min_id) +
                             " ORDER BY data_id LIMIT 10000")) {
      ids.push_back(row.u64(0));
    }
    if (ids.empty()) break;
    any = true;
    min_id = ids.back() + 1;
    do_prune_data(ids);
    do_commit();
  }
  if (any) q("TRUNCATE TABLE todel");
}

std::optional<bool> MariaDbDatabase::table_nonempty(std::string_view table) {
  try {
    return !q("SELECT 1 FROM " + std::string(table) + " LIMIT 1").empty();
  } catch (const mariadb::Failure& failure) {
    if (failure.code == std::error_code(mariadb::kNoSuchTable, mariadb::category()))
      return std::nullopt;
    throw;
  }
}

}  // namespace neo::storage
