// An upstream NEO/py cluster (one master, SQLite storages, optionally an
// admin node) run as child processes on loopback for interoperability tests. The peer's code comes
// from NEO_PEER_PYTHONPATH (its first entry is the neoppod checkout; the
// whole list becomes PYTHONPATH); the interpreter is /usr/bin/python3
// unless NEO_PEER_PYTHON says otherwise. The destructor always kills the
// processes; they also die with the test process (PR_SET_PDEATHSIG).
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/net/address.hpp"
#include "core/net/tls.hpp"
#include "tests/interop/peer_env.hpp"

namespace neo::interop {

class UpstreamCluster {
 public:
  struct Options {
    std::string name = "neo-cpp-interop";
    int partitions = 3;
    int replicas = 0;
    std::optional<net::TlsFiles> master_tls{};   // --ca/--cert/--key of the master
    std::optional<net::TlsFiles> storage_tls{};  // and of the storages
    std::optional<net::TlsFiles> admin_tls{};    // and of the admin
    int storages = 1;                            // storage nodes started with the master
    bool admin = false;                          // also start an admin node (neoadmin)
    int autostart = 1;  // the master's -A; 0: the cluster waits for `neoctl start`
    // If set, the admin node runs this executable (e.g. our neoadmin), with
    // the same options, instead of upstream's neoadmin.
    std::string admin_binary{};
    // If set, the first storage runs `-a Importer -d <importer_conf>`.
    std::string importer_conf{};
    // If set, the first storage's SQLite database (default: dir()/db.sqlite).
    std::string database{};
    // More options of the master (e.g. --upstream-cluster of a backup cluster).
    std::vector<std::string> master_args{};
    // If set, the first storage's adapter for `database` (e.g. MySQL).
    std::string adapter{};
  };

  explicit UpstreamCluster(const Options& options);
  ~UpstreamCluster();
  UpstreamCluster(const UpstreamCluster&) = delete;
  UpstreamCluster& operator=(const UpstreamCluster&) = delete;

  const std::string& name() const { return options_.name; }
  const net::Address& master() const { return master_; }
  // The i-th storage node (0: the first one, its files are storage.log and
  // db.sqlite; then storage1.log, db1.sqlite...).
  const net::Address& storage(std::size_t i = 0) const { return storages_.at(i); }
  // The admin node (Options::admin).
  const net::Address& admin() const { return admin_; }
  // Starts one more storage node; returns its index for storage().
  std::size_t add_storage();
  // The command line running an upstream script ("neoctl", "neolog"...):
  // interpreter and script; the environment needs PYTHONPATH =
  // peer_pythonpath().
  std::vector<std::string> upstream_program(const std::string& script) const;
  const std::filesystem::path& dir() const { return dir_; }
  // True while all processes run.
  bool alive();
  // The process ids of the master and the storages (benchmarks read their CPU time).
  std::vector<pid_t> server_pids() const;
  // The tail of the processes' stdout/stderr and the master's log (via
  // neolog), for failure messages.
  std::string diagnostics() const;

 private:
  struct Process {
    std::string name;
    pid_t pid = -1;
  };
  void spawn(const std::string& name, const std::string& script,
             const std::vector<std::string>& args);
  void stop(Process& process);

  Options options_;
  std::filesystem::path dir_;
  std::string neoppod_;
  std::string python_;
  net::Address master_;
  std::vector<net::Address> storages_;
  net::Address admin_;
  std::vector<Process> processes_;
};

// A TCP port on 127.0.0.1 that was free a moment ago.
std::uint16_t free_port();

}  // namespace neo::interop
