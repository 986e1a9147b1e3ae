// tests/sim/network.hpp
// Network: a simulated network for a whole cluster in one process, on a
// sim::Loop. Each node gets its own net::Network view (node(name)), the
// same interface the real nodes use (core/net/network.hpp), so the nodes'
// code runs unchanged. Connections behave as TCP does for NEO: packets of
// one direction of one connection arrive in order, after a random latency
// (so packets on different connections are reordered); closing or
// aborting reaches the other end after the packets already sent; an abort
// flushes first. Faults, all deterministic under the loop's seed:
//  - cut(a, b): nothing more is delivered between a and b; their
//    connections close at both ends after a time-out, new ones fail until
//    heal(a, b);
//  - reset(a, b): their connections close at once at both ends;
//  - crash(node): the node's listeners go away and its connections close
//    without calling into its code again (the peers see the closure after a
//    latency): the harness then destroys the node's objects;
//  - slow(node, factor): multiplies the latency of its packets.
// Single-threaded, as the loop.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/net/network.hpp"
#include "tests/sim/loop.hpp"

namespace neo::sim {

class SimConnection;
class SimListener;

class Network {
 public:
  struct Options {
    Time min_latency = std::chrono::microseconds(20);
    Time max_latency = std::chrono::microseconds(400);
    // A cut connection closes after a time-out in this range (NEO's ping
    // and TCP's own time-outs, shortened).
    Time min_timeout = std::chrono::milliseconds(500);
    Time max_timeout = std::chrono::seconds(2);
  };

  explicit Network(Loop& loop) : Network(loop, Options{}) {}
  Network(Loop& loop, Options options);
  ~Network();
  Network(const Network&) = delete;
  Network& operator=(const Network&) = delete;

  // The network as node `name` sees it (created on first use; valid as
  // long as this Network). Its outgoing connections come from host `host`.
  net::Network& node(const std::string& name, const std::string& host = "127.0.0.1");

  void cut(const std::string& a, const std::string& b);
  void heal(const std::string& a, const std::string& b);
  void reset(const std::string& a, const std::string& b);
  void crash(const std::string& name);
  void slow(const std::string& name, double factor) { slow_[name] = factor; }
  bool is_cut(const std::string& a, const std::string& b) const;

  std::uint64_t delivered() const { return delivered_; }
  std::uint64_t dropped() const { return dropped_; }
  std::size_t open_connections() const;
  Loop& loop() { return loop_; }

 private:
  friend class SimConnection;
  friend class SimListener;
  class NodeView;

  std::shared_ptr<net::Connection> connect(const std::string& from, const std::string& host,
                                           const net::Address& to,
                                           std::shared_ptr<net::Handler> handler);
  Result<std::shared_ptr<net::Listener>> listen(const std::string& name, const net::Address& bind,
                                                net::Listener::AcceptFn accept);
  void establish(const std::shared_ptr<SimConnection>& client, const std::string& address);
  // A latency for a packet between `a` and `b`.
  Time latency(const std::string& a, const std::string& b);
  // Every live connection with one end on `a` and the other on `b` (any
  // other node if `b` is empty).
  std::vector<std::shared_ptr<SimConnection>> between(const std::string& a,
                                                      const std::string& b) const;
  void prune();
  static std::pair<std::string, std::string> link(const std::string& a, const std::string& b) {
    return a < b ? std::pair(a, b) : std::pair(b, a);
  }

  Loop& loop_;
  Options options_;
  std::map<std::string, std::unique_ptr<NodeView>> nodes_;
  std::map<std::string, std::weak_ptr<SimListener>> listeners_;  // by address
  // Every connection not closed yet (kept alive as a socket's coroutines
  // keep a real one alive); closed ones are pruned.
  std::vector<std::shared_ptr<SimConnection>> connections_;
  std::set<std::pair<std::string, std::string>> cut_;
  std::map<std::string, double> slow_;
  std::uint16_t next_port_ = 40000;
  std::uint64_t delivered_ = 0;
  std::uint64_t dropped_ = 0;
};

}  // namespace neo::sim
