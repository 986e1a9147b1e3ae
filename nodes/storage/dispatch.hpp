// nodes/storage/dispatch.hpp
// Calls handler.on(peer, packet) for the frame's packet type when the
// handler has such an overload; a malformed packet gets Error
// PROTOCOL_ERROR and the connection is aborted, a packet without overload
// gets reject_unexpected (NEO's "unexpected packet"). Never throws on a
// peer's bytes. Synchronous, io thread only. And answers that wait for a
// commit.
#pragma once

#include <spdlog/spdlog.h>

#include <string>
#include <type_traits>
#include <utility>

#include "core/net/peer.hpp"
#include "core/protocol/codec.hpp"
#include "nodes/storage/transaction_manager.hpp"

namespace neo::storage {

template <class H>
void dispatch(H& handler, net::Peer& peer, const protocol::Frame& frame) {
  bool handled = false;
  protocol::visit_packet_type(frame.code, [&]<class P>(std::type_identity<P>) {
    if constexpr (requires(P packet) { handler.on(peer, packet); }) {
      handled = true;
      Result<P> packet = protocol::decode_args<P>(frame.args);
      if (!packet) {
        SPDLOG_ERROR("malformed {} from {}", P::kName, peer.describe());
        peer.answer_error(errc::protocol_error, "malformed packet " + std::string(P::kName));
        peer.abort(make_error_code(errc::malformed_packet));
        return;
      }
      handler.on(peer, *packet);
    }
  });
  if (!handled) {
    SPDLOG_ERROR("unexpected packet {} from {}", net::packet_name(frame.code), peer.describe());
    peer.reject_unexpected(frame);
  }
}

// Answers the request being handled once the votes and locks written so
// far are committed (TransactionManager::when_durable); dropped if the
// peer is gone by then.
template <class Answer>
void answer_when_durable(TransactionManager& tm, net::Peer& peer, Answer answer) {
  tm.when_durable(
      [weak = peer.weak_from_this(), msg_id = peer.msg_id(), answer = std::move(answer)] {
        if (auto peer = weak.lock(); peer && !peer->closed()) peer->answer(msg_id, answer);
      });
}

}  // namespace neo::storage
