#include "core/net/outbox.hpp"

#include <algorithm>
#include <bit>

#include "core/protocol/msgpack.hpp"

namespace neo::net {
namespace {

// The first allocation of a chunk of small frames; it doubles up to kChunkBytes.
constexpr std::size_t kFirstChunk = 512;

void write_frame(std::string& out, std::uint32_t msg_id, std::uint16_t code,
                 std::string_view args) {
  protocol::msgpack::Writer w(out);
  w.array(3);
  w.uint(msg_id);
  w.uint(code);
  w.raw(args);
}

}  // namespace

std::size_t Outbox::grown(std::size_t size) const {
  const std::string& data = chunks_.back().data;
  if (data.size() + size <= data.capacity()) return data.capacity();
  // Powers of two: std::string would round a smaller growth up to double.
  return std::min(kChunkBytes, std::bit_ceil(std::max(2 * data.capacity(), data.size() + size)));
}

std::size_t Outbox::growth(std::size_t args_size) const {
  const std::size_t most = args_size + kMaxHeader;
  if (most >= kSmallFrame) return most + kChunkOverhead;
  if (fits_last(most)) return grown(most) - chunks_.back().data.capacity();
  return std::bit_ceil(std::max(kFirstChunk, most)) + kChunkOverhead;
}

std::string& Outbox::small_chunk(std::size_t size) {
  if (fits_last(size)) {
    std::string& data = chunks_.back().data;
    const std::size_t capacity = data.capacity();
    data.reserve(grown(size));
    held_ += data.capacity() - capacity;
    return data;
  }
  Chunk& chunk = chunks_.emplace_back();
  chunk.shared = true;
  chunk.data.reserve(std::bit_ceil(std::max(kFirstChunk, size)));
  held_ += chunk.data.capacity() + kChunkOverhead;
  return chunk.data;
}

void Outbox::push_frame(std::uint32_t msg_id, std::uint16_t code, std::string_view args) {
  const std::size_t most = args.size() + kMaxHeader;
  std::string* out;
  if (most < kSmallFrame) {
    out = &small_chunk(most);
  } else {
    Chunk& chunk = chunks_.emplace_back();
    chunk.data.reserve(most);
    held_ += chunk.data.capacity() + kChunkOverhead;
    out = &chunk.data;
  }
  const std::size_t before = out->size();
  write_frame(*out, msg_id, code, args);
  bytes_ += out->size() - before;
}

void Outbox::push_bytes(std::string_view bytes) {
  small_chunk(bytes.size()).append(bytes);
  bytes_ += bytes.size();
}

void Outbox::gather(std::vector<std::string_view>& buffers) {
  buffers.clear();
  std::size_t size = 0;
  for (const Chunk& chunk : chunks_) {
    if (!buffers.empty() && (size >= kMaxWriteBytes || buffers.size() == kMaxBuffersPerWrite)) {
      break;
    }
    buffers.emplace_back(chunk.data);
    size += chunk.data.size();
  }
  frozen_ = buffers.size();
}

void Outbox::pop_front() {
  const Chunk& chunk = chunks_.front();
  bytes_ -= chunk.data.size();
  held_ -= chunk.data.capacity() + kChunkOverhead;
  chunks_.pop_front();
}

void Outbox::consume() {
  for (; frozen_ > 0; --frozen_) pop_front();
}

void Outbox::drop_unsent() {
  while (chunks_.size() > frozen_) {
    const Chunk& chunk = chunks_.back();
    bytes_ -= chunk.data.size();
    held_ -= chunk.data.capacity() + kChunkOverhead;
    chunks_.pop_back();
  }
}

}  // namespace neo::net
