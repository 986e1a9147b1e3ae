#include "tests/support/mariadb_server.hpp"

#include <mysql.h>
#include <pwd.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>

#include "tests/support/child_process.hpp"

namespace neo::test {
namespace {

// `name` from `env`, else the first executable of that name on PATH or in
// /usr/sbin; "" if none.
std::string find_program(const char* env, const std::string& name) {
  if (const char* value = std::getenv(env); value && *value) {
    return access(value, X_OK) == 0 ? value : "";
  }
  std::string dirs = std::getenv("PATH") ? std::getenv("PATH") : "";
  dirs += ":/usr/sbin:/usr/bin";
  std::size_t start = 0;
  while (start <= dirs.size()) {
    std::size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    const std::string candidate = dirs.substr(start, end - start) + "/" + name;
    if (end > start && access(candidate.c_str(), X_OK) == 0) return candidate;
    start = end + 1;
  }
  return "";
}

std::string user_name() {
  const passwd* pw = getpwuid(getuid());
  return pw ? pw->pw_name : "root";
}

struct Client {
  MYSQL* mysql = mysql_init(nullptr);
  Client(const std::string& socket, const std::string& database) {
    if (!mysql_real_connect(mysql, nullptr, "root", nullptr,
                            database.empty() ? nullptr : database.c_str(), 0, socket.c_str(),
                            CLIENT_MULTI_STATEMENTS)) {
      std::string error = mysql_error(mysql);
      mysql_close(mysql);
      throw std::runtime_error("cannot connect to the test MariaDB server: " + error);
    }
  }
  ~Client() { mysql_close(mysql); }
  void query(const std::string& sql) {
    if (mysql_real_query(mysql, sql.data(), sql.size())) {
      throw std::runtime_error(std::string("MariaDB: ") + mysql_error(mysql) +
                               "\nQuery: " + sql.substr(0, 300));
    }
  }
};

bool is_binary_string(const MYSQL_FIELD& field) {
  switch (field.type) {
    case MYSQL_TYPE_TINY_BLOB:
    case MYSQL_TYPE_MEDIUM_BLOB:
    case MYSQL_TYPE_LONG_BLOB:
    case MYSQL_TYPE_BLOB:
    case MYSQL_TYPE_STRING:
    case MYSQL_TYPE_VAR_STRING:
    case MYSQL_TYPE_VARCHAR: return field.charsetnr == 63;
    default: return false;
  }
}

std::string hex(const char* data, unsigned long size) {
  static const char digits[] = "0123456789abcdef";
  std::string out;
  for (unsigned long i = 0; i < size; ++i) {
    out += digits[static_cast<unsigned char>(data[i]) >> 4];
    out += digits[static_cast<unsigned char>(data[i]) & 15];
  }
  return out;
}

std::unique_ptr<MariaDbServer> g_server;
std::vector<std::string> g_plugins;  // load_plugin_at_start
bool g_durable = false;              // set_durable
bool g_tried = false;

}  // namespace

MariaDbServer* MariaDbServer::shared() {
  if (g_tried) return g_server.get();
  g_tried = true;
  const std::string mariadbd = find_program("NEO_DB_MYSQLD", "mariadbd");
  const std::string install = find_program("NEO_DB_INSTALL", "mariadb-install-db");
  if (mariadbd.empty() || install.empty()) return nullptr;
  std::unique_ptr<MariaDbServer> server(new MariaDbServer());
  server->start(mariadbd, install);
  g_server = std::move(server);
  return g_server.get();
}

MariaDbServer& MariaDbServer::require() {
  MariaDbServer* server = shared();
  if (!server)
    skip_program("mariadbd or mariadb-install-db not found (apt-get install mariadb-server)");
  return *server;
}

void MariaDbServer::skip_program(const std::string& why) {
  g_server.reset();
  std::fprintf(stderr, "SKIPPED: %s\n", why.c_str());
  std::fflush(nullptr);
  std::_Exit(kSkipCode);
}

void MariaDbServer::start(const std::string& mariadbd, const std::string& install) {
  const auto began = std::chrono::steady_clock::now();
  dir_ = make_temp_dir("neo-mariadb").string();
  socket_ = dir_ + "/sock";
  std::filesystem::create_directory(dir_ + "/tmp");
  const std::string user = "--user=" + user_name();
  RunResult installed =
      run_program({install, "--no-defaults", "--datadir=" + dir_ + "/data",
                   "--auth-root-authentication-method=normal", "--skip-test-db", user},
                  std::chrono::seconds(120));
  if (installed.status != 0) {
    throw std::runtime_error("mariadb-install-db failed: " + installed.out + installed.err);
  }
  std::vector<std::string> argv{
      mariadbd,
      "--no-defaults",
      user,
      "--datadir=" + dir_ + "/data",
      "--skip-networking",
      "--socket=" + socket_,
      "--max-allowed-packet=64M",
      "--tmpdir=" + dir_ + "/tmp",
      "--pid-file=" + dir_ + "/mariadbd.pid",
      g_durable ? "--innodb-flush-log-at-trx-commit=1" : "--innodb-flush-log-at-trx-commit=2",
      "--innodb-buffer-pool-size=128M"};
  for (const std::string& plugin : g_plugins) argv.push_back("--plugin-load-add=" + plugin);
  process_ = std::make_unique<ChildProcess>(argv, dir_ + "/mariadbd.log");
  const bool ready = wait_for(
      [&] {
        if (!process_->running()) return true;
        MYSQL* mysql = mysql_init(nullptr);
        const bool ok =
            mysql_real_connect(mysql, nullptr, "root", nullptr, nullptr, 0, socket_.c_str(), 0);
        mysql_close(mysql);
        return ok;
      },
      std::chrono::seconds(60), std::chrono::milliseconds(50));
  if (!ready || !process_->running()) {
    throw std::runtime_error("mariadbd did not start: " + process_->output_tail());
  }
  start_seconds_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
  std::fprintf(stderr, "test MariaDB server ready in %.2f s (%s)\n", start_seconds_,
               socket_.c_str());
}

MariaDbServer::~MariaDbServer() {
  if (process_) process_->stop(std::chrono::seconds(20));
  process_.reset();
  std::error_code ec;
  if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
}

std::string MariaDbServer::create_database(const std::string& name) {
  exec("", "DROP DATABASE IF EXISTS " + name + "; CREATE DATABASE " + name);
  return "root@" + name + socket_;
}

void MariaDbServer::exec(const std::string& name, const std::string& sql) {
  Client client(socket_, name);
  client.query(sql);
  do {
    if (MYSQL_RES* result = mysql_store_result(client.mysql)) mysql_free_result(result);
  } while (mysql_next_result(client.mysql) == 0);
}

void MariaDbServer::set_durable(bool durable) { g_durable = durable; }

int MariaDbServer::pid() const { return process_ ? process_->pid() : -1; }

void MariaDbServer::load_plugin_at_start(const std::string& soname) { g_plugins.push_back(soname); }

bool MariaDbServer::plugin_active(const std::string& name) {
  return !rows("", "SELECT 1 FROM information_schema.plugins WHERE plugin_name='" + name +
                       "' AND plugin_status='ACTIVE'")
              .empty();
}

std::vector<std::vector<std::string>> MariaDbServer::rows(const std::string& name,
                                                          const std::string& sql) {
  Client client(socket_, name);
  client.query(sql);
  std::vector<std::vector<std::string>> rows;
  MYSQL_RES* result = mysql_store_result(client.mysql);
  if (!result) return rows;
  const unsigned count = mysql_num_fields(result);
  const MYSQL_FIELD* fields = mysql_fetch_fields(result);
  while (MYSQL_ROW row = mysql_fetch_row(result)) {
    const unsigned long* lengths = mysql_fetch_lengths(result);
    auto& out = rows.emplace_back();
    for (unsigned i = 0; i < count; ++i) {
      if (!row[i]) {
        out.push_back("NULL");
      } else if (is_binary_string(fields[i])) {
        out.push_back("x'" + hex(row[i], lengths[i]) + "'");
      } else {
        out.emplace_back(row[i], lengths[i]);
      }
    }
  }
  mysql_free_result(result);
  return rows;
}

}  // namespace neo::test
