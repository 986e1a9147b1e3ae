// Cross-opening of storage databases between neo-cpp and NEO/py (schema 4):
// each implementation writes the same scenario, both dump each database in
// one canonical text form through their own API, and the dumps and raw rows
// must be equal; their locks must exclude each other. Built twice: on SQLite
// (interop_storage_db_test) and, with NEO_INTEROP_MARIADB, on MariaDB with
// NEO/py's MySQL adapter (interop_storage_mysql_test, on a private server:
// tests/support/mariadb_server.hpp; needs python3-mysqldb).
// Needs NEO_PEER_PYTHONPATH (NEO/py and its dependencies); skipped (exit
// code 77) without it (or without mariadbd). The interpreter is
// NEO_PEER_PYTHON or /usr/bin/python3.
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include "nodes/storage/database/database_logic.hpp"
#include "nodes/storage/database/sqlite_database.hpp"
#include "tests/interop/peer_env.hpp"
#ifdef NEO_INTEROP_MARIADB
#include "nodes/storage/database/mariadb_database.hpp"
#include "tests/support/mariadb_server.hpp"
#endif

using namespace neo;
using neo::interop::shell_quote;
using namespace neo::storage;

namespace {

constexpr std::uint32_t kNp = 3;
constexpr NodeId kNid{1};

#ifdef NEO_INTEROP_MARIADB
constexpr const char* kAdapterEnv = "NEO_DB_ADAPTER=MySQL ";
std::unique_ptr<Database> open_db(const std::string& target) {
  return MariaDbDatabase::open(target);
}
#else
constexpr const char* kAdapterEnv = "";
std::unique_ptr<Database> open_db(const std::string& target) {
  return SqliteDatabase::open(target);
}
#endif

std::string python_command(const std::string& command, const std::string& path,
                           const std::string& extra = "") {
  return kAdapterEnv + interop::peer_python_command() + " " + shell_quote(NEO_STORAGE_DB_SCRIPT) +
         " " + command + " " + shell_quote(path) + " " + extra;
}

// Runs the NEO/py helper; returns its stdout (and stderr unless
// `stdout_only`, then left to the test's stderr) and exit status.
std::pair<std::string, int> run_python(const std::string& command, const std::string& path,
                                       bool stdout_only = false) {
  FILE* pipe = popen((python_command(command, path) + (stdout_only ? "" : " 2>&1")).c_str(), "r");
  REQUIRE(pipe);
  std::string out;
  char buffer[4096];
  while (std::size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) out.append(buffer, n);
  const int status = pclose(pipe);
  return {out, WIFEXITED(status) ? WEXITSTATUS(status) : -1};
}

std::string hexs(std::string_view bytes) { return hex(bytes); }
std::string num(std::optional<std::uint64_t> value) { return value ? std::to_string(*value) : "-"; }
std::string num(std::optional<Tid> tid) { return tid ? std::to_string(tid->value) : "-"; }
std::string num(std::optional<Oid> oid) { return oid ? std::to_string(oid->value) : "-"; }

template <class T>
T get(Result<T> result) {
  INFO(result.error().message());
  REQUIRE(result);
  return std::move(*result);
}

// The canonical dump of upstream_db.py's `dump`, through this project's API.
std::string dump(const std::string& path) {
  auto db = open_db(path);
  std::ostringstream out;
  auto opt = [](const auto& value) -> std::string {
    if (!value) return "None";
    if constexpr (std::is_same_v<std::decay_t<decltype(*value)>, NodeId>) {
      return std::to_string(value->value);
    } else if constexpr (std::is_same_v<std::decay_t<decltype(*value)>, std::string>) {
      return *value;
    } else {
      return std::to_string(*value);
    }
  };
  out << "config version=" << opt(db->config("version")) << " name=" << opt(db->name())
      << " nid=" << opt(db->nid()) << " ptid=" << opt(db->ptid())
      << " replicas=" << opt(db->num_replicas()) << " backup_tid=" << num(db->backup_tid())
      << " truncate_tid=" << num(db->truncate_tid()) << '\n';
  for (const PtRow& row : get(db->pt_rows())) {
    out << "pt " << row.partition << ' ' << row.nid.value << ' ' << row.tid << ' ' << num(row.pack)
        << '\n';
  }
  for (const CellRow& cell : get(db->partition_table())) {
    out << "cell " << cell.partition << ' ' << cell.nid.value << ' ' << static_cast<int>(cell.state)
        << '\n';
  }
  const LastIds ids = get(db->last_ids());
  out << "last_ids " << num(ids.tid) << ' ' << num(ids.oid) << '\n';
  out << "first_tid " << get(db->first_tid()).value << '\n';
  out << "last_tid " << num(get(db->last_tid(std::nullopt))) << '\n';
  for (const auto& [ttid, tid] : get(db->locked_transactions())) {
    out << "unfinished " << ttid.value << ' ' << num(tid) << '\n';
  }
  for (const protocol::PackOrder& order : get(db->pack_orders(kZeroTid))) {
    out << "pack_order " << order.pack_id.value << ' '
        << (order.approved ? std::to_string(*order.approved) : "-") << ' ' << order.partial << ' '
        << (order.oids ? hexs(join_oids(*order.oids)) : "-") << ' ' << order.pack_tid.value << '\n';
  }
  for (const auto& [partition, pack_id] : get(db->packed_ids(false))) {
    out << "packed " << partition << ' ' << pack_id.value << '\n';
  }
  const std::vector<std::uint32_t> readable = db->readable_partitions();
  out << "tids";
  std::string tids;
  for (Tid tid : get(db->tid_list(0, 1000, readable)))
    tids += (tids.empty() ? "" : " ") + std::to_string(tid.value);
  out << ' ' << tids << '\n';
  for (std::uint32_t p : readable) {
    const TidRangeCheck t = get(db->check_tid_range(p, std::nullopt, kZeroTid, kMaxTid));
    out << "check_tid " << p << ' ' << t.count << ' ' << hexs(t.checksum) << ' ' << t.max_tid.value
        << '\n';
    const SerialRangeCheck s =
        get(db->check_serial_range(p, std::nullopt, kZeroTid, kMaxTid, kZeroOid));
    out << "check_serial " << p << ' ' << s.count << ' ' << hexs(s.tid_checksum) << ' '
        << s.max_tid.value << ' ' << hexs(s.oid_checksum) << ' ' << s.max_oid.value << '\n';
    const OidsFrom from = get(db->oids_from(p, 1000, kZeroOid, kMaxTid));
    out << "oids_from " << p << ' ' << num(from.next_oid);
    std::string oids;
    for (Oid oid : from.oids) oids += (oids.empty() ? "" : " ") + std::to_string(oid.value);
    out << ' ' << oids << '\n';
    for (Tid tid : get(db->replication_tid_list(kZeroTid, kMaxTid, std::nullopt, p))) {
      const TransactionInfo info = *get(db->transaction(tid, false));
      out << "trans " << tid.value << " oids=" << hexs(join_oids(info.meta.oids))
          << " user=" << hexs(info.meta.user) << " desc=" << hexs(info.meta.description)
          << " ext=" << hexs(info.meta.extension) << " packed=" << info.meta.packed
          << " ttid=" << info.meta.ttid.value << " pack=";
      if (info.pack) {
        out << (info.pack->approved ? std::to_string(*info.pack->approved) : "-") << ','
            << info.pack->partial << ','
            << (info.pack->oids ? hexs(join_oids(*info.pack->oids)) : "-") << ','
            << info.pack->pack_tid.value;
      } else {
        out << '-';
      }
      out << '\n';
    }
    std::set<std::uint64_t> seen;
    for (const auto& [serial, oid] :
         get(db->replication_object_list(kZeroTid, kMaxTid, std::nullopt, p, kZeroOid))) {
      for (const char* label : {"at", "before"}) {
        const ObjectRecord r = std::string(label) == "at"
                                   ? get(db->load(oid, serial, std::nullopt))
                                   : get(db->load(oid, std::nullopt, Tid{serial.value + 1}));
        out << "obj " << label << ' ' << oid.value << ' ' << r.serial.value << ' '
            << num(r.next_serial) << ' '
            << (r.has_data()
                    ? std::to_string(*r.compression) + ' ' + hexs(r.checksum) + ' ' + hexs(r.data)
                    : std::string("- - -"))
            << ' ' << num(r.data_serial) << '\n';
      }
      const auto undo = get(db->find_undo_tid(oid, std::nullopt, serial, std::nullopt));
      out << "undo " << oid.value << ' ' << serial.value << ' ';
      if (undo) {
        out << num(undo->current_serial) << ' ' << num(undo->undo_serial) << ' '
            << undo->is_current;
      } else {
        out << '-';
      }
      out << '\n';
      if (seen.insert(oid.value).second) {
        const ObjectRecord r = get(db->load(oid, std::nullopt, std::nullopt));
        out << "latest " << oid.value << ' ' << r.serial.value << ' ' << num(r.next_serial) << ' '
            << num(r.data_serial) << '\n';
        out << "history " << oid.value;
        std::string history;
        for (const auto& entry : get(db->object_history(oid, 0, 1000))) {
          history += (history.empty() ? "" : " ") + std::to_string(entry.serial.value) + ':' +
                     std::to_string(entry.size);
        }
        out << ' ' << history << '\n';
      }
    }
  }
  return out.str();
}

// upstream_db.py's `write` scenario, through this project's API.
Tid tid_of(int i) { return Tid{0x03f84a50fb000000ULL + static_cast<std::uint64_t>(i) * 7}; }

struct Store {
  std::uint64_t oid;
  std::optional<std::string> data;  // none: deletion
  std::int64_t compression = 0;
  std::optional<Tid> data_serial{};
};

using PackSpec = std::pair<std::optional<std::vector<Oid>>, Tid>;  // (oids, pack_tid)

void write_scenario(const std::string& path) {
  auto db = open_db(path);
  REQUIRE_FALSE(db->set_name("interop"));
  REQUIRE_FALSE(db->set_nid(kNid));
  std::vector<protocol::CellChange> cells;
  for (std::uint32_t p = 0; p < kNp; ++p) cells.push_back({p, kNid, CellState::UpToDate});
  cells.push_back({0, NodeId{2}, CellState::OutOfDate});
  cells.push_back({1, NodeId{3}, CellState::Corrupted});
  REQUIRE(db->change_partition_table(1, 1, cells, true, kZeroTid));
  REQUIRE_FALSE(db->commit());

  auto commit = [&](int i, const std::vector<Store>& stores, const std::string& user,
                    const std::string& desc, const std::string& ext,
                    std::optional<PackSpec> pack = std::nullopt, bool lock = true,
                    bool unlock = true) {
    const Tid ttid{tid_of(i).value - kNp};
    const Tid final_tid = tid_of(i);
    std::vector<ObjectRef> refs;
    std::vector<Oid> oids;
    for (const Store& s : stores) {
      const std::string data = s.data.value_or("");
      auto id =
          db->hold_data(s.data ? sha1(data) : "", Oid{s.oid}, data, s.compression, s.data_serial);
      REQUIRE(id);
      refs.push_back({Oid{s.oid}, *id, s.data_serial});
      oids.push_back(Oid{s.oid});
    }
    const TransactionMeta meta{oids, user, desc, ext, false, ttid};
    REQUIRE_FALSE(db->store_transaction(ttid, refs, &meta, true));
    if (pack) {
      const bool partial = pack->first && !pack->first->empty();
      REQUIRE_FALSE(db->store_pack_order(ttid, std::nullopt, partial, pack->first, pack->second));
    }
    REQUIRE_FALSE(db->commit());
    if (lock) REQUIRE_FALSE(db->lock_transaction(final_tid, ttid, pack.has_value()));
    if (unlock) {
      REQUIRE_FALSE(db->unlock_transaction(final_tid, ttid, true, !refs.empty(), pack.has_value()));
      REQUIRE_FALSE(db->commit());
    }
  };
  // zlib.compress(b"this is compressed, compressed, compressed")
  const std::string compressed(
      "x\x9c+\xc9\xc8,V\x00\xa2\xe4\xfc\xdc\x82\xa2\xd4\xe2\xe2\xd4\x14\x1d\x1cl\x00U\xd2\x10\x0c",
      27);
  commit(1, {{0, "root"}, {1, "one"}, {2, compressed, 1}}, "alice", "first",
         std::string("\x80\x03}q\x00.", 6));
  commit(2, {{1, "one, again"}, {3, "three"}}, "", "second", "");
  commit(3, {{1, "one", 0, tid_of(1)}}, "", "undo", "");
  commit(4, {{3, std::nullopt}}, "", "delete", "");
  commit(5, {}, "", "IStorage.pack", "", PackSpec{std::nullopt, tid_of(1)});
  commit(6, {{4, "four"}}, "", "", "");
  commit(7, {{5, "voted"}}, "", "", "", std::nullopt, false, false);
  commit(8, {{6, "locked"}}, "", "", "", std::nullopt, true, false);
}

// Every row of every table, sorted (a raw comparison of two files).
std::string rows(const std::string& path) {
  auto [out, status] = run_python("rows", path);
  INFO(out);
  REQUIRE(status == 0);
  return out;
}

class TempDir {
 public:
  TempDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "neo-storage-db-XXXXXX").string();
    REQUIRE(mkdtemp(pattern.data()));
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  // A new database: the file `name` here, or on MariaDB a new database
  // named after it (its database string).
  std::string file(const std::string& name) const {
#ifdef NEO_INTEROP_MARIADB
    std::string db = "interop_" + name.substr(0, name.find('.'));
    return neo::test::MariaDbServer::require().create_database(db);
#else
    return (path_ / name).string();
#endif
  }
  std::string flag_file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

}  // namespace

TEST_CASE("NEO/py reads a database written by neo-cpp as neo-cpp does", "[interop][storage]") {
  TempDir dir;
  const std::string path = dir.file("cpp.sqlite");
  write_scenario(path);
  const std::string ours = dump(path);
  auto [theirs, status] = run_python("dump", path);
  INFO(theirs);
  REQUIRE(status == 0);
  CHECK(theirs == ours);
}

TEST_CASE("neo-cpp reads a database written by NEO/py as NEO/py does", "[interop][storage]") {
  TempDir dir;
  const std::string path = dir.file("py.sqlite");
  auto [written, write_status] = run_python("write", path);
  INFO(written);
  REQUIRE(write_status == 0);
  auto [theirs, status] = run_python("dump", path);
  INFO(theirs);
  REQUIRE(status == 0);
  CHECK(dump(path) == theirs);
}

TEST_CASE("neo-cpp and NEO/py write the same schema and rows", "[interop][storage]") {
  TempDir dir;
  const std::string cpp = dir.file("cpp.sqlite"), py = dir.file("py.sqlite");
  write_scenario(cpp);
  REQUIRE(run_python("write", py).second == 0);
  CHECK(rows(cpp) == rows(py));
}

TEST_CASE("neo-cpp and NEO/py storages lock each other out of a database", "[interop][storage]") {
  TempDir dir;
  const std::string path = dir.file("db.sqlite");
  open_db(path);
  {
    // NEO/py holds it.
    const std::string flag = dir.flag_file("locked");
    FILE* holder = popen(python_command("hold", path, shell_quote(flag)).c_str(), "w");
    REQUIRE(holder);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (!std::filesystem::exists(flag) && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    CHECK(std::filesystem::exists(flag));
    CHECK_THROWS_WITH(open_db(path), Catch::Contains("database is locked"));
    std::fputs("\n", holder);
    CHECK(pclose(holder) == 0);
  }
  {
    // neo-cpp holds it.
    auto db = open_db(path);
    auto [out, status] = run_python("open", path);
    CHECK(status != 0);
    CHECK_THAT(out, Catch::Contains("database is locked"));
  }
  CHECK(run_python("open", path).second == 0);
}

TEST_CASE("a NEO/py storage node serves a database written by neo-cpp like its own",
          "[interop][storage]") {
  TempDir dir;
  const std::string cpp = dir.file("cpp.sqlite"), py = dir.file("py.sqlite");
  write_scenario(cpp);
  REQUIRE(run_python("write", py).second == 0);
  // A real cluster recovers each database (the locked transaction is
  // replayed, the voted one dropped) and a ZODB client reads everything.
  auto [theirs, py_status] = run_python("cluster-read", py, true);
  REQUIRE(py_status == 0);
  auto [ours, cpp_status] = run_python("cluster-read", cpp, true);
  REQUIRE(cpp_status == 0);
  CHECK(ours == theirs);
  CHECK_THAT(ours, Catch::Contains("load 6 6c6f636b6564 ") &&
                       Catch::Contains("load 5 POSKeyError") &&
                       Catch::Contains("load 3 POSKeyError"));
  // What the NEO/py storage node changed while serving reads the same.
  auto [after, status] = run_python("dump", cpp);
  REQUIRE(status == 0);
  CHECK(dump(cpp) == after);
  CHECK_THAT(after, !Catch::Contains("unfinished"));
}

TEST_CASE("neo-cpp reads a database a NEO/py storage node wrote for ZODB as NEO/py does",
          "[interop][storage]") {
  TempDir dir;
  const std::string path = dir.file("cluster.sqlite");
  auto [written, write_status] = run_python("cluster-write", path);
  INFO(written);
  REQUIRE(write_status == 0);
  auto [theirs, status] = run_python("dump", path);
  INFO(theirs);
  REQUIRE(status == 0);
  CHECK(dump(path) == theirs);
  // The client's stores, an undo back-pointer and a completed pack are there.
  CHECK_THAT(theirs, Catch::Contains("pack_order ") && Catch::Contains("trans "));
  auto db = open_db(path);
  CHECK(db->name() == "upstream");
  CHECK(db->num_partitions() == 3);
  auto root = db->load(kZeroOid, std::nullopt, std::nullopt);
  REQUIRE(root);
  CHECK(root->has_data());
  CHECK(root->checksum == sha1(root->data));
  auto packed = db->packed_ids(false);
  REQUIRE(packed);
  REQUIRE(packed->size() == 3);
  for (const auto& [partition, pack_id] : *packed) CHECK(pack_id != kZeroTid);
}

#ifdef NEO_INTEROP_MARIADB
TEST_CASE("old (schema 0) MySQL databases of NEO/py's upgrade test are upgraded as NEO/py does",
          "[interop][storage]") {
  TempDir dir;
  for (int n = 1; n <= 3; ++n) {
    INFO("s" << n << ".sql");
    const std::string cpp = dir.file("upgrade_cpp" + std::to_string(n));
    const std::string py = dir.file("upgrade_py" + std::to_string(n));
    const std::string restore = "restore-upgrade-" + std::to_string(n);
    REQUIRE(run_python(restore, cpp).second == 0);
    REQUIRE(run_python(restore, py).second == 0);
    open_db(cpp);                                    // upgraded by neo-cpp
    auto [opened, status] = run_python("open", py);  // by NEO/py
    INFO(opened);
    REQUIRE(status == 0);
    CHECK(rows(cpp) == rows(py));
    auto [theirs, dump_status] = run_python("dump", py);
    REQUIRE(dump_status == 0);
    CHECK(dump(cpp) == theirs);
    CHECK_THAT(theirs, Catch::Contains("config version=4"));
  }
}

TEST_CASE("values of 16 and 17 MiB in bigdata chunks read the same by both", "[interop][storage]") {
  TempDir dir;
  // NEO/py writes, neo-cpp reads.
  const std::string py = dir.file("pybig");
  auto [theirs, status] = run_python("write-big", py, true);
  REQUIRE(status == 0);
  std::string ours;
  {
    auto db = open_db(py);
    for (std::uint64_t oid : {1, 2}) {
      const ObjectRecord r = get(db->load(Oid{oid}, std::nullopt, std::nullopt));
      ours += std::to_string(oid) + ' ' + std::to_string(r.data.size()) + ' ' + hexs(sha1(r.data)) +
              '\n';
    }
  }
  CHECK(ours == theirs);
  // neo-cpp writes, NEO/py reads.
  const std::string cpp = dir.file("cppbig");
  std::string written;
  {
    auto db = open_db(cpp);
    REQUIRE_FALSE(db->set_name("interop"));
    REQUIRE_FALSE(db->set_nid(kNid));
    const std::vector<protocol::CellChange> cells{{0, kNid, CellState::UpToDate}};
    REQUIRE(db->change_partition_table(1, 0, cells, true, kZeroTid));
    std::mt19937_64 random(16);
    for (std::uint64_t oid : {1, 2}) {
      std::string data((oid == 1 ? 16 : 17) << 20, '\0');
      for (char& c : data) c = static_cast<char>(random());
      const Tid tid = tid_of(static_cast<int>(oid));
      auto id = db->store_data(sha1(data), Oid{oid}, data, 0, std::nullopt);
      REQUIRE(id);
      const ObjectRef ref{Oid{oid}, *id, std::nullopt};
      const TransactionMeta meta{{Oid{oid}}, "", "big", "", false, tid};
      REQUIRE_FALSE(db->store_transaction(tid, {&ref, 1}, &meta, false));
      REQUIRE_FALSE(db->commit());
      written +=
          std::to_string(oid) + ' ' + std::to_string(data.size()) + ' ' + hexs(sha1(data)) + '\n';
    }
  }
  auto [read, read_status] = run_python("read-big", cpp, true);
  REQUIRE(read_status == 0);
  CHECK(read == written);
}
#endif
