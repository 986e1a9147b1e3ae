// Internal to core/net: the rate limit of the log lines a peer can cause at
// will (connections closed, packets malformed or unexpected, memory bounds
// exceeded), so that a flood of connections or packets cannot grow the log
// without bound. Lines about an identified peer are always logged; about
// the others, the first kLineBurst of each kLinePeriod per kind of line and
// remote host, then a count. One limit per io thread (thread_local).
#pragma once

#include <string>

#include "core/net/peer.hpp"

namespace neo::net::detail {

inline constexpr double kLinePeriod = 10;  // seconds
inline constexpr int kLineBurst = 10;

enum class PeerLine { kClosed, kBadPeer, kMemory };

// True if a line of `kind` about `peer` is to be logged; then `suffix` is
// empty or says how many such lines about its host were not (append it).
bool allow_peer_line(PeerLine kind, const Peer& peer, std::string& suffix);

}  // namespace neo::net::detail
