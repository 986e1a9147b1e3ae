#include "core/protocol/value.hpp"

#include <algorithm>
#include <charconv>

#include "core/protocol/enums.hpp"
#include "core/protocol/msgpack.hpp"

namespace neo::protocol {
namespace {

bool read_ext_value(msgpack::Reader& in, Value& v) {
  std::int8_t type;
  std::string_view payload;
  if (!in.read_ext(type, payload)) return false;
  msgpack::Reader inner(payload);
  std::int64_t item;
  if (!inner.read_int(item) || !inner.at_end()) return false;
  if (item < 0 || item >= enum_size(type)) return false;
  v = Value::ext(type, item);
  return true;
}

bool read_array_value(msgpack::Reader& in, Value& v, int depth) {
  std::uint32_t n;
  if (!in.read_array(n)) return false;
  Value::Array items;
  items.reserve(std::min<std::uint32_t>(n, 1024));
  for (std::uint32_t i = 0; i < n; ++i) {
    if (!read_value(in, items.emplace_back(), depth - 1)) return false;
  }
  v = Value::array(std::move(items));
  return true;
}

bool read_map_value(msgpack::Reader& in, Value& v, int depth) {
  std::uint32_t n;
  if (!in.read_map(n)) return false;
  Value::Map pairs;
  pairs.reserve(std::min<std::uint32_t>(n, 1024));
  for (std::uint32_t i = 0; i < n; ++i) {
    auto& [key, value] = pairs.emplace_back();
    if (!read_value(in, key, depth - 1) || !read_value(in, value, depth - 1)) return false;
  }
  v = Value::map(std::move(pairs));
  return true;
}

void append_hex(std::string& out, std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
}

void render(std::string& out, const Value& v);

template <class T>
void append_number(std::string& out, T n) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, n);
  out.append(buf, end);
}

struct Renderer {
  std::string& out;
  void operator()(std::nullptr_t) { out += "nil"; }
  void operator()(bool b) { out += b ? "true" : "false"; }
  void operator()(std::int64_t n) { append_number(out, n); }
  void operator()(std::uint64_t n) { append_number(out, n); }
  void operator()(double d) { append_number(out, d); }
  void operator()(const Value::Bin& b) {
    out += "x'";
    append_hex(out, b.bytes);
    out += "'";
  }
  void operator()(const Value::Str& s) { (out += '"').append(s.text) += '"'; }
  void operator()(const Value::Array& a) {
    out += '[';
    for (std::size_t i = 0; i < a.size(); ++i) {
      if (i > 0) out += ", ";
      render(out, a[i]);
    }
    out += ']';
  }
  void operator()(const Value::Map& m) {
    out += '{';
    for (std::size_t i = 0; i < m.size(); ++i) {
      if (i > 0) out += ", ";
      render(out, m[i].first);
      out += ": ";
      render(out, m[i].second);
    }
    out += '}';
  }
  void operator()(const Value::Ext& e) {
    out += "ext(";
    append_number(out, int{e.type});
    append_number(out += ", ", e.value);
    out += ')';
  }
};

void render(std::string& out, const Value& v) { std::visit(Renderer{out}, v.data); }

struct Encoder {
  msgpack::Writer& out;
  void operator()(std::nullptr_t) { out.nil(); }
  void operator()(bool b) { out.boolean(b); }
  void operator()(std::int64_t n) { out.sint(n); }
  void operator()(std::uint64_t n) { out.uint(n); }
  void operator()(double d) { out.float64(d); }
  void operator()(const Value::Bin& b) { out.bin(b.bytes); }
  void operator()(const Value::Str& s) { out.str(s.text); }
  void operator()(const Value::Array& a) {
    out.array(static_cast<std::uint32_t>(a.size()));
    for (const Value& item : a) write_value(out, item);
  }
  void operator()(const Value::Map& m) {
    out.map(static_cast<std::uint32_t>(m.size()));
    for (const auto& [key, value] : m) {
      write_value(out, key);
      write_value(out, value);
    }
  }
  void operator()(const Value::Ext& e) {
    std::string payload;
    msgpack::Writer(payload).sint(e.value);
    out.ext(e.type, payload);
  }
};

}  // namespace

Value Value::integer(std::int64_t v) {
  if (v < 0) return {Data{v}};
  return {Data{static_cast<std::uint64_t>(v)}};
}

bool Value::operator==(const Value& other) const { return data == other.data; }

void write_value(msgpack::Writer& out, const Value& v) { std::visit(Encoder{out}, v.data); }

bool read_value(msgpack::Reader& in, Value& v, int depth) {
  msgpack::Type type;
  if (depth <= 0 || !in.peek(type)) return false;
  switch (type) {
    case msgpack::Type::Nil:
      v = Value::nil();
      return in.read_nil();
    case msgpack::Type::Bool: {
      bool b;
      if (!in.read_bool(b)) return false;
      v = Value::boolean(b);
      return true;
    }
    case msgpack::Type::Int: {
      msgpack::Integer n;
      if (!in.read_integer(n)) return false;
      v = n.negative ? Value::integer(n.s) : Value::uinteger(n.u);
      return true;
    }
    case msgpack::Type::Float: {
      double d;
      if (!in.read_float(d)) return false;
      v = Value::float64(d);
      return true;
    }
    case msgpack::Type::Bin:
    case msgpack::Type::Str: {
      std::string_view bytes;
      if (type == msgpack::Type::Bin ? !in.read_bin(bytes) : !in.read_str(bytes)) return false;
      v = type == msgpack::Type::Bin ? Value::bin(std::string(bytes))
                                     : Value::str(std::string(bytes));
      return true;
    }
    case msgpack::Type::Array:
      return read_array_value(in, v, depth);
    case msgpack::Type::Map:
      return read_map_value(in, v, depth);
    case msgpack::Type::Ext:
      return read_ext_value(in, v);
  }
  return false;
}

std::string encode_value(const Value& v) {
  std::string out;
  msgpack::Writer writer(out);
  write_value(writer, v);
  return out;
}

Result<Value> decode_value(std::string_view bytes) {
  msgpack::Reader in(bytes);
  Value v;
  if (!read_value(in, v) || !in.at_end()) return errc::malformed_packet;
  return v;
}

std::string to_string(const Value& v) {
  std::string out;
  render(out, v);
  return out;
}

}  // namespace neo::protocol
