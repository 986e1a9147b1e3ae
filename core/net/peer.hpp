// Peer: what a packet handler sees of the node at the other end of a
// connection. Connection implements it; tests hand handlers a fake Peer
// (derive, implement the five raw operations, record what is sent).
//
// Handler: receives what arrives on a connection. Handlers are synchronous:
// no socket calls, no waiting. Everything here runs on the connection's
// io_context thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <utility>

#include "core/net/pending_answers.hpp"
#include "core/protocol/codec.hpp"
#include "core/protocol/frame_reader.hpp"
#include "core/util/error.hpp"
#include "core/util/ids.hpp"

namespace neo::net {

// Receives the decoded answer of a request, or an error: the code of an
// `Error` answer from the peer (with its text in `message`), or a local
// failure (errc::connection_closed, errc::malformed_packet; `message`
// describes it). `message` is empty on success.
template <class A>
using AnswerCallback = std::function<void(Result<A> answer, std::string_view message)>;

// The errc of an Error packet's code; codes that are not wire errors (and
// ACK where a real answer was expected) map to errc::protocol_error.
std::error_code error_from_wire(std::int64_t code);

// "AskObject", or "0x1234" for a code outside the protocol table.
std::string packet_name(std::uint16_t code);

class Peer : public std::enable_shared_from_this<Peer> {
 public:
  virtual ~Peer() = default;

  // --- Raw operations, on (code, msgpack args) ---------------------------
  // Sends a request with a new msg id and waits for `answer_code` (or an
  // Error) with that id. On a closed connection the callback gets
  // errc::connection_closed later (posted, never from inside this call).
  virtual std::uint32_t ask_raw(std::uint16_t code, std::uint16_t answer_code, std::string args,
                                RawAnswerCallback on_answer) = 0;
  // Sends a notification with a new msg id; returns that id.
  virtual std::uint32_t notify_raw(std::uint16_t code, std::string args) = 0;
  // Sends a packet with a given msg id (answers; AddObject-like quirks).
  virtual void send_raw(std::uint32_t msg_id, std::uint16_t code, std::string_view args) = 0;
  // Stops reading, flushes what is queued, then closes (NEO's abort).
  virtual void abort(std::error_code reason) = 0;
  // Closes at once; pending requests fail with errc::connection_closed.
  virtual void close(std::error_code reason) = 0;
  // True once aborted or closed: nothing more is sent.
  virtual bool closed() const = 0;
  // Bytes queued for sending and not yet written (0 where not known).
  virtual std::size_t queued_bytes() const { return 0; }

  // --- Typed helpers -----------------------------------------------------
  template <class P>
  std::uint32_t ask(const P& packet, AnswerCallback<typename P::Answer> on_answer);
  template <class P>
  std::uint32_t notify(const P& packet) {
    return notify_raw(P::kCode, protocol::encode_args(packet));
  }
  // Answers the packet being handled.
  template <class P>
  void answer(const P& packet) {
    answer(msg_id_, packet);
  }
  // Answers a request handled earlier (delayed answer).
  template <class P>
  void answer(std::uint32_t msg_id, const P& packet) {
    send_raw(msg_id, P::kCode, protocol::encode_args(packet));
  }
  void answer_error(errc code, std::string_view message = {}) {
    answer_error(msg_id_, code, message);
  }
  void answer_error(std::uint32_t msg_id, errc code, std::string_view message);
  // NEO's reaction to a packet the current state does not expect: Error
  // PROTOCOL_ERROR "unexpected packet: <Name> in <handler>" (or without
  // " in ..." if `handler` is empty), then abort.
  void reject_unexpected(const protocol::Frame& frame, std::string_view handler = {});

  // --- Identity ----------------------------------------------------------
  // The msg id of the packet being handled (answers reuse it).
  std::uint32_t msg_id() const { return msg_id_; }
  void set_msg_id(std::uint32_t msg_id) { msg_id_ = msg_id; }
  // The peer's node id once identified.
  std::optional<NodeId> nid() const { return nid_; }
  void set_nid(std::optional<NodeId> nid) { nid_ = nid; }
  // The remote address as printed ("127.0.0.1:20001", "[::1]:20001").
  const std::string& address() const { return address_; }
  // "S1 (127.0.0.1:20001)", "? ([::1]:5555)": for log lines.
  std::string describe() const;

 protected:
  std::string address_;

 private:
  std::uint32_t msg_id_ = 0;
  std::optional<NodeId> nid_;
};

class Handler {
 public:
  virtual ~Handler() = default;
  // The transport (and TLS) is up; the NEO handshake has been queued.
  virtual void on_connected(Peer& peer) {}
  // A request, a notification, or an Error that answers no pending request.
  // Answers to this node's requests go to their ask() callback instead.
  // peer.msg_id() is frame.msg_id during the call.
  virtual void on_packet(Peer& peer, const protocol::Frame& frame) = 0;
  // The connection is closed (or could not be established); `reason` says
  // why. Called once; pending requests have already failed.
  virtual void on_closed(Peer& peer, std::error_code reason) {}
};

// What a connection does with a frame it received (net::Connection and the
// simulation's connections): an answer goes to its request's callback; an
// answer nobody waits for, or of another type, is answered PROTOCOL_ERROR
// "Unexpected answer: <Name>" and the connection aborted; any other frame
// (an Error answering nothing included) goes to `handler` with the peer's
// msg id set, or is rejected as unexpected without a handler.
void deliver_frame(Peer& peer, PendingAnswers& pending, const std::shared_ptr<Handler>& handler,
                   protocol::Frame& frame);

namespace detail {

// Logs a malformed answer and closes the connection (if still alive).
void answer_malformed(const std::weak_ptr<Peer>& peer, const protocol::Frame& frame,
                      std::error_code ec);

template <class A>
void deliver_answer(const std::weak_ptr<Peer>& peer, Result<protocol::Frame>& frame,
                    const AnswerCallback<A>& callback) {
  if (!frame) {
    const std::string message = frame.error().message();
    callback(frame.error(), message);
    return;
  }
  if constexpr (!std::is_same_v<A, protocol::Error>) {
    if (frame->code == protocol::Error::kCode) {
      Result<protocol::Error> error = protocol::decode_args<protocol::Error>(frame->args);
      if (!error) {
        answer_malformed(peer, *frame, error.error());
        callback(error.error(), "malformed Error packet");
        return;
      }
      callback(error_from_wire(error->code), error->message);
      return;
    }
  }
  Result<A> answer = protocol::decode_args<A>(frame->args);
  if (!answer) {
    answer_malformed(peer, *frame, answer.error());
    const std::error_code ec = answer.error();
    callback(ec, "malformed answer");
    return;
  }
  callback(std::move(answer), {});
}

}  // namespace detail

template <class P>
std::uint32_t Peer::ask(const P& packet, AnswerCallback<typename P::Answer> on_answer) {
  using A = typename P::Answer;
  return ask_raw(
      P::kCode, A::kCode, protocol::encode_args(packet),
      [peer = weak_from_this(), callback = std::move(on_answer)](Result<protocol::Frame> frame) {
        detail::deliver_answer<A>(peer, frame, callback);
      });
}

}  // namespace neo::net
