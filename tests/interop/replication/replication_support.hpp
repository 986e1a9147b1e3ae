// Shared by the replication interop tests: a cluster seen the same way
// whether its master and admin are upstream's (UpstreamCluster) or ours
// (LocalCluster); storages of either kind started on it, stopped and
// restarted on their database; data committed and read back by upstream's
// ZODB client through replication.py; `neoctl check` awaited. Test thread
// only.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/child_process.hpp"

namespace neo::test {
class LocalCluster;
}
namespace neo::interop {

class UpstreamCluster;

constexpr int kPartitions = 4;

struct Site {
  std::filesystem::path dir;
  std::string name;    // the cluster's
  std::string master;  // address
  // Runs neoctl on the cluster's admin node.
  std::function<test::RunResult(const std::vector<std::string>&)> neoctl;
};
// With upstream's neoctl.
Site site_of(const UpstreamCluster& cluster);
// With our neoctl.
Site site_of(const test::LocalCluster& cluster);
// Our cluster with upstream's neoctl.
Site upstream_site_of(const test::LocalCluster& cluster);

// One storage node, ours or upstream's, that can be stopped and restarted
// on the same database (<dir>/<name>.sqlite, log <name>.log).
class Storage {
 public:
  Storage(Site site, std::string name, bool upstream);
  void start();
  test::ChildProcess& process() { return *process_; }
  std::filesystem::path log_file() const { return site_.dir / (name_ + ".log"); }
  // Its log, read by upstream's neolog.
  std::string log() const;
  std::string tail() const;

 private:
  Site site_;
  std::string name_;
  bool upstream_;
  std::uint16_t port_;
  int runs_ = 0;
  std::unique_ptr<test::ChildProcess> process_;
};

// While a Writer commits ("c" keys): `added` started and added to the
// table, every cell UP_TO_DATE on both storages, 5 more commits; the
// writer stopped: the number of its transactions.
std::size_t add_while_writing(const Site& site, Storage& added);

// Upstream's neolog on `file`.
std::string neolog(const std::filesystem::path& file);
bool wait_running(const Site& site);
// Waits until `print pt` shows `storages` rows, every cell UP_TO_DATE; the last table in `pt`.
bool wait_up_to_date(const Site& site, int storages, std::string& pt);
// Waits for one PENDING storage, then `add all` and `tweak`.
bool add_pending_storage(const Site& site);
// replication.py commit: "committed N" or what went wrong.
std::string commit(const Site& site, const std::string& prefix, int count);
// replication.py pack: "packed" once every storage packed at the last TID.
std::string pack(const Site& site);
// replication.py dump: "transactions T records R sha1 H\nkeys K bad B counter C u U\n".
std::string dump(const Site& site);
// `neoctl check` of every partition, waiting until the storages logged the
// end of the check of each in their `logs`; returns the master's "corrupted" lines (empty:
// replicas identical).
std::string check_replicas(const Site& site, const std::vector<std::filesystem::path>& logs);
// In a node's log, the AskStoreObject received after its last
// AskUnfinishedTransactions and before its last NotifyReplicationDone: the
// lockless writes of cells being replicated.
std::size_t lockless_stores(const std::string& log);

// A writer (replication.py commit with a stop file) committing from its
// construction until stop().
class Writer {
 public:
  Writer(const Site& site, const std::string& prefix);
  // The transactions committed so far.
  std::size_t commits() const;
  // Stops the writer; "committed N" or what went wrong.
  std::string stop();

 private:
  std::filesystem::path stopfile_;
  std::unique_ptr<test::ChildProcess> process_;
};

// While a Writer commits ("c" keys): `added` started and added to the
// table, every cell UP_TO_DATE on both storages, 5 more commits; the
// writer stopped: the number of its transactions.
std::size_t add_while_writing(const Site& site, Storage& added);

}  // namespace neo::interop
