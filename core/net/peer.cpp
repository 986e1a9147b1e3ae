#include "core/net/peer.hpp"

#include <spdlog/spdlog.h>

#include <cstdio>

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

void Peer::reject_unexpected(const protocol::Frame& frame) {
  const std::string message = "unexpected packet " + packet_name(frame.code);
  spdlog::error("{}: {} (msg id {})", describe(), message, frame.msg_id);
  answer_error(frame.msg_id, errc::protocol_error, message);
  abort(errc::protocol_error);
}

namespace detail {

void answer_malformed(const std::weak_ptr<Peer>& peer, const protocol::Frame& frame,
                      std::error_code ec) {
  std::shared_ptr<Peer> alive = peer.lock();
  if (!alive) return;
  spdlog::error("{}: malformed {} (msg id {}): {}", alive->describe(), packet_name(frame.code),
                frame.msg_id, ec.message());
  alive->close(errc::malformed_packet);
}

}  // namespace detail
}  // namespace neo::net
