#include "core/config/ini_file.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>

using namespace neo::config;

TEST_CASE("[DEFAULT] is inherited by every section and overridden by it", "[config]") {
  IniFile ini = IniFile::parse(
      "[DEFAULT]\n"
      "cluster: test\n"
      "replicas = 0\n"
      "[master]\n"
      "bind: 127.0.0.1:10000\n"
      "[storage]\n"
      "replicas = 1\n");
  CHECK(ini.sections() == std::vector<std::string>{"master", "storage"});
  CHECK(ini.get("master", "cluster") == "test");
  CHECK(ini.get("master", "replicas") == "0");
  CHECK(ini.get("storage", "replicas") == "1");
  CHECK(ini.get("storage", "bind") == std::nullopt);
  CHECK(ini.keys("master") == std::vector<std::string>{"bind", "cluster", "replicas"});
  CHECK(ini.keys("storage") == std::vector<std::string>{"replicas", "cluster"});
  CHECK_FALSE(ini.has_section("DEFAULT"));
  CHECK_THROWS_WITH(ini.get("admin", "cluster"), "<string>: no section [admin]");
}

TEST_CASE("both separators, spaces around them, case-insensitive keys", "[config]") {
  IniFile ini = IniFile::parse(
      "[s]\n"
      "a:1\n"
      "B = two words \n"
      "c=x=y\n"
      "d: http://host:80/\n"
      "e =\n"
      "  continued : v\n"
      "Mixed_Case : v\n");
  CHECK(ini.get("s", "a") == "1");
  CHECK(ini.get("s", "b") == "two words");
  CHECK(ini.get("s", "B") == "two words");
  CHECK(ini.get("s", "c") == "x=y");           // the first separator splits
  CHECK(ini.get("s", "d") == "http://host:80/");
  CHECK(ini.get("s", "e") == "\ncontinued : v");  // as Python: a continuation line
  CHECK(ini.get("s", "mixed_case") == "v");
}

TEST_CASE("comment lines start with # or ;, even indented; no inline comments", "[config]") {
  IniFile ini = IniFile::parse(
      "# comment\n"
      "; another\n"
      "[s]\n"
      ";upstream_cluster: test2\n"
      "   # indented comment\n"
      "key = value ; not a comment\n"
      "hash = a#b\n");
  CHECK(ini.keys("s") == std::vector<std::string>{"key", "hash"});
  CHECK(ini.get("s", "key") == "value ; not a comment");
  CHECK(ini.get("s", "hash") == "a#b");
}

TEST_CASE("indented lines continue a value, blank lines inside are kept", "[config]") {
  IniFile ini = IniFile::parse(
      "[admin]\n"
      "monitor_backup = backup1\n"
      "   backup2\n"
      "\n"
      "\tbackup3\n"
      "  # a comment inside\n"
      "\n"
      "masters:\n"
      "  127.0.0.1:10000\n"
      "  [::1]:10001\n"
      "next = 1\n");
  CHECK(ini.get("admin", "monitor_backup") == "backup1\nbackup2\n\nbackup3");
  CHECK(ini.get("admin", "masters") == "\n127.0.0.1:10000\n[::1]:10001");
  CHECK(ini.get("admin", "next") == "1");
}

TEST_CASE("a later key or section overrides an earlier one", "[config]") {
  IniFile ini = IniFile::parse(
      "[s]\n"
      "a = 1\n"
      "[t]\n"
      "[s]\n"
      "A = 2\n"
      "b = 3\n");
  CHECK(ini.get("s", "a") == "2");
  CHECK(ini.keys("s") == std::vector<std::string>{"a", "b"});
  CHECK(ini.sections() == std::vector<std::string>{"s", "t"});
}

TEST_CASE("%(key)s interpolation and %% as in ConfigParser", "[config]") {
  IniFile ini = IniFile::parse(
      "[DEFAULT]\n"
      "dir = /var/lib/neo\n"
      "[storage]\n"
      "database = %(dir)s/%(name)s.sqlite\n"
      "name = s1\n"
      "percent = 100%%\n"
      "bad = 100%\n"
      "missing = %(nope)s\n");
  CHECK(ini.get("storage", "database") == "/var/lib/neo/s1.sqlite");
  CHECK(ini.get_raw("storage", "database") == "%(dir)s/%(name)s.sqlite");
  CHECK(ini.get("storage", "percent") == "100%");
  CHECK_THROWS_WITH(ini.get("storage", "bad"),
                    Catch::StartsWith("<string>:7: [storage] bad: '%' must be followed"));
  CHECK_THROWS_WITH(ini.get("storage", "missing"), Catch::Contains("no key 'nope'"));
}

TEST_CASE("malformed files are reported with file name and line", "[config]") {
  CHECK_THROWS_WITH(IniFile::parse("cluster = test\n", "neo.conf"),
                    "neo.conf:1: file contains no section headers: 'cluster = test'");
  CHECK_THROWS_WITH(IniFile::parse("[s]\na = 1\njunk\n", "neo.conf"),
                    "neo.conf:3: expected 'key = value' or 'key: value', got 'junk'");
  CHECK_THROWS_WITH(IniFile::parse("[s]\n = 1\n", "neo.conf"),
                    "neo.conf:2: missing key before '='");
  CHECK_THROWS_WITH(IniFile::parse("\n\n[]\n", "neo.conf"), Catch::StartsWith("neo.conf:3:"));
  CHECK_THROWS_WITH(IniFile::load("/nonexistent/neo.conf"),
                    "cannot read configuration file '/nonexistent/neo.conf'");
}

TEST_CASE("windows line endings and a BOM are accepted", "[config]") {
  IniFile ini = IniFile::parse("\xef\xbb\xbf[s]\r\na = 1\r\n  2\r\n");
  CHECK(ini.get("s", "a") == "1\n2");
}

TEST_CASE("booleans as ConfigParser reads them", "[config]") {
  for (const char* yes : {"1", "yes", "true", "on", "Yes", "TRUE", "On"}) CHECK(parse_bool(yes));
  for (const char* no : {"0", "no", "false", "off", "NO", "False"}) CHECK_FALSE(parse_bool(no));
  CHECK_THROWS_WITH(parse_bool("y"), "Not a boolean: y");
  CHECK_THROWS(parse_bool(""));
  IniFile ini = IniFile::parse("[s]\na = off\nb = maybe\n", "f.conf");
  CHECK(ini.get_bool("s", "a") == false);
  CHECK(ini.get_bool("s", "c") == std::nullopt);
  CHECK_THROWS_WITH(ini.get_bool("s", "b"), "f.conf:3: b: Not a boolean: maybe");
}

TEST_CASE("~ expands to the home directory", "[config]") {
  const char* old = std::getenv("HOME");
  std::string saved = old ? old : "";
  setenv("HOME", "/home/neo/", 1);
  CHECK(expand_user("~") == "/home/neo");
  CHECK(expand_user("~/log/admin.log") == "/home/neo/log/admin.log");
  CHECK(expand_user("~root/x") == "/root/x");
  CHECK(expand_user("~no_such_user_here/x") == "~no_such_user_here/x");
  CHECK(expand_user("/abs/~/x") == "/abs/~/x");
  CHECK(expand_user("rel") == "rel");
  if (old)
    setenv("HOME", saved.c_str(), 1);
  else
    unsetenv("HOME");
}
