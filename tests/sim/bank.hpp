// tests/sim/bank.hpp
// Bank: a workload whose correctness can be checked, for the simulated
// cluster. Accounts (one object each) start with the same balance; each
// client ("teller") loops over transfers: it loads two accounts and its
// own append-only log object, then commits both new balances and its log
// with the transfer's sequence number appended. Conflicts abort and retry.
// What a correct storage guarantees, and check() verifies once the cluster
// is quiet:
//  - every commit confirmed to a client reads back (load at its TID);
//  - the total of the balances never changes, at the last TID and as of
//    every confirmed commit (a transaction half visible would change it);
//  - each teller's log holds every confirmed transfer, in order, and no
//    other than those whose outcome the client could not know.
// Single-threaded, on the cluster's loop.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "nodes/client/client_node.hpp"
#include "tests/sim/cluster.hpp"

namespace neo::sim {

struct BankConfig {
  int accounts = 6;
  int tellers = 3;
  std::int64_t balance = 100;                 // of each account at the start
  Time think = std::chrono::milliseconds(5);  // a teller's pause between transfers
};

class Bank {
 public:
  struct Stats {
    std::uint64_t committed = 0;
    std::uint64_t retried = 0;   // conflicts and failures before the vote
    std::uint64_t doubtful = 0;  // finish failed: committed or not
  };

  Bank(Cluster& cluster, BankConfig config);
  ~Bank();

  // Creates the accounts and logs (teller 0); false if the cluster did not
  // let it within `limit` of simulated time.
  bool setup(Time limit);
  // Tellers start transferring / stop starting new transfers.
  void start();
  void stop() { stopping_ = true; }
  // No transfer in flight.
  bool idle() const;
  // The checks above, with a fresh client; returns what failed (empty: all
  // good). Runs the loop until each read is answered or `limit` passes.
  std::vector<std::string> check(Time limit);
  const Stats& stats() const { return stats_; }

 private:
  struct Commit {
    Tid tid{};
    std::map<Oid, std::string> data{};  // what it stored
  };
  struct Teller {
    std::unique_ptr<client::ClientNode> node{};
    Oid log{};
    std::uint64_t next_seq = 1;
    std::vector<std::uint64_t> confirmed{};  // sequence numbers
    std::vector<std::uint64_t> doubtful{};
    bool busy = false;
  };
  struct Transfer;

  void transfer(Teller& teller);
  void load_all(std::shared_ptr<Transfer> t);
  void voted(std::shared_ptr<Transfer> t);
  void retry(Teller& teller, Tid ttid);
  void next(Teller& teller, Time delay);

  Cluster& cluster_;
  BankConfig config_;
  std::vector<Oid> accounts_;
  std::vector<Teller> tellers_;
  std::vector<Commit> commits_;  // every confirmed commit
  Stats stats_;
  bool stopping_ = false;
};

}  // namespace neo::sim
