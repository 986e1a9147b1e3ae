// cli/neoctl/storage_links.hpp
// neoctl's direct connections to storage nodes, for `check --wait`: each
// storage is identified to as an anonymous storage of the cluster
// (RequestIdentification(STORAGE, nil, nil, <cluster>, nil, {}), which
// NEO/py's storages and ours accept while operational, as for a backup
// cluster's checker), then asked the same request in parallel. A
// connection is opened at the first request to its node and kept for the
// next ones; one request per node at a time, no time limit (as
// AdminLink).
//
// StorageLinks is the interface the command uses; unit tests implement it
// with canned answers. connect_storages() returns the real one (core/net,
// plain or TLS as neoctl's options say). Not thread safe.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/net/address.hpp"
#include "core/net/connection.hpp"
#include "core/protocol/frame_reader.hpp"
#include "core/util/error.hpp"
#include "core/util/ids.hpp"

namespace neo::neoctl {

struct StorageTarget {
  NodeId nid{};
  net::Address address{};
};

class StorageLinks {
 public:
  virtual ~StorageLinks() = default;
  // Sends a request (msgpack `args` of packet `code`) to every target and
  // waits for all the answers, in `targets` order: the `answer_code`
  // frame, or an Error frame (also the refusal of the identification), or
  // a local failure (not_connected(), connection_closed()). A node whose
  // connection failed or was refused keeps failing the same way.
  virtual std::vector<Result<protocol::Frame>> ask_all(std::span<const StorageTarget> targets,
                                                       std::uint16_t code,
                                                       std::uint16_t answer_code,
                                                       const std::string& args) = 0;
};

// Links identifying to storages of `cluster`; nothing is sent before the
// first request. `options` gives TLS and the packet observer (log).
std::unique_ptr<StorageLinks> connect_storages(std::string cluster,
                                               const net::ConnectionOptions& options);

}  // namespace neo::neoctl
