// Fuzz target of neolog's packet record decoder (cli/neolog/packet_text):
// what neolog does with the `packet` rows of a log, whose code and body come
// from whoever wrote the file. The input is read as NEO frames (the seeds
// are the golden vectors' frames: realistic codes and bodies); each frame's
// code and argument bytes, and the raw input as the body of every packet
// carrying object data or a node list, are described at the three decoding
// levels (names, -a, -A). It must never crash, hang or read out of bounds,
// and a name is always produced.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "cli/neolog/packet_text.hpp"
#include "core/protocol/frame_reader.hpp"
#include "core/protocol/packets.hpp"

namespace {

void describe_all(std::int64_t code, std::string_view body) {
  using neo::neolog::DecodeLevel;
  for (DecodeLevel level : {DecodeLevel::Names, DecodeLevel::Arguments, DecodeLevel::Data}) {
    neo::neolog::PacketDescriber describer(level);
    neo::neolog::PacketText text;
    describer.describe(code, body, text);
    if (text.name.empty()) std::abort();
    describer.describe(code, std::nullopt, text);  // a NULL body
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  neo::protocol::FrameReader reader(neo::protocol::kMaxFrameSize, false);
  reader.feed(input);
  for (int frames = 0; frames < 64; ++frames) {
    auto next = reader.next();
    if (!next || !next->has_value()) break;
    describe_all((*next)->code, (*next)->args);
  }
  using namespace neo::protocol;
  const std::int64_t codes[] = {AnswerObject::kCode, AskStoreObject::kCode, AddObject::kCode,
                                Error::kCode,        NotifyNodeInformation::kCode, 0x7fff, -1};
  for (std::int64_t code : codes) describe_all(code, input);
  return 0;
}
