#include "core/protocol/msgpack.hpp"

#include <bit>
#include <cstring>

namespace neo::protocol::msgpack {
namespace {

void put_be(std::string& out, std::uint64_t v, int bytes) {
  for (int shift = (bytes - 1) * 8; shift >= 0; shift -= 8) {
    out.push_back(static_cast<char>((v >> shift) & 0xff));
  }
}

void put_tagged(std::string& out, unsigned char tag, std::uint64_t v, int bytes) {
  out.push_back(static_cast<char>(tag));
  put_be(out, v, bytes);
}

std::uint64_t get_be(const char* p, std::size_t bytes) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < bytes; ++i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

// Length of a str/bin/array/map header with a tag byte, or of an ext header.
void sized_header(std::string& out, std::size_t n, unsigned char tag8, unsigned char tag16,
                  unsigned char tag32) {
  if (tag8 != 0 && n <= 0xff) {
    put_tagged(out, tag8, n, 1);
  } else if (n <= 0xffff) {
    put_tagged(out, tag16, n, 2);
  } else {
    put_tagged(out, tag32, n, 4);
  }
}

}  // namespace

void Writer::uint(std::uint64_t v) {
  if (v < 0x80) {
    out_.push_back(static_cast<char>(v));
  } else if (v <= 0xff) {
    put_tagged(out_, 0xcc, v, 1);
  } else if (v <= 0xffff) {
    put_tagged(out_, 0xcd, v, 2);
  } else if (v <= 0xffffffff) {
    put_tagged(out_, 0xce, v, 4);
  } else {
    put_tagged(out_, 0xcf, v, 8);
  }
}

void Writer::sint(std::int64_t v) {
  const auto bits = static_cast<std::uint64_t>(v);
  if (v >= 0) {
    uint(bits);
  } else if (v >= -32) {
    out_.push_back(static_cast<char>(bits & 0xff));
  } else if (v >= INT8_MIN) {
    put_tagged(out_, 0xd0, bits, 1);
  } else if (v >= INT16_MIN) {
    put_tagged(out_, 0xd1, bits, 2);
  } else if (v >= INT32_MIN) {
    put_tagged(out_, 0xd2, bits, 4);
  } else {
    put_tagged(out_, 0xd3, bits, 8);
  }
}

void Writer::float64(double v) { put_tagged(out_, 0xcb, std::bit_cast<std::uint64_t>(v), 8); }

void Writer::bin(std::string_view bytes) {
  sized_header(out_, bytes.size(), 0xc4, 0xc5, 0xc6);
  out_.append(bytes);
}

void Writer::str(std::string_view text) {
  if (text.size() < 32) {
    out_.push_back(static_cast<char>(0xa0 | text.size()));
  } else {
    sized_header(out_, text.size(), 0xd9, 0xda, 0xdb);
  }
  out_.append(text);
}

void Writer::array(std::uint32_t size) {
  if (size < 16) {
    out_.push_back(static_cast<char>(0x90 | size));
  } else {
    sized_header(out_, size, 0, 0xdc, 0xdd);
  }
}

void Writer::map(std::uint32_t size) {
  if (size < 16) {
    out_.push_back(static_cast<char>(0x80 | size));
  } else {
    sized_header(out_, size, 0, 0xde, 0xdf);
  }
}

void Writer::ext(std::int8_t type, std::string_view data) {
  const std::size_t n = data.size();
  if (std::has_single_bit(n) && n <= 16) {
    out_.push_back(static_cast<char>(0xd4 + std::countr_zero(n)));  // fixext 1..16
  } else {
    sized_header(out_, n, 0xc7, 0xc8, 0xc9);
  }
  out_.push_back(static_cast<char>(type));
  out_.append(data);
}

std::size_t head_size(std::uint8_t first) {
  // 0xc0..0xdf: nil, (unused), false, true, bin8/16/32, ext8/16/32, float32/64,
  // uint8..64, int8..64, fixext1/2/4/8/16 (whole), str8/16/32, array16/32, map16/32.
  static constexpr std::uint8_t kSizes[32] = {1, 0, 1, 1, 2, 3, 5, 3,  4,  6, 5, 9, 2, 3, 5, 9,
                                              2, 3, 5, 9, 3, 4, 6, 10, 18, 2, 3, 5, 3, 5, 3, 5};
  if (first < 0xc0 || first >= 0xe0) return 1;  // fixint, fixmap, fixarray, fixstr
  return kSizes[first - 0xc0];
}

Head parse_head(const char* p) {
  const auto first = static_cast<std::uint8_t>(p[0]);
  Head h{head_size(first), 0, 0};
  if (first >= 0x80 && first <= 0x8f) {
    h.children = 2u * (first & 0x0f);
  } else if (first >= 0x90 && first <= 0x9f) {
    h.children = first & 0x0f;
  } else if (first >= 0xa0 && first <= 0xbf) {
    h.body = first & 0x1f;
  } else if (first >= 0xc4 && first <= 0xc6) {  // bin
    h.body = get_be(p + 1, h.size - 1);
  } else if (first >= 0xc7 && first <= 0xc9) {  // ext: length, then type byte
    h.body = get_be(p + 1, h.size - 2);
  } else if (first >= 0xd9 && first <= 0xdb) {  // str
    h.body = get_be(p + 1, h.size - 1);
  } else if (first == 0xdc || first == 0xdd) {
    h.children = get_be(p + 1, h.size - 1);
  } else if (first == 0xde || first == 0xdf) {
    h.children = 2 * get_be(p + 1, h.size - 1);
  }
  return h;
}

bool Reader::take(std::size_t n, const char*& p) {
  if (remaining() < n) return false;
  p = data_.data() + pos_;
  pos_ += n;
  return true;
}

bool Reader::length(std::size_t bytes, std::uint64_t& n) {
  const char* p;
  if (!take(bytes, p)) return false;
  n = get_be(p, bytes);
  return true;
}

bool Reader::peek(Type& type) const {
  if (at_end()) return false;
  const auto b = static_cast<std::uint8_t>(data_[pos_]);
  if (b <= 0x7f || b >= 0xe0 || (b >= 0xcc && b <= 0xd3)) {
    type = Type::Int;
  } else if (b <= 0x8f || b == 0xde || b == 0xdf) {
    type = Type::Map;
  } else if (b <= 0x9f || b == 0xdc || b == 0xdd) {
    type = Type::Array;
  } else if (b <= 0xbf || (b >= 0xd9 && b <= 0xdb)) {
    type = Type::Str;
  } else if (b == 0xc0) {
    type = Type::Nil;
  } else if (b == 0xc2 || b == 0xc3) {
    type = Type::Bool;
  } else if (b >= 0xc4 && b <= 0xc6) {
    type = Type::Bin;
  } else if (b == 0xca || b == 0xcb) {
    type = Type::Float;
  } else if ((b >= 0xc7 && b <= 0xc9) || (b >= 0xd4 && b <= 0xd8)) {
    type = Type::Ext;
  } else {
    return false;  // 0xc1
  }
  return true;
}

bool Reader::read_nil() {
  if (at_end() || data_[pos_] != '\xc0') return false;
  ++pos_;
  return true;
}

bool Reader::read_bool(bool& v) {
  if (at_end()) return false;
  const char b = data_[pos_];
  if (b != '\xc2' && b != '\xc3') return false;
  v = b == '\xc3';
  ++pos_;
  return true;
}

bool Reader::read_integer(Integer& v) {
  if (at_end()) return false;
  const auto b = static_cast<std::uint8_t>(data_[pos_]);
  if (b <= 0x7f) {
    ++pos_;
    v = {false, b, 0};
    return true;
  }
  if (b >= 0xe0) {
    ++pos_;
    v = {true, 0, static_cast<std::int8_t>(b)};
    return true;
  }
  if (b < 0xcc || b > 0xd3) return false;
  const std::size_t bytes = std::size_t{1} << ((b - 0xcc) & 3);
  std::uint64_t raw;
  ++pos_;
  if (!length(bytes, raw)) return false;
  if (b <= 0xcf) {
    v = {false, raw, 0};
    return true;
  }
  // Sign-extend a `bytes`-wide two's complement value.
  const int unused = 64 - static_cast<int>(bytes) * 8;
  const auto s = static_cast<std::int64_t>(raw << unused) >> unused;
  v = s < 0 ? Integer{true, 0, s} : Integer{false, static_cast<std::uint64_t>(s), 0};
  return true;
}

bool Reader::read_uint(std::uint64_t& v) {
  Integer i;
  if (!read_integer(i) || i.negative) return false;
  v = i.u;
  return true;
}

bool Reader::read_int(std::int64_t& v) {
  Integer i;
  if (!read_integer(i)) return false;
  if (i.negative) {
    v = i.s;
  } else if (i.u <= static_cast<std::uint64_t>(INT64_MAX)) {
    v = static_cast<std::int64_t>(i.u);
  } else {
    return false;
  }
  return true;
}

bool Reader::read_float(double& v) {
  if (at_end()) return false;
  const char b = data_[pos_];
  std::uint64_t raw;
  if (b == '\xcb') {
    ++pos_;
    if (!length(8, raw)) return false;
    v = std::bit_cast<double>(raw);
    return true;
  }
  if (b == '\xca') {
    ++pos_;
    if (!length(4, raw)) return false;
    v = std::bit_cast<float>(static_cast<std::uint32_t>(raw));
    return true;
  }
  return false;
}

bool Reader::read_bin(std::string_view& bytes) {
  if (at_end()) return false;
  const auto b = static_cast<std::uint8_t>(data_[pos_]);
  if (b < 0xc4 || b > 0xc6) return false;
  std::uint64_t n;
  ++pos_;
  const char* p;
  if (!length(std::size_t{1} << (b - 0xc4), n) || !take(n, p)) return false;
  bytes = {p, static_cast<std::size_t>(n)};
  return true;
}

bool Reader::read_str(std::string_view& text) {
  if (at_end()) return false;
  const auto b = static_cast<std::uint8_t>(data_[pos_]);
  std::uint64_t n;
  ++pos_;
  if (b >= 0xa0 && b <= 0xbf) {
    n = b & 0x1f;
  } else if (b < 0xd9 || b > 0xdb || !length(std::size_t{1} << (b - 0xd9), n)) {
    return false;
  }
  const char* p;
  if (!take(n, p)) return false;
  text = {p, static_cast<std::size_t>(n)};
  return true;
}

bool Reader::read_array(std::uint32_t& size) {
  if (at_end()) return false;
  const auto b = static_cast<std::uint8_t>(data_[pos_]);
  std::uint64_t n;
  ++pos_;
  if (b >= 0x90 && b <= 0x9f) {
    n = b & 0x0f;
  } else if (b != 0xdc && b != 0xdd) {
    return false;
  } else if (!length(b == 0xdc ? 2 : 4, n)) {
    return false;
  }
  if (n > remaining()) return false;
  size = static_cast<std::uint32_t>(n);
  return true;
}

bool Reader::read_map(std::uint32_t& size) {
  if (at_end()) return false;
  const auto b = static_cast<std::uint8_t>(data_[pos_]);
  std::uint64_t n;
  ++pos_;
  if (b >= 0x80 && b <= 0x8f) {
    n = b & 0x0f;
  } else if (b != 0xde && b != 0xdf) {
    return false;
  } else if (!length(b == 0xde ? 2 : 4, n)) {
    return false;
  }
  if (2 * n > remaining()) return false;
  size = static_cast<std::uint32_t>(n);
  return true;
}

bool Reader::read_ext(std::int8_t& type, std::string_view& data) {
  if (at_end()) return false;
  const auto b = static_cast<std::uint8_t>(data_[pos_]);
  std::uint64_t n;
  ++pos_;
  if (b >= 0xd4 && b <= 0xd8) {
    n = std::uint64_t{1} << (b - 0xd4);
  } else if (b < 0xc7 || b > 0xc9 || !length(std::size_t{1} << (b - 0xc7), n)) {
    return false;
  }
  const char* p;
  if (!take(1, p)) return false;
  type = static_cast<std::int8_t>(*p);
  if (!take(n, p)) return false;
  data = {p, static_cast<std::size_t>(n)};
  return true;
}

}  // namespace neo::protocol::msgpack
