// nodes/storage/storage_link.hpp
// A connection this storage opens to another storage node (checking
// replicas; replication), identified as a STORAGE with the request given
// (NEO/py: RequestIdentification(STORAGE, own nid, own address, cluster
// name, own id_timestamp, {}); nid nil and the upstream cluster's name to
// a node of another cluster). What the other node sends on its own (Ping)
// is answered here; answers go to the callbacks of the requests. The
// owner's callbacks run on the network's thread; they may close the link.
// Or a connection the other storage opened to us, lent (borrow_storage_link).
#pragma once

#include <functional>
#include <memory>
#include <string_view>
#include <system_error>

#include "core/net/connection.hpp"
#include "core/net/network.hpp"
#include "core/protocol/packets.hpp"

namespace neo::storage {

struct StorageLinkEvents {
  // The answer to the identification; on a refusal (or a failure) the link
  // is closed right after this call.
  net::AnswerCallback<protocol::AcceptIdentification> on_identified{};
  // The link is closed (once; also after a refusal).
  std::function<void(net::Peer& peer, std::error_code reason)> on_closed{};
  // If set, the link's handler is replaced by what it returns for it (a
  // handler that also serves the other node's requests).
  std::function<std::shared_ptr<net::Handler>(std::shared_ptr<net::Handler>)> wrap_handler{};
};

// Connects to `to` and sends `request` at once (queued until connected).
std::shared_ptr<net::Connection> open_storage_link(net::Network& network, const net::Address& to,
                                                   const protocol::RequestIdentification& request,
                                                   StorageLinkEvents events);

// A connection another storage opened to us (identified), lent to our own
// requests: NEO/py keeps one connection per pair of storage nodes, used in
// both directions, and refuses a second one ("already connected"). Requests
// and packets go through `incoming`; close() and abort() only end the loan
// (as NEO/py's closeClient, which leaves a server connection open).
std::shared_ptr<net::Peer> borrow_storage_link(std::shared_ptr<net::Peer> incoming);

}  // namespace neo::storage
