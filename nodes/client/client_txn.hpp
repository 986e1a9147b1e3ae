// nodes/client/client_txn.hpp
// ClientState::Txn: what the client knows of a transaction in progress, and
// Gather (internal to nodes/client). Use from ClientState's thread.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "core/net/peer.hpp"
#include "nodes/client/client_state.hpp"

namespace neo::client {

// A write's failure, logged (unless the connection was lost); returns `ec`.
std::error_code error_of(std::error_code ec, std::string_view message, const char* what);

// Calls `done` with the first error once `count` parts have finished.
struct Gather {
  std::size_t remaining;
  std::function<void(std::error_code)> done;
  std::error_code error;
  static std::shared_ptr<Gather> make(std::size_t count,
                                      std::function<void(std::error_code)> done) {
    auto gather = std::make_shared<Gather>(Gather{count, std::move(done), {}});
    if (count == 0) gather->done({});
    return gather;
  }
  void part_done(std::error_code ec) {
    if (ec && !error) error = ec;
    if (--remaining == 0) done(error);
  }
};

struct ClientState::Txn {
  struct Object {
    Tid serial{};                     // what the store or check was based on
    std::optional<std::string> data;  // raw data; nullopt: deletion, undo or check
    std::optional<Tid> data_serial;   // undo
    bool checked = false;             // only checkCurrentSerial
    std::uint64_t generation = 0;     // stores of this oid so far
  };

  Tid ttid{};
  Metadata metadata;
  // A pack order (Client::pack): sent with the metadata at the vote and with
  // the finish.
  std::optional<protocol::PackRequest> pack{};
  std::uint64_t master_epoch = 0;  // the master it began with
  std::map<Oid, Object> objects;
  std::vector<Oid> order;  // the oids of `objects`, first stored or checked first
  // Storages written to, with the connection used; nullptr once one failed
  // (a new connection would not hold this transaction's writes).
  std::map<NodeId, std::shared_ptr<net::Peer>> connections;
  // Partitions where some storages stored without locking (replicating).
  std::map<std::uint32_t, std::set<NodeId>> lockless;
  std::vector<Conflict> conflicts;
  std::error_code error;  // the first failure: the transaction cannot commit
  int pending = 0;        // writes not answered yet
  std::function<void()> on_idle;
  bool voting = false;  // metadata sent: NotifyDeadlock is ignored
  bool voted = false;
};

}  // namespace neo::client
