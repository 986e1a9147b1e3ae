// libFuzzer target for the protocol decoders: reads the input as a NEO
// stream (with and without handshake, in one piece and in small pieces,
// which must agree), decodes every frame with its typed decoder and as a Value,
// and checks that whatever decodes re-encodes to bytes that decode to the
// same bytes again. Aborts on any disagreement.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "core/protocol/codec.hpp"
#include "core/protocol/frame_reader.hpp"

namespace neo::protocol {
namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

struct Outcome {
  std::vector<Frame> frames;
  std::error_code error;
};

Outcome read_all(std::string_view input, bool handshake, std::size_t chunk,
                 std::size_t max_frame = kMaxFrameSize) {
  FrameReader reader(max_frame, handshake);
  Outcome out;
  for (std::size_t at = 0; at < input.size() && !out.error; at += chunk) {
    reader.feed(input.substr(at, chunk));
    for (;;) {
      auto next = reader.next();
      if (!next) {
        out.error = next.error();
        break;
      }
      if (!next->has_value()) break;
      check((*next)->args.size() < input.size());
      out.frames.push_back(std::move(**next));
    }
  }
  return out;
}

bool same(const Outcome& a, const Outcome& b) {
  if (a.error != b.error || a.frames.size() != b.frames.size()) return false;
  for (std::size_t i = 0; i < a.frames.size(); ++i) {
    const Frame& x = a.frames[i];
    const Frame& y = b.frames[i];
    if (x.msg_id != y.msg_id || x.code != y.code || x.args != y.args) return false;
  }
  return true;
}

void check_frame(const Frame& frame) {
  check(find_packet(frame.code) != nullptr);
  const Result<Value> value = decode_args_value(frame.args);
  if (value) {
    const std::string bytes = encode_value(*value);
    const Result<Value> again = decode_value(bytes);
    check(again && encode_value(*again) == bytes);
  }
  const bool known = visit_packet_type(frame.code, [&]<class P>(std::type_identity<P>) {
    const Result<P> p = decode_args<P>(frame.args);
    if (!p) return;
    const std::string args = encode_args(*p);
    const Result<P> again = decode_args<P>(args);
    check(again && encode_args(*again) == args);
    // The typed and generic decoders agree on what the arguments are.
    check(value && encode_value(*value) == args);
    check(encode(frame.msg_id, *p) == encode_frame(frame.msg_id, frame.code, args));
  });
  check(known);
}

}  // namespace
}  // namespace neo::protocol

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace neo::protocol;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  // Byte by byte for short inputs; in pieces of 2..17 bytes for long ones.
  const std::size_t chunk = size <= 512 ? 1 : 2 + data[0] % 16;
  for (bool handshake : {false, true}) {
    const Outcome whole = read_all(input, handshake, input.size() + 1);
    check(same(whole, read_all(input, handshake, chunk)));
    for (const Frame& frame : whole.frames) check_frame(frame);
  }
  // A small frame limit: the same frames up to the first large one.
  const Outcome small = read_all(input, false, input.size() + 1, 64);
  for (const Frame& frame : small.frames) check(frame.args.size() < 64);
  return 0;
}
