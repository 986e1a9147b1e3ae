// A minimal MessagePack writer and reader with NEO/py's exact encoding
// choices (msgpack-python, use_bin_type=True, strict_types=True): shortest
// integer forms, float64 only, bin for bytes, fixext 1 for enums. The reader
// accepts every integer width, never allocates, never throws, and reports
// bad or truncated input by returning false. No I/O.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace neo::protocol::msgpack {

// Appends msgpack values to a string. Lengths and counts must fit in 32
// bits (a frame is at most 64 MiB anyway).
class Writer {
 public:
  explicit Writer(std::string& out) : out_(out) {}

  void nil() { out_.push_back('\xc0'); }
  void boolean(bool v) { out_.push_back(v ? '\xc3' : '\xc2'); }
  void uint(std::uint64_t v);  // fixint, uint8/16/32/64
  void sint(std::int64_t v);   // negative fixint, int8/16/32/64; v >= 0 as uint()
  void float64(double v);      // always 0xcb
  void bin(std::string_view bytes);
  void str(std::string_view text);  // only the handshake uses str
  void array(std::uint32_t size);   // header; `size` values follow
  void map(std::uint32_t size);     // header; `size` key/value pairs follow
  void ext(std::int8_t type, std::string_view data);
  void raw(std::string_view encoded) { out_.append(encoded); }

  std::string& out() { return out_; }

 private:
  std::string& out_;
};

enum class Type : std::uint8_t { Nil, Bool, Int, Float, Bin, Str, Array, Map, Ext };

// An integer of any msgpack width: `negative` tells which member holds it.
struct Integer {
  bool negative = false;
  std::uint64_t u = 0;  // when !negative
  std::int64_t s = 0;   // when negative (always < 0)
};

// The header of the value starting at some byte, as far as framing goes.
struct Head {
  std::size_t size = 0;        // bytes of the header (for scalars: of the whole value)
  std::uint64_t body = 0;      // bytes of payload after the header (bin, str, ext)
  std::uint64_t children = 0;  // values nested after the header (array n, map 2n)
};

// Bytes needed to parse the header that starts with `first`; 0 for the
// never-used byte 0xc1.
std::size_t head_size(std::uint8_t first);
// Precondition: `p` holds at least head_size(p[0]) > 0 bytes.
Head parse_head(const char* p);

// A cursor over msgpack bytes. Each read either consumes one complete value
// of the asked type and returns true, or returns false (wrong type,
// truncated input); after false the cursor position is unspecified and the
// caller gives up.
class Reader {
 public:
  explicit Reader(std::string_view data) : data_(data) {}

  bool at_end() const { return pos_ == data_.size(); }
  std::size_t position() const { return pos_; }
  std::size_t remaining() const { return data_.size() - pos_; }
  // Type of the next value; false at the end or on the unused byte 0xc1.
  bool peek(Type& type) const;

  bool read_nil();  // true (and consumed) only if the next value is nil
  bool read_bool(bool& v);
  bool read_integer(Integer& v);
  bool read_uint(std::uint64_t& v);  // any non-negative integer
  bool read_int(std::int64_t& v);    // any integer that fits in int64
  bool read_float(double& v);        // float64 or float32
  bool read_bin(std::string_view& bytes);
  bool read_str(std::string_view& text);
  // Headers. False also when the count cannot fit in the remaining bytes
  // (every value takes at least one byte), so callers may reserve `size`.
  bool read_array(std::uint32_t& size);
  bool read_map(std::uint32_t& size);
  bool read_ext(std::int8_t& type, std::string_view& data);

 private:
  bool take(std::size_t n, const char*& p);
  // Reads a header of `bytes` big-endian length bytes after the type byte.
  bool length(std::size_t bytes, std::uint64_t& n);

  std::string_view data_;
  std::size_t pos_ = 0;
};

}  // namespace neo::protocol::msgpack
