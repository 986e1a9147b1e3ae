// SqliteDatabase: connection string, opening, schema creation and upgrades.
#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "nodes/storage/database/database_logic.hpp"
#include "nodes/storage/database/sql_guard.hpp"
#include "nodes/storage/database/sqlite_checkpointer.hpp"
#include "nodes/storage/database/sqlite_connection.hpp"
#include "nodes/storage/database/sqlite_database.hpp"
#include "nodes/storage/database/sqlite_wal_batch.hpp"

namespace neo::storage {
namespace {

// The tables of schema version 4, in NEO/py's order and with its column
// names, types, keys and WITHOUT ROWID choices (spec/storage-schema.md 1).
// Each body follows "CREATE TABLE <name> ".
struct TableSchema {
  std::string_view name;
  std::string_view body;
};

constexpr std::array<TableSchema, 8> kTables{{
    {"config",
     "(\n"
     "  name TEXT NOT NULL PRIMARY KEY,\n"
     "  value TEXT) WITHOUT ROWID"},
    {"pt",
     "(\n"
     "  partition INTEGER NOT NULL,\n"
     "  nid INTEGER NOT NULL,\n"
     "  tid INTEGER NOT NULL,\n"
     "  pack INTEGER,\n"
     "  PRIMARY KEY (partition, nid)) WITHOUT ROWID"},
    {"pack",
     "(\n"
     "  tid INTEGER PRIMARY KEY,\n"
     "  approved BOOLEAN,\n"
     "  partial BOOLEAN NOT NULL,\n"
     "  oids BLOB,\n"
     "  pack_tid INTEGER)"},
    {"trans",
     "(\n"
     "  partition INTEGER NOT NULL,\n"
     "  tid INTEGER NOT NULL,\n"
     "  packed BOOLEAN NOT NULL,\n"
     "  oids BLOB NOT NULL,\n"
     "  user BLOB NOT NULL,\n"
     "  description BLOB NOT NULL,\n"
     "  ext BLOB NOT NULL,\n"
     "  ttid INTEGER NOT NULL,\n"
     "  PRIMARY KEY (partition, tid)) WITHOUT ROWID"},
    {"obj",
     "(\n"
     "  partition INTEGER NOT NULL,\n"
     "  oid INTEGER NOT NULL,\n"
     "  tid INTEGER NOT NULL,\n"
     "  data_id INTEGER,\n"
     "  value_tid INTEGER,\n"
     "  PRIMARY KEY (partition, oid, tid)) WITHOUT ROWID"},
    {"data",
     "(\n"
     "  id INTEGER PRIMARY KEY,\n"
     "  hash BLOB NOT NULL,\n"
     "  compression INTEGER NOT NULL,\n"
     "  value BLOB NOT NULL)"},
    {"ttrans",
     "(\n"
     "  partition INTEGER NOT NULL,\n"
     "  tid INTEGER,\n"
     "  packed BOOLEAN NOT NULL,\n"
     "  oids BLOB NOT NULL,\n"
     "  user BLOB NOT NULL,\n"
     "  description BLOB NOT NULL,\n"
     "  ext BLOB NOT NULL,\n"
     "  ttid INTEGER NOT NULL)"},
    {"tobj",
     "(\n"
     "  partition INTEGER NOT NULL,\n"
     "  oid INTEGER NOT NULL,\n"
     "  tid INTEGER NOT NULL,\n"
     "  data_id INTEGER,\n"
     "  value_tid INTEGER,\n"
     "  PRIMARY KEY (tid, oid)) WITHOUT ROWID"},
}};

// pt as schema version 3 had it (no pack column), for the upgrade 2 -> 3.
constexpr std::string_view kPtVersion3 =
    "(\n"
    "  partition INTEGER NOT NULL,\n"
    "  nid INTEGER NOT NULL,\n"
    "  tid INTEGER NOT NULL,\n"
    "  PRIMARY KEY (partition, nid)) WITHOUT ROWID";

constexpr std::array<std::string_view, 2> kObjIndexes{
    "CREATE INDEX IF NOT EXISTS _obj_i1 ON obj(partition, tid, oid)",
    "CREATE INDEX IF NOT EXISTS _obj_i2 ON obj(data_id)"};
constexpr std::string_view kDedupIndex =
    "CREATE UNIQUE INDEX IF NOT EXISTS _data_i1 ON data(hash, compression)";

std::string_view table_body(std::string_view name) {
  for (const auto& table : kTables) {
    if (table.name == name) return table.body;
  }
  return {};
}

// os.path.expanduser.
std::string expand_user(std::string path) {
  if (path.empty() || path[0] != '~') return path;
  std::size_t end = path.find('/', 1);
  if (end == std::string::npos) end = path.size();
  std::string home;
  if (end == 1) {
    if (const char* env = std::getenv("HOME")) {
      home = env;
    } else if (const passwd* pw = getpwuid(getuid())) {
      home = pw->pw_dir;
    } else {
      return path;
    }
  } else {
    const passwd* pw = getpwnam(path.substr(1, end - 1).c_str());
    if (!pw) return path;
    home = pw->pw_dir;
  }
  while (!home.empty() && home.back() == '/') home.pop_back();
  std::string result = home + path.substr(end);
  return result.empty() ? "/" : result;
}

// urllib.parse.unquote_plus.
std::string unquote_plus(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '+') {
      out += ' ';
    } else if (c == '%' && i + 2 < text.size() &&
               std::isxdigit(static_cast<unsigned char>(text[i + 1])) &&
               std::isxdigit(static_cast<unsigned char>(text[i + 2]))) {
      out += static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

// The value of the pragma `key` given in the connection string, if any.
std::optional<std::string> pragma_of(const SqliteDatabase::Target& target, std::string_view key) {
  for (const auto& [name, value] : target.pragmas)
    if (name == key) return value;
  return std::nullopt;
}

// synchronous=FULL (SQLite's default) or EXTRA: each WAL commit is synced
// before other connections can see it.
bool syncs_every_commit(const SqliteDatabase::Target& target) {
  std::optional<std::string> mode = pragma_of(target, "synchronous");
  if (!mode) return true;
  std::transform(mode->begin(), mode->end(), mode->begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return mode == "full" || mode == "extra" || mode == "2" || mode == "3";
}

bool is_pragma_value(std::string_view value) {
  if (value.empty()) return false;
  for (char c : value) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') return false;
  }
  return true;
}

}  // namespace

SqliteDatabase::Target SqliteDatabase::parse_target(std::string_view database) {
  Target target;
  if (!database.starts_with("file:")) {
    target.path = expand_user(std::string(database));
    return target;
  }
  // urlsplit: [//netloc][path][?query][#fragment]; the path is not decoded.
  std::string_view rest = database.substr(5);
  if (auto hash = rest.find('#'); hash != std::string_view::npos) rest = rest.substr(0, hash);
  std::string_view query;
  if (auto mark = rest.find('?'); mark != std::string_view::npos) {
    query = rest.substr(mark + 1);
    rest = rest.substr(0, mark);
  }
  if (rest.starts_with("//")) {
    const auto slash = rest.find('/', 2);
    rest = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash);
  }
  target.path = std::string(rest);
  // parse_qsl(query, keep_blank_values=True, strict_parsing=True).
  bool cksumvfs_seen = false;
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view field = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    const auto eq = field.find('=');
    if (eq == std::string_view::npos) {
      throw DatabaseError("bad query field: '" + std::string(field) + "'");
    }
    const std::string key = unquote_plus(field.substr(0, eq));
    const std::string value = unquote_plus(field.substr(eq + 1));
    if (key == "cksumvfs") {
      if (cksumvfs_seen || (value != "0" && value != "1")) {
        throw DatabaseError("invalid or duplicate cksumvfs value");
      }
      cksumvfs_seen = true;
      target.cksumvfs = value == "1";
      continue;
    }
    for (const auto& pragma : target.pragmas) {
      if (pragma.first == key) throw DatabaseError("duplicate pragma: " + key);
    }
    if (key != "cache_size" && key != "journal_mode" && key != "synchronous") {
      throw DatabaseError("unsupported pragma: " + key);
    }
    if (!is_pragma_value(value))
      throw DatabaseError("invalid value for pragma " + key + ": " + value);
    target.pragmas.emplace_back(key, value);
  }
  return target;
}

SqliteDatabase::SqliteDatabase() = default;

std::unique_ptr<SqliteDatabase> SqliteDatabase::open(std::string_view database,
                                                     const Options& options) {
  Target target = parse_target(database);
  if (target.cksumvfs) {
    throw DatabaseError("cksumvfs=1 is not supported: this build has no SQLite checksum VFS");
  }
  std::unique_ptr<SqliteDatabase> db(new SqliteDatabase());
  db->path_ = target.path;
  const char* vfs = syncs_every_commit(target) ? sqlite::wal_batch_vfs() : nullptr;
  try {
    db->conn_ = std::make_unique<sqlite::Connection>(target.path, vfs);
    if (options.lock) {
      Result<FileLock> lock = FileLock::acquire(target.path);
      if (!lock) {
        if (lock.error() == std::errc::address_in_use) throw DatabaseError("database is locked");
        throw DatabaseError("cannot lock " + target.path + ": " + lock.error().message());
      }
      db->lock_ = std::move(*lock);
    }
    // Sorts and statement journals in memory: else SQLite creates, and
    // unlinks, a file in /var/tmp for some commits. Not stored in the file.
    db->conn_->query_once("PRAGMA temp_store = MEMORY").run();
    for (const auto& [key, value] : target.pragmas) {
      db->conn_->query_once("PRAGMA " + key + " = " + value).run();
    }
    // Our default journal: write-ahead log. With SQLite's default
    // synchronous=FULL a commit is as durable as with NEO/py's rollback
    // journal but costs one fsync instead of about four. The schema and
    // the file stay NEO/py's (NEO/py opens a WAL database as is); an
    // operator wanting NEO/py's journal sets ?journal_mode=DELETE.
    if (options.lock && !pragma_of(target, "journal_mode"))
      db->conn_->query_once("PRAGMA journal_mode = WAL").run();
    if (options.lock && db->in_wal_mode()) {
      db->batched_wal_ = vfs != nullptr;
      try {
        db->checkpointer_ = std::make_unique<sqlite::Checkpointer>(
            db->conn_->handle(), target.path, vfs, pragma_of(target, "synchronous").value_or(""));
      } catch (const std::runtime_error& error) {
        throw DatabaseError(target.path + ": " + error.what());
      }
    }
    if (options.reset) {
      db->erase();
      db->do_commit();
    }
    db->setup(options.dedup);
  } catch (const sqlite::Failure& failure) {
    throw DatabaseError(target.path + ": " + failure.message);
  }
  return db;
}

void SqliteDatabase::setup(bool dedup) {
  config_.clear();
  if (!table_exists("config")) {
    conn_->begin();
    conn_->exec("CREATE TABLE config " + std::string(table_body("config")));
    do_set_config("version", std::to_string(kVersion));
  } else {
    load_config();
    migrate();
    conn_->begin();
  }
  for (const auto& table : kTables) {
    if (table.name == "config") continue;
    conn_->exec("CREATE TABLE IF NOT EXISTS " + std::string(table.name) + " " +
                std::string(table.body));
  }
  for (std::string_view index : kObjIndexes) conn_->exec(std::string(index));
  if (dedup) conn_->exec(std::string(kDedupIndex));
  do_commit();
  load_config();
  load_state();
}

void SqliteDatabase::migrate() {
  int version = schema_version();
  while (version < kVersion) {
    ++version;
    conn_->begin();
    switch (version) {
      case 1:
        check_no_unfinished_transactions();
        conn_->exec("DROP TABLE IF EXISTS ttrans");
        break;
      case 2:
        alter_table("obj", "CREATE TABLE new_obj " + std::string(table_body("obj")), "*");
        break;
      case 3:
        alter_table("pt", "CREATE TABLE new_pt " + std::string(kPtVersion3),
                    "rid, nid, CASE state WHEN 0 THEN -1 WHEN 2 THEN -2 ELSE 1-state END");
        break;
      case 4: {
        do_set_config("partitions", std::nullopt);
        const auto own = config("nid") ? parse_int(*config("nid")) : std::nullopt;
        alter_table("pt", "CREATE TABLE new_pt " + std::string(table_body("pt")),
                    "*, CASE WHEN nid=" + (own ? std::to_string(*own) : std::string("NULL")) +
                        " THEN 0 ELSE NULL END");
        break;
      }
    }
    do_set_config("version", std::to_string(version));
    do_commit();
  }
}

// Rebuilds `table` as `create_new` (which creates new_<table>) filled with
// `select` from the old one; resumes a rebuild interrupted before the rename.
void SqliteDatabase::alter_table(std::string_view table, const std::string& create_new,
                                 std::string_view select) {
  const std::string name(table);
  const std::string renamed = "new_" + name;
  if (!table_exists(name)) {
    if (!table_exists(renamed)) return;
  } else {
    conn_->exec("DROP TABLE IF EXISTS " + renamed);
    conn_->exec(create_new);
    conn_->exec("INSERT INTO " + renamed + " SELECT " + std::string(select) + " FROM " + name);
    conn_->exec("DROP TABLE " + name);
  }
  conn_->exec("ALTER TABLE " + renamed + " RENAME TO " + name);
}

void SqliteDatabase::erase() {
  conn_->clear_cache();
  conn_->begin();
  for (const char* table : {"config", "pt", "pack", "trans", "obj", "data", "ttrans", "tobj"}) {
    conn_->exec(std::string("DROP TABLE IF EXISTS ") + table);
  }
}

void SqliteDatabase::load_config() {
  config_.clear();
  auto q = conn_->query("SELECT name, value FROM config");
  while (q.step()) {
    auto key = q.opt_text(0);
    auto value = q.opt_text(1);
    if (key && value) config_[*key] = *value;
  }
}

void SqliteDatabase::load_state() {
  check_config();
  uncommitted_data_.clear();
  auto q =
      conn_->query("SELECT data_id, count(*) FROM tobj WHERE data_id IS NOT NULL GROUP BY data_id");
  while (q.step()) uncommitted_data_[q.u64(0)] = q.i64(1);
  auto index = conn_->query("SELECT 1 FROM sqlite_master WHERE type='index' AND name='_data_i1'");
  dedup_ = index.step();
  update_readable(true);
}

bool SqliteDatabase::table_exists(std::string_view table) {
  auto q = conn_->query("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?");
  q.bind(sqlite::Text{table});
  return q.step();
}

std::optional<bool> SqliteDatabase::table_nonempty(std::string_view table) {
  if (!table_exists(table)) return std::nullopt;
  return conn_->query_once("SELECT 1 FROM " + std::string(table) + " LIMIT 1").step();
}

bool SqliteDatabase::in_wal_mode() {
  auto q = conn_->query_once("PRAGMA journal_mode");
  return q.step() && q.opt_text(0) == "wal";
}

}  // namespace neo::storage
