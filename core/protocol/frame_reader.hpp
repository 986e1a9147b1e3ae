// Incremental, socket-free reader of a NEO stream: the 6-byte handshake,
// then msgpack frames [msg_id, code, args]. Feed bytes as they arrive; take
// complete frames out. Never crashes and never buffers more than one frame
// of at most `max_frame` bytes plus what was fed. No I/O, no logging.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/util/error.hpp"

namespace neo::protocol {

inline constexpr int kProtocolVersion = 5;
// msgpack ["NEO", 5]; both ends send it first.
inline constexpr std::string_view kHandshake{"\x92\xa3NEO\x05", 6};
// NEO/py refuses any msgpack object larger than this.
inline constexpr std::size_t kMaxFrameSize = 0x4000000;
inline constexpr std::uint16_t kResponseMask = 0x8000;

struct Frame {
  std::uint32_t msg_id = 0;
  std::uint16_t code = 0;
  std::string args;  // msgpack of the argument array (what the log stores as body)
};

class FrameReader {
 public:
  // `expect_handshake`: false to read bare frames (e.g. tests, log bodies).
  explicit FrameReader(std::size_t max_frame = kMaxFrameSize, bool expect_handshake = true);

  void feed(std::string_view bytes);

  // The next complete frame, std::nullopt if more bytes are needed, or an
  // error: errc::version_mismatch (handshake magic matches, version does
  // not), errc::not_neo (not a NEO stream), errc::frame_too_large,
  // errc::malformed_packet (not [uint32, uint16, array] msgpack),
  // errc::unknown_packet (code not in the protocol table). After an error
  // the reader stays failed and returns that error again.
  Result<std::optional<Frame>> next();

  // True once the peer's handshake has been read and matched.
  bool handshake_done() const { return handshake_done_; }
  // Bytes fed and not yet consumed.
  std::size_t buffered() const { return buffer_.size() - pos_; }
  // Memory the buffer holds on the heap (a partial frame: up to twice
  // max_frame).
  std::size_t held() const { return buffer_.capacity() > kInline ? buffer_.capacity() : 0; }
  // Frees the buffer; nothing is read any more (next() fails with
  // errc::connection_closed).
  void discard() { fail(errc::connection_closed); }

 private:
  static constexpr int kMaxDepth = 64;                              // nesting limit of a frame
  static constexpr std::size_t kInline = std::string().capacity();  // no heap

  // The scan of the frame that starts at pos_, resumed where it stopped
  // when more bytes arrive, so a large frame fed in small pieces is
  // scanned once (each next() re-reads at most one value header).
  struct Scan {
    std::size_t offset = 0;                      // bytes of the frame scanned so far
    std::uint64_t remaining = 1;                 // values still expected, all levels
    int depth = 1;                               // open levels in `pending`
    std::uint64_t pending[kMaxDepth + 1] = {1};  // values still expected per level
  };

  std::error_code fail(std::error_code ec);
  Result<bool> read_handshake();
  // Advances scan_; true once the whole frame is buffered.
  Result<bool> scan_frame();
  Frame take_frame();

  std::size_t max_frame_;
  bool handshake_done_;
  std::string buffer_;
  std::size_t pos_ = 0;
  std::error_code failed_;
  Scan scan_;
};

// Wraps already-encoded arguments into a frame: msgpack [msg_id, code, args].
std::string encode_frame(std::uint32_t msg_id, std::uint16_t code, std::string_view args);

}  // namespace neo::protocol
