#include "core/protocol/frame_reader.hpp"

#include <algorithm>

#include "core/protocol/codec.hpp"
#include "core/protocol/msgpack.hpp"

namespace neo::protocol {
namespace {

constexpr std::size_t kMagicSize = 5;            // ["NEO", without the version
constexpr std::size_t kCompactMin = 64 * 1024;   // consumed bytes worth a memmove
constexpr std::size_t kShrinkMin = 1024 * 1024;  // capacity worth giving back

bool is_array(const char* p, std::size_t size) {
  msgpack::Type type;
  return msgpack::Reader({p, size}).peek(type) && type == msgpack::Type::Array;
}

// Checks the elements of the frame array: [msg_id, code, args].
std::error_code check_head_item(std::uint64_t index, const char* p, std::size_t size) {
  msgpack::Reader r({p, size});
  msgpack::Integer n;
  switch (index) {
    case 0:
      if (!r.read_integer(n) || n.negative || n.u > 0xffffffff) return errc::malformed_packet;
      return {};
    case 1:
      if (!r.read_integer(n)) return errc::malformed_packet;
      if (n.negative || n.u > 0xffff || !find_packet(static_cast<std::uint16_t>(n.u))) {
        return errc::unknown_packet;
      }
      return {};
    default:
      return is_array(p, size) ? std::error_code{} : errc::malformed_packet;
  }
}

}  // namespace

FrameReader::FrameReader(std::size_t max_frame, bool expect_handshake)
    : max_frame_(max_frame), handshake_done_(!expect_handshake) {}

void FrameReader::feed(std::string_view bytes) {
  if (failed_) return;  // nothing will be read any more
  if (pos_ == buffer_.size()) {
    if (buffer_.capacity() > kShrinkMin && bytes.size() < kShrinkMin) std::string().swap(buffer_);
    buffer_.clear();
    pos_ = 0;
  } else if (pos_ >= kCompactMin && pos_ >= buffered()) {
    buffer_.erase(0, pos_);
    pos_ = 0;
  }
  buffer_.append(bytes);
}

std::error_code FrameReader::fail(std::error_code ec) {
  failed_ = ec;
  std::string().swap(buffer_);  // nothing will be read any more
  pos_ = 0;
  return ec;
}

Result<std::optional<Frame>> FrameReader::next() {
  if (failed_) return failed_;
  if (!handshake_done_) {
    Result<bool> done = read_handshake();
    if (!done) return fail(done.error());
    if (!*done) return std::optional<Frame>{};
  }
  if (buffered() == scan_.offset) return std::optional<Frame>{};  // nothing new
  Result<bool> complete = scan_frame();
  if (!complete) return fail(complete.error());
  if (!*complete) return std::optional<Frame>{};
  return std::optional<Frame>{take_frame()};
}

Result<bool> FrameReader::read_handshake() {
  const std::string_view got(buffer_.data() + pos_, std::min(buffered(), kHandshake.size()));
  if (got == kHandshake) {
    pos_ += got.size();
    handshake_done_ = true;
    return true;
  }
  if (got.size() < kHandshake.size() && kHandshake.starts_with(got)) return false;
  if (got.size() == kHandshake.size() && got.starts_with(kHandshake.substr(0, kMagicSize))) {
    return errc::version_mismatch;
  }
  return errc::not_neo;
}

// One step per value: read its header, check the limits with what is known
// of the frame's size so far, and stop as soon as the buffered bytes run out.
Result<bool> FrameReader::scan_frame() {
  const char* frame = buffer_.data() + pos_;
  const std::size_t avail = buffered();
  Scan& s = scan_;
  for (;;) {
    while (s.depth > 0 && s.pending[s.depth - 1] == 0) --s.depth;
    if (s.depth == 0) return true;
    const std::size_t left = avail - s.offset;
    std::uint64_t item = 1;  // bytes of the next value, at least
    msgpack::Head head;
    if (left > 0) {
      item = msgpack::head_size(static_cast<std::uint8_t>(frame[s.offset]));
      if (item == 0) return errc::malformed_packet;
      if (left >= item) {
        head = msgpack::parse_head(frame + s.offset);
        item += head.body;
      }
    }
    // This value, its children and every other expected value take a byte or more.
    const std::uint64_t least = s.offset + item + head.children + (s.remaining - 1);
    if (least > max_frame_) return errc::frame_too_large;
    if (left < item || head.size == 0) return false;
    const char* p = frame + s.offset;
    if (s.depth == 1 && (!is_array(p, item) || head.children != 3)) return errc::malformed_packet;
    if (s.depth == 2) {
      if (std::error_code ec = check_head_item(3 - s.pending[1], p, item)) return ec;
    }
    s.offset += item;
    --s.pending[s.depth - 1];
    s.remaining += head.children - 1;
    if (head.children > 0) {
      if (s.depth > kMaxDepth) return errc::malformed_packet;
      s.pending[s.depth++] = head.children;
    }
  }
}

Frame FrameReader::take_frame() {
  msgpack::Reader r({buffer_.data() + pos_, scan_.offset});
  std::uint32_t size;
  std::uint64_t msg_id = 0, code = 0;
  // Checked by scan_frame().
  (void)r.read_array(size);
  (void)r.read_uint(msg_id);
  (void)r.read_uint(code);
  Frame frame{static_cast<std::uint32_t>(msg_id), static_cast<std::uint16_t>(code),
              std::string(buffer_.data() + pos_ + r.position(), scan_.offset - r.position())};
  pos_ += scan_.offset;
  scan_ = Scan{};
  return frame;
}

std::string encode_frame(std::uint32_t msg_id, std::uint16_t code, std::string_view args) {
  std::string out;
  out.reserve(16 + args.size());
  msgpack::Writer w(out);
  w.array(3);
  w.uint(msg_id);
  w.uint(code);
  w.raw(args);
  return out;
}

}  // namespace neo::protocol
