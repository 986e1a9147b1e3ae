#include "core/config/options.hpp"

#include <catch2/catch.hpp>
#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

using namespace neo::config;

namespace {

// A configuration file in a fresh directory, removed afterwards.
class ConfigFile {
 public:
  explicit ConfigFile(const std::string& text) {
    std::string tmpl = (std::filesystem::temp_directory_path() / "neo-config-test-XXXXXX").string();
    REQUIRE(mkdtemp(tmpl.data()));
    dir_ = tmpl;
    std::ofstream(path()) << text;
  }
  ~ConfigFile() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  std::string dir() const { return dir_.string(); }
  std::string path() const { return (dir_ / "neo.conf").string(); }

 private:
  std::filesystem::path dir_;
};

// Options of a storage-like daemon: the common groups plus a few of its own.
struct Storage {
  CLI::App app{"test storage", "neostorage"};
  CommonOptions common;
  ServerOptions server;
  std::string adapter = "MySQL";
  std::string database;
  int wait = 0;
  bool dedup = false;
  bool disable_pack = false;
  std::vector<std::string> monitor_email;

  Storage() {
    add_common_options(app, common);
    add_server_options(app, server, {.section = "storage",
                                     .masters = "127.0.0.1:10000",
                                     .bind = "127.0.0.1"});
    app.add_option("-a,--adapter", adapter);
    app.add_option("-d,--database", database)->required();
    app.add_option("-w,--wait", wait);
    app.add_flag("--dedup", dedup);
    app.add_flag("--disable-pack", disable_pack);
    app.add_option("--monitor-email", monitor_email);
  }
  // Parses a command line given without the program name.
  void parse(std::vector<std::string> args) {
    std::reverse(args.begin(), args.end());
    app.parse(args);
  }
};

struct HomeGuard {
  std::string saved;
  bool had;
  explicit HomeGuard(const std::string& home) {
    const char* old = std::getenv("HOME");
    had = old != nullptr;
    if (had) saved = old;
    setenv("HOME", home.c_str(), 1);
  }
  ~HomeGuard() {
    if (had)
      setenv("HOME", saved.c_str(), 1);
    else
      unsetenv("HOME");
  }
};

}  // namespace

TEST_CASE("defaults without a file", "[config]") {
  Storage s;
  s.parse({"-c", "test", "-d", "db"});
  CHECK(s.server.cluster == "test");
  CHECK(s.server.section == "storage");
  CHECK(s.server.masters == std::vector<Address>{{"127.0.0.1", 10000}});
  CHECK(s.server.bind == Address{"127.0.0.1", 0});
  CHECK(s.server.file.empty());
  CHECK(s.adapter == "MySQL");
  CHECK_FALSE(s.common.tls());
}

TEST_CASE("file values are defaults, the command line overrides them", "[config]") {
  ConfigFile f(
      "[DEFAULT]\n"
      "cluster: from_file\n"
      "masters: 10.0.0.1:10000 10.0.0.2:10000\n"
      "[storage]\n"
      "database: neo:neo@neo1\n"
      "bind: 127.0.0.1:20000\n"
      "adapter = SQLite\n"
      "wait = 5\n");
  Storage s;
  s.parse({"-f", f.path(), "-c", "from_cli", "-w", "7"});
  CHECK(s.server.file == f.path());
  CHECK(s.server.cluster == "from_cli");
  CHECK(s.wait == 7);
  CHECK(s.database == "neo:neo@neo1");
  CHECK(s.adapter == "SQLite");
  CHECK(s.server.bind == Address{"127.0.0.1", 20000});
  CHECK(s.server.masters ==
        std::vector<Address>{{"10.0.0.1", 10000}, {"10.0.0.2", 10000}});
}

TEST_CASE("required options may come from the file", "[config]") {
  ConfigFile f("[storage]\ncluster = test\ndatabase = db\n");
  Storage s;
  s.parse({"--file", f.path()});
  CHECK(s.server.cluster == "test");
  CHECK(s.database == "db");

  Storage missing;
  CHECK_THROWS_AS(missing.parse({"-d", "db"}), CLI::RequiredError);
}

TEST_CASE("-s selects the section, which must exist", "[config]") {
  ConfigFile f(
      "[DEFAULT]\ncluster = test\n"
      "[storage]\ndatabase = db0\n"
      "[storage1]\ndatabase = db1\nbind = [::1]:20001\n");
  Storage s;
  s.parse({"-f", f.path(), "-s", "storage1"});
  CHECK(s.database == "db1");
  CHECK(s.server.bind == Address{"::1", 20001});

  Storage missing;
  CHECK_THROWS_WITH(missing.parse({"-f", f.path(), "-s", "storage9"}),
                    f.path() + ": no section [storage9]");
}

TEST_CASE("an empty value is an error, in the file or on the command line", "[config]") {
  ConfigFile f("[storage]\ncluster =\ndatabase = db\n");
  Storage s;
  CHECK_THROWS_WITH(s.parse({"-f", f.path()}), Catch::Contains("value is empty"));
  Storage t;
  CHECK_THROWS_WITH(t.parse({"-c", "", "-d", "db"}), Catch::Contains("value is empty"));
  Storage u;
  CHECK_THROWS_WITH(u.parse({"-c", "x", "-d", "db", "-m", ""}), Catch::Contains("value is empty"));
  // Also for the daemon's own options, numbers included.
  Storage v;
  CHECK_THROWS_WITH(v.parse({"-c", "x", "-d", ""}), Catch::Contains("--database: value is empty"));
  Storage w;
  CHECK_THROWS_WITH(w.parse({"-c", "x", "-d", "db", "-w", ""}), Catch::Contains("value is empty"));
  ConfigFile g("[storage]\ncluster = c\ndatabase = db\nwait =\n");
  Storage x;
  CHECK_THROWS_WITH(x.parse({"-f", g.path()}), Catch::Contains("--wait: value is empty"));
}

TEST_CASE("booleans in the file, flags on the command line", "[config]") {
  {
    ConfigFile f("[storage]\ncluster = c\ndatabase = db\ndedup = yes\ndisable_pack = Off\n");
    Storage s;
    s.parse({"-f", f.path()});
    CHECK(s.dedup);
    CHECK_FALSE(s.disable_pack);
  }
  {
    ConfigFile f("[storage]\ncluster = c\ndatabase = db\ndedup = 0\n");
    Storage s;
    s.parse({"-f", f.path(), "--dedup", "--disable-pack"});
    CHECK(s.dedup);
    CHECK(s.disable_pack);
  }
  {
    ConfigFile f("[storage]\ncluster = c\ndatabase = db\ndedup = perhaps\n");
    Storage s;
    CHECK_THROWS_WITH(s.parse({"-f", f.path()}), Catch::Contains("Not a boolean: perhaps"));
  }
}

TEST_CASE("repeatable options take one value per line of the file", "[config]") {
  ConfigFile f(
      "[storage]\ncluster = c\ndatabase = db\n"
      "monitor_email = a@example.com\n"
      "   b@example.com\n"
      "\n"
      "   c@example.com\n");
  Storage s;
  s.parse({"-f", f.path()});
  CHECK(s.monitor_email ==
        std::vector<std::string>{"a@example.com", "b@example.com", "c@example.com"});
  Storage t;  // the command line replaces the whole list
  t.parse({"-f", f.path(), "--monitor-email", "x@y", "--monitor-email", "z@y"});
  CHECK(t.monitor_email == std::vector<std::string>{"x@y", "z@y"});
}

TEST_CASE("unknown keys and dashed keys in the file are ignored", "[config]") {
  ConfigFile f(
      "[DEFAULT]\nreplicas = 3\npartitions = 12\n"
      "[storage]\ncluster = c\ndatabase = db\nengine = RocksDB\n"
      "disable-pack = yes\nsection = other\nfile = /nowhere\n");
  Storage s;
  s.parse({"-f", f.path()});
  CHECK_FALSE(s.disable_pack);
  CHECK(s.server.section == "storage");
  CHECK(s.server.file == f.path());
}

TEST_CASE("paths expand ~, also the configuration file's", "[config]") {
  ConfigFile f("[storage]\ncluster = c\ndatabase = db\nlogfile = ~/log/storage.log\n"
               "dynamic_master_list = ~/masters.json\n");
  HomeGuard home(f.dir());
  Storage s;
  s.parse({"-f", "~/neo.conf"});
  CHECK(s.server.file == f.path());
  CHECK(s.common.logfile == f.dir() + "/log/storage.log");
  CHECK(s.server.dynamic_master_list == f.dir() + "/masters.json");
  Storage t;
  t.parse({"-f", "~/neo.conf", "-l", "~/cli.log"});
  CHECK(t.common.logfile == f.dir() + "/cli.log");
}

TEST_CASE("a missing configuration file is an error", "[config]") {
  Storage s;
  CHECK_THROWS_AS(s.parse({"-f", "/nonexistent/neo.conf", "-c", "c", "-d", "db"}), CLI::FileError);
}

TEST_CASE("a malformed configuration file is reported with its line", "[config]") {
  ConfigFile f("[storage]\ncluster = c\noops\n");
  Storage s;
  CHECK_THROWS_WITH(s.parse({"-f", f.path()}), Catch::Contains(f.path() + ":3: "));
}

TEST_CASE("bad addresses in options are reported", "[config]") {
  Storage s;
  CHECK_THROWS_WITH(s.parse({"-c", "c", "-d", "db", "-m", "127.0.0.1"}),
                    Catch::Contains("missing port in address '127.0.0.1'"));
  ConfigFile f("[storage]\ncluster = c\ndatabase = db\nbind = 1.2.3.4:99999\n");
  Storage t;
  CHECK_THROWS_WITH(t.parse({"-f", f.path()}), Catch::Contains("invalid port"));
}

TEST_CASE("TLS needs all three files or none", "[config]") {
  {
    Storage s;
    s.parse({"-c", "c", "-d", "db", "--ca", "ca.crt", "--cert", "n.crt", "--key", "n.key"});
    CHECK(s.common.tls());
    CHECK(s.common.key == "n.key");
  }
  {
    Storage s;
    CHECK_THROWS_WITH(s.parse({"-c", "c", "-d", "db", "--ca", "ca.crt", "--cert", "n.crt"}),
                      Catch::Contains("3 files must be provided"));
  }
  {
    ConfigFile f("[DEFAULT]\nca = ca.crt\n[storage]\ncluster = c\ndatabase = db\n");
    Storage s;
    CHECK_THROWS_WITH(s.parse({"-f", f.path()}), Catch::Contains("3 files must be provided"));
    Storage t;
    t.parse({"-f", f.path(), "--cert", "n.crt", "--key", "n.key"});
    CHECK(t.common.tls());
  }
  CHECK_NOTHROW(check_tls({}));
  CHECK_THROWS_AS(check_tls({.logfile = {}, .ca = {}, .cert = {}, .key = "k"}), Error);
}

TEST_CASE("a master may have an empty master list", "[config]") {
  CLI::App app;
  CommonOptions common;
  ServerOptions server;
  add_common_options(app, common);
  add_server_options(app, server, {.section = "master", .masters = "", .bind = "127.0.0.1:10000"});
  std::vector<std::string> args{"", "-m", "c", "-c"};  // reversed: -c c -m ""
  app.parse(args);
  CHECK(server.masters.empty());
  CHECK(server.bind == Address{"127.0.0.1", 10000});
}

// The layout of upstream's sample neo.conf (our own text, same settings).
TEST_CASE("a sample neo.conf parses for every node", "[config]") {
  ConfigFile f(
      "# Sample configuration\n"
      "[DEFAULT]\n"
      "# cluster name\n"
      "cluster: test\n"
      "\n"
      "masters: 127.0.0.1:10000\n"
      "\n"
      "replicas: 0\n"
      "partitions: 12\n"
      ";upstream_cluster: test2\n"
      ";upstream_masters: 127.0.0.1:30000\n"
      ";ca = ~/etc/ca.crt\n"
      ";cert = ~/etc/cert.crt\n"
      ";key = ~/etc/cert.key\n"
      "\n"
      "[admin]\n"
      "bind: 127.0.0.1:9999\n"
      ";logfile: ~/log/admin.log\n"
      "\n"
      "[master]\n"
      "bind: 127.0.0.1:10000\n"
      "\n"
      "[storage]\n"
      "database: neo:neo@neo1\n"
      "bind: 127.0.0.1:20000\n");
  IniFile ini = IniFile::load(f.path());
  CHECK(ini.sections() == std::vector<std::string>{"admin", "master", "storage"});
  CHECK(ini.get("master", "partitions") == "12");

  CLI::App app;
  CommonOptions common;
  ServerOptions server;
  int replicas = -1, partitions = -1;
  add_common_options(app, common);
  add_server_options(app, server, {.section = "master", .masters = "", .bind = "127.0.0.1:10000"});
  app.add_option("-r,--replicas", replicas);
  app.add_option("-p,--partitions", partitions);
  std::vector<std::string> args{f.path(), "-f"};
  app.parse(args);
  CHECK(server.cluster == "test");
  CHECK(server.masters == std::vector<Address>{{"127.0.0.1", 10000}});
  CHECK(server.bind == Address{"127.0.0.1", 10000});
  CHECK(replicas == 0);
  CHECK(partitions == 12);
  CHECK(common.logfile.empty());

  Storage s;
  s.parse({"-f", f.path()});
  CHECK(s.database == "neo:neo@neo1");
  CHECK(s.server.bind == Address{"127.0.0.1", 20000});
}
