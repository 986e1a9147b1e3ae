// core/net/outbox.hpp
// Outbox: what a connection has queued for sending and not yet written,
// with the memory it really holds. Small frames are encoded side by side
// into chunks of at most kChunkBytes (no allocation per frame, and one
// buffer per chunk for the write); a frame of kSmallFrame bytes or more
// gets a chunk of its own. held() is what the chunks cost (capacity plus
// the deque slot and the allocator's header), so a bound on it bounds the
// memory: an 8-byte Pong costs 8 bytes, not a string and a node each.
//
// The writer takes the chunks of its next write with gather(); they are
// frozen (nothing is appended to them, their bytes stay put) until
// consume(). Owned by one connection. Socket-free, no logging, one thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

namespace neo::net {

class Outbox {
 public:
  // Frames under kSmallFrame bytes share chunks of at most kChunkBytes.
  static constexpr std::size_t kSmallFrame = 16 << 10;
  static constexpr std::size_t kChunkBytes = 64 << 10;
  // A write carries up to kMaxWriteBytes (or one larger frame) in at most
  // kMaxBuffersPerWrite chunks.
  static constexpr std::size_t kMaxWriteBytes = std::size_t{1} << 20;
  static constexpr std::size_t kMaxBuffersPerWrite = 64;
  // Frame header: fixarray, uint32 msg id, uint16 code (msgpack, at most).
  static constexpr std::size_t kMaxHeader = 1 + 5 + 3;

  // Appends the frame [msg_id, code, args] (args: encoded msgpack array).
  void push_frame(std::uint32_t msg_id, std::uint16_t code, std::string_view args);
  // Appends bytes as they are (the handshake).
  void push_bytes(std::string_view bytes);

  bool empty() const { return chunks_.empty(); }
  // Bytes queued and not yet written.
  std::size_t bytes() const { return bytes_; }
  // Memory held by what is queued (see above).
  std::size_t held() const { return held_; }
  // What pushing a frame of `args_size` bytes of arguments would add to
  // held() at most (0 if it fits in the room of the last chunk).
  std::size_t growth(std::size_t args_size) const;

  // Freezes the chunks of the next write (a prefix, at least one chunk if
  // any) and sets `buffers` to their bytes. Call consume() when written.
  void gather(std::vector<std::string_view>& buffers);
  // The write gathered last is done: frees its chunks.
  void consume();
  // Frees the chunks not frozen by a write in progress (on close).
  void drop_unsent();

 private:
  struct Chunk {
    std::string data;
    bool shared = false;  // small frames may be appended to it
  };
  // What a chunk costs besides its capacity: the deque slot and malloc's header.
  static constexpr std::size_t kChunkOverhead = sizeof(Chunk) + 16;

  // True if `size` more bytes of small frames go to the last chunk.
  bool fits_last(std::size_t size) const {
    return chunks_.size() > frozen_ && chunks_.back().shared &&
           chunks_.back().data.size() + size <= kChunkBytes;
  }
  // The capacity of the last chunk once grown for `size` more bytes.
  std::size_t grown(std::size_t size) const;
  // The chunk to append `size` more bytes of small frames to.
  std::string& small_chunk(std::size_t size);
  void pop_front();

  std::deque<Chunk> chunks_;  // oldest first
  std::size_t frozen_ = 0;    // chunks of the write in progress (a prefix)
  std::size_t bytes_ = 0;
  std::size_t held_ = 0;
};

}  // namespace neo::net
