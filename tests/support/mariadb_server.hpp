// tests/support/mariadb_server.hpp
// A private MariaDB server for the tests that need one: `mariadb-install-db`
// into a temporary datadir, then `mariadbd --no-defaults --skip-networking
// --socket=<dir>/sock --max-allowed-packet=64M`, as NEO/py's tests do with
// their MySQL pool. One server per test program, started on first use and
// stopped (by its pid) when the program exits; no system service is used.
// Tests get a fresh database each and NEO's database string for it.
// Programs are found on PATH and in /usr/sbin, or through NEO_DB_MYSQLD and
// NEO_DB_INSTALL (NEO/py's variables). Use from one thread.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace neo::test {

class ChildProcess;

class MariaDbServer {
 public:
  // The exit status of a test program skipped for want of mariadbd (CTest's
  // SKIP_RETURN_CODE).
  static constexpr int kSkipCode = 77;

  // The program's server, started on first call; nullptr if mariadbd or
  // mariadb-install-db is not installed. Throws std::runtime_error if it is
  // installed but does not start.
  static MariaDbServer* shared();
  // shared(), or exits the program with kSkipCode (saying why) if there is
  // no mariadbd.
  static MariaDbServer& require();
  // Stops the server (if started), says "SKIPPED: <why>" and exits the
  // program with kSkipCode.
  [[noreturn]] static void skip_program(const std::string& why);

  ~MariaDbServer();
  MariaDbServer(const MariaDbServer&) = delete;
  MariaDbServer& operator=(const MariaDbServer&) = delete;

  const std::string& socket() const { return socket_; }
  // Seconds the server took to install its datadir and start.
  double start_seconds() const { return start_seconds_; }
  // (Re)creates an empty database `name`; returns "root@<name><socket>".
  std::string create_database(const std::string& name);
  // Rows of a query in database `name`, as text: "NULL" for NULL, x'..'
  // (lowercase hex) for binary strings, else the server's text.
  std::vector<std::vector<std::string>> rows(const std::string& name, const std::string& sql);
  // Runs statements (autocommit) in database `name` ("" for none).
  void exec(const std::string& name, const std::string& sql);
  // Plugins the server loads when it starts (--plugin-load-add), e.g.
  // "ha_rocksdb" (its INSTALL SONAME crashes the server here); call before
  // the first shared().
  static void load_plugin_at_start(const std::string& soname);
  // Commits durable on disk (innodb_flush_log_at_trx_commit=1, for
  // benchmarks) instead of flushed once a second; call before shared().
  static void set_durable(bool durable);
  // The server's process id (its CPU time, for benchmarks).
  int pid() const;
  // True if the plugin `name` (e.g. "ROCKSDB") is active.
  bool plugin_active(const std::string& name);

 private:
  MariaDbServer() = default;
  void start(const std::string& mariadbd, const std::string& install);

  std::string dir_;
  std::string socket_;
  std::unique_ptr<ChildProcess> process_;
  double start_seconds_ = 0;
};

}  // namespace neo::test
