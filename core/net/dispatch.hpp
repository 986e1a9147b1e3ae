// core/net/dispatch.hpp
// One way of handing a received frame to a handler, for every node, the
// admin, the client library and the election (NEO/py's
// EventHandler.dispatch): dispatch() decodes the frame's packet and calls
// handler.on(peer, packet) when the handler has such an overload. The
// policy, the same everywhere:
//  - a malformed packet (its arguments do not decode): logged, answered
//    Error(PROTOCOL_ERROR, "malformed <Name>"), connection aborted;
//  - a packet without an overload (unexpected in this handler's state):
//    logged, answered Error(PROTOCOL_ERROR, "unexpected packet: <Name> in
//    <Handler>"), connection aborted (Peer::reject_unexpected);
//  - an Error packet that answers no request of ours, when the handler has
//    no on(peer, const protocol::Error&): as NEO/py, PROTOCOL_ERROR,
//    and NOT_READY are logged and ignored, ACK is ignored,
//    any other code is an unexpected packet.
// Answers to this node's requests never come here: the connection hands
// them to their ask() callback (an answer nobody waits for is an unexpected
// packet there). A handler names itself for the messages with
// `static constexpr std::string_view kName = "ClientHandler";`.
// Never throws on a peer's bytes. Synchronous, on the peer's thread.
#pragma once

#include <string>
#include <string_view>
#include <type_traits>

#include "core/net/peer.hpp"
#include "core/protocol/codec.hpp"

namespace neo::net {

// "ClientHandler": H::kName, or "handler" if H names no kName.
template <class H>
constexpr std::string_view handler_name() {
  if constexpr (requires { std::string_view(H::kName); })
    return H::kName;
  else
    return "handler";
}

// True if H says `static constexpr bool kKeepMalformed = true;`.
template <class H>
constexpr bool keeps_malformed() {
  if constexpr (requires { bool(H::kKeepMalformed); })
    return H::kKeepMalformed;
  else
    return false;
}

// Logs, answers Error(PROTOCOL_ERROR, "malformed <Name>") and aborts
// (unless `keep`).
void reject_malformed(Peer& peer, const protocol::Frame& frame, std::string_view handler,
                      std::error_code reason, bool keep = false);

// NEO/py's handling of an Error packet that answers no request (see above);
// false if it was rejected as unexpected.
bool unsolicited_error(Peer& peer, const protocol::Frame& frame, std::string_view handler,
                       const protocol::Error& error);

// Calls handler.on(peer, packet) for the frame's packet type; returns true
// if the handler had an overload for it and the packet decoded (false: the
// packet was rejected, see above, and the connection is being aborted).
template <class H>
bool dispatch(H& handler, Peer& peer, const protocol::Frame& frame) {
  constexpr std::string_view name = handler_name<std::remove_const_t<H>>();
  bool handled = false;
  bool known = false;
  protocol::visit_packet_type(frame.code, [&]<class P>(std::type_identity<P>) {
    constexpr bool has_on = requires(P packet) { handler.on(peer, packet); };
    if constexpr (has_on || std::is_same_v<P, protocol::Error>) {
      known = true;
      Result<P> packet = protocol::decode_args<P>(frame.args);
      if (!packet)
        return reject_malformed(peer, frame, name, packet.error(),
                                keeps_malformed<std::remove_const_t<H>>());
      if constexpr (has_on) {
        handled = true;
        handler.on(peer, *packet);
      } else {
        handled = unsolicited_error(peer, frame, name, *packet);
      }
    }
  });
  if (!known) peer.reject_unexpected(frame, name);
  return handled;
}

}  // namespace neo::net
