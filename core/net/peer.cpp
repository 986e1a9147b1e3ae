#include "core/net/peer.hpp"

#include <spdlog/spdlog.h>

#include <cstdio>

#include "core/net/detail/peer_log.hpp"

namespace neo::net {

std::error_code error_from_wire(std::int64_t code) {
  if (code <= 0 || code >= kWireErrorCount) return errc::protocol_error;
  return static_cast<errc>(code);
}

std::string Peer::describe() const {
  return (nid_ ? to_string(*nid_) : std::string("?")) + " (" + address_ + ")";
}

void Peer::answer_error(std::uint32_t msg_id, errc code, std::string_view message) {
  protocol::Error error;
  error.code = static_cast<std::int64_t>(code);
  error.message = std::string(message);
  send_raw(msg_id, protocol::Error::kCode, protocol::encode_args(error));
}

std::string packet_name(std::uint16_t code) {
  if (const protocol::PacketInfo* info = protocol::find_packet(code)) {
    return std::string(info->name);
  }
  char text[8];
  std::snprintf(text, sizeof text, "0x%04x", code);
  return text;
}

void Peer::reject_unexpected(const protocol::Frame& frame, std::string_view handler) {
  std::string message = "unexpected packet: " + packet_name(frame.code);
  if (!handler.empty()) message += " in " + std::string(handler);
  if (std::string more; detail::allow_peer_line(detail::PeerLine::kBadPeer, *this, more)) {
    spdlog::error("{}: {} (msg id {}){}", describe(), message, frame.msg_id, more);
  }
  answer_error(frame.msg_id, errc::protocol_error, message);
  abort(errc::protocol_error);
}

void reject_malformed(Peer& peer, const protocol::Frame& frame, std::string_view handler,
                      std::error_code reason, bool keep) {
  const std::string message = "malformed " + packet_name(frame.code);
  if (std::string more; detail::allow_peer_line(detail::PeerLine::kBadPeer, peer, more)) {
    spdlog::error("{}: {} (msg id {}) in {}: {}{}", peer.describe(), message, frame.msg_id, handler,
                  reason.message(), more);
  }
  peer.answer_error(frame.msg_id, errc::protocol_error, message);
  if (!keep) peer.abort(errc::malformed_packet);
}

bool unsolicited_error(Peer& peer, const protocol::Frame& frame, std::string_view handler,
                       const protocol::Error& error) {
  std::string more;
  switch (error.code) {
    case static_cast<std::int64_t>(errc::ack):
      spdlog::debug("{}: no error message: {}", peer.describe(), error.message);
      return true;
    case static_cast<std::int64_t>(errc::protocol_error):
      if (detail::allow_peer_line(detail::PeerLine::kBadPeer, peer, more)) {
        spdlog::error("{}: protocol error: {}{}", peer.describe(), error.message, more);
      }
      return true;
    case static_cast<std::int64_t>(errc::not_ready):
      if (detail::allow_peer_line(detail::PeerLine::kBadPeer, peer, more)) {
        spdlog::error("{}: not ready: {}{}", peer.describe(), error.message, more);
      }
      return true;
    default: peer.reject_unexpected(frame, handler); return false;
  }
}

void deliver_frame(Peer& peer, PendingAnswers& pending, const std::shared_ptr<Handler>& handler,
                   protocol::Frame& frame) {
  if (frame.code & protocol::kResponseMask) {
    RawAnswerCallback callback;
    const PendingAnswers::Match match = pending.take(frame.msg_id, frame.code, callback);
    if (match == PendingAnswers::Match::kExpected) return callback(std::move(frame));
    // An Error answering no request goes to the handler.
    if (match == PendingAnswers::Match::kWrongType || frame.code != protocol::kResponseMask) {
      const std::uint16_t expected = pending.expected(frame.msg_id);
      if (std::string more; detail::allow_peer_line(detail::PeerLine::kBadPeer, peer, more)) {
        spdlog::error("{}: unexpected answer {} (msg id {}, expected: {}){}", peer.describe(),
                      packet_name(frame.code), frame.msg_id,
                      expected ? packet_name(expected) : std::string("none"), more);
      }
      peer.answer_error(frame.msg_id, errc::protocol_error,
                        "Unexpected answer: " + packet_name(frame.code));
      peer.abort(errc::protocol_error);
      return;
    }
  }
  if (!handler) return peer.reject_unexpected(frame);
  peer.set_msg_id(frame.msg_id);
  handler->on_packet(peer, frame);
}

namespace detail {

void answer_malformed(const std::weak_ptr<Peer>& peer, const protocol::Frame& frame,
                      std::error_code ec) {
  std::shared_ptr<Peer> alive = peer.lock();
  if (!alive) return;
  if (std::string more; allow_peer_line(PeerLine::kBadPeer, *alive, more)) {
    spdlog::error("{}: malformed {} (msg id {}): {}{}", alive->describe(), packet_name(frame.code),
                  frame.msg_id, ec.message(), more);
  }
  alive->close(errc::malformed_packet);
}

}  // namespace detail
}  // namespace neo::net
