// nodes/storage/storage_link.hpp
// A connection this storage opens to another storage node (checking
// replicas; replication), identified as a STORAGE with the request given
// (NEO/py: RequestIdentification(STORAGE, own nid, own address, cluster
// name, own id_timestamp, {}); nid nil and the upstream cluster's name to
// a node of another cluster). What the other node sends on its own (Ping)
// is answered here; answers go to the callbacks of the requests. The
// owner's callbacks run on the network's thread; they may close the link.
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
};

// Connects to `to` and sends `request` at once (queued until connected).
std::shared_ptr<net::Connection> open_storage_link(net::Network& network, const net::Address& to,
                                                   const protocol::RequestIdentification& request,
                                                   StorageLinkEvents events);

}  // namespace neo::storage
