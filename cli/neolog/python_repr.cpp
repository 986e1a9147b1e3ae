#include "cli/neolog/python_repr.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstring>
#include <unordered_map>
#include <vector>

#include "core/protocol/enums.hpp"
#include "core/protocol/msgpack.hpp"
#include "core/util/error.hpp"

namespace neo::neolog {
namespace {

constexpr char kHex[] = "0123456789abcdef";

template <class T>
void append_int(std::string& out, T v) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, end);
}

// Decodes one UTF-8 sequence at `p` (valid input assumed), advancing `p`.
char32_t next_code_point(const unsigned char*& p) {
  const unsigned char c = *p++;
  if (c < 0x80) return c;
  int extra = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : 1;
  char32_t cp = c & (0x3f >> extra);
  while (extra-- > 0) cp = (cp << 6) | (*p++ & 0x3f);
  return cp;
}

void append_hex_escape(std::string& out, char prefix, char32_t cp, int digits) {
  out += '\\';
  out += prefix;
  for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) out += kHex[(cp >> shift) & 15];
}

bool is_hashable(const Value& v) {
  if (v.get_if<Value::Map>()) return false;
  if (const auto* a = v.get_if<Value::Array>()) {
    return std::all_of(a->begin(), a->end(), is_hashable);
  }
  return true;
}

// A string equal for two keys iff Python considers them equal (1 == 1.0 ==
// True == an enum item of value 1). Returns false for keys equal to nothing
// (NaN).
bool canonical_key(std::string& out, const Value& v) {
  if (v.is_nil()) {
    out += 'n';
  } else if (const bool* b = v.get_if<bool>()) {
    out += *b ? "i1" : "i0";
  } else if (const auto* i = v.get_if<std::int64_t>()) {
    append_int(out += 'i', *i);
  } else if (const auto* u = v.get_if<std::uint64_t>()) {
    append_int(out += 'i', *u);
  } else if (const double* d = v.get_if<double>()) {
    if (std::isnan(*d)) return false;
    if (*d == std::trunc(*d) && *d >= -0x1p63 && *d < 0x1p63) {
      append_int(out += 'i', static_cast<std::int64_t>(*d));
    } else if (*d == std::trunc(*d) && *d >= 0 && *d < 0x1p64) {
      append_int(out += 'i', static_cast<std::uint64_t>(*d));
    } else {
      std::uint64_t bits;
      std::memcpy(&bits, d, sizeof bits);
      append_int(out += 'f', bits);
    }
  } else if (const auto* bin = v.get_if<Value::Bin>()) {
    append_int(out += 'b', bin->bytes.size());
    (out += ':') += bin->bytes;
  } else if (const auto* str = v.get_if<Value::Str>()) {
    append_int(out += 's', str->text.size());
    (out += ':') += str->text;
  } else if (const auto* e = v.get_if<Value::Ext>()) {
    append_int(out += 'i', e->value);
  } else if (const auto* a = v.get_if<Value::Array>()) {
    append_int(out += 't', a->size());
    out += '(';
    for (const Value& item : *a) {
      if (!canonical_key(out, item)) return false;
      out += ',';
    }
    out += ')';
  }
  return true;
}

// The pairs of the dict Python builds from a map, as (key, value) indexes:
// a repeated key keeps its first place and takes the last value.
std::vector<std::pair<std::size_t, std::size_t>> dict_items(const Value::Map& map) {
  std::vector<std::pair<std::size_t, std::size_t>> items;
  items.reserve(map.size());
  if (map.size() <= 1) {
    for (std::size_t i = 0; i < map.size(); ++i) items.emplace_back(i, i);
    return items;
  }
  std::unordered_map<std::string, std::size_t> first;  // canonical key -> position in items
  std::string key;
  for (std::size_t i = 0; i < map.size(); ++i) {
    key.clear();
    if (canonical_key(key, map[i].first)) {
      auto [it, inserted] = first.emplace(key, items.size());
      if (!inserted) {
        items[it->second].second = i;
        continue;
      }
    }
    items.emplace_back(i, i);
  }
  return items;
}

void append_dict_repr(std::string& out, const Value::Map& map) {
  out += '{';
  bool comma = false;
  for (const auto& [k, v] : dict_items(map)) {
    if (comma) out += ", ";
    comma = true;
    append_repr(out, map[k].first);
    out += ": ";
    append_repr(out, map[v].second);
  }
  out += '}';
}

struct ReprVisitor {
  std::string& out;
  void operator()(std::nullptr_t) { out += "None"; }
  void operator()(bool b) { out += b ? "True" : "False"; }
  void operator()(std::int64_t n) { append_int(out, n); }
  void operator()(std::uint64_t n) { append_int(out, n); }
  void operator()(double d) { append_float_repr(out, d); }
  void operator()(const Value::Bin& b) { append_bytes_repr(out, b.bytes); }
  void operator()(const Value::Str& s) { append_str_repr(out, s.text); }
  void operator()(const Value::Ext& e) { append_enum_repr(out, e); }
  void operator()(const Value::Map& m) { append_dict_repr(out, m); }
  void operator()(const Value::Array& a) {
    out += '(';
    for (std::size_t i = 0; i < a.size(); ++i) {
      if (i > 0) out += ", ";
      append_repr(out, a[i]);
    }
    if (a.size() == 1) out += ',';
    out += ')';
  }
};

struct Range {
  char32_t first, last;
};
constexpr Range kNonPrintable[] = {
#include "cli/neolog/unicode_printable.inc"
};

}  // namespace

void append_float_repr(std::string& out, double v) {
  if (std::isnan(v)) {
    out += "nan";
    return;
  }
  if (std::isinf(v)) {
    out += v < 0 ? "-inf" : "inf";
    return;
  }
  // Shortest round-trip digits, as "[-]d[.ddd]e[+-]xx".
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  const char* p = buf;
  if (*p == '-') {
    out += '-';
    ++p;
  }
  char digits[32];
  int ndigits = 0;
  for (; *p != 'e'; ++p) {
    if (*p != '.') digits[ndigits++] = *p;
  }
  int exponent = 0;
  std::from_chars(p + 1 + (p[1] == '+'), end, exponent);
  const int decpt = exponent + 1;  // digits are 0.d1d2... * 10^decpt
  if (decpt > -4 && decpt <= 16) {
    if (decpt <= 0) {
      out += "0.";
      out.append(-decpt, '0');
      out.append(digits, ndigits);
    } else if (decpt >= ndigits) {
      out.append(digits, ndigits);
      out.append(decpt - ndigits, '0');
      out += ".0";
    } else {
      out.append(digits, decpt);
      out += '.';
      out.append(digits + decpt, ndigits - decpt);
    }
    return;
  }
  out += digits[0];
  if (ndigits > 1) {
    out += '.';
    out.append(digits + 1, ndigits - 1);
  }
  out += 'e';
  out += exponent < 0 ? '-' : '+';
  const int e = exponent < 0 ? -exponent : exponent;
  if (e < 10) out += '0';
  append_int(out, e);
}

void append_bytes_repr(std::string& out, std::string_view bytes) {
  // How each byte appears inside the quotes, for each choice of quote: a
  // branch-free table lookup, this being the hot path of -a (object data
  // is mostly escapes).
  struct Escape {
    char text[4];
    std::size_t len;
  };
  using Table = std::array<Escape, 256>;
  static const auto make = [](char quote) {
    Table t{};
    for (int c = 0; c < 256; ++c) {
      Escape& e = t[c];
      if (c == '\\' || c == quote) {
        e = {{'\\', static_cast<char>(c)}, 2};
      } else if (c == '\t' || c == '\n' || c == '\r') {
        e = {{'\\', c == '\t' ? 't' : c == '\n' ? 'n' : 'r'}, 2};
      } else if (c < 0x20 || c >= 0x7f) {
        e = {{'\\', 'x', kHex[c >> 4], kHex[c & 15]}, 4};
      } else {
        e = {{static_cast<char>(c)}, 1};
      }
    }
    return t;
  };
  static const Table kSingle = make('\''), kDouble = make('"');
  const bool has_single = bytes.find('\'') != std::string_view::npos;
  const char quote = has_single && bytes.find('"') == std::string_view::npos ? '"' : '\'';
  const Table& table = quote == '"' ? kDouble : kSingle;
  const std::size_t start = out.size();
  out.resize(start + 4 + 4 * bytes.size());  // 4 spare bytes: each escape copies 4
  char* p = out.data() + start;
  *p++ = 'b';
  *p++ = quote;
  for (const char ch : bytes) {
    const Escape& e = table[static_cast<unsigned char>(ch)];
    std::memcpy(p, e.text, 4);
    p += e.len;
  }
  *p++ = quote;
  out.resize(p - out.data());
}

void append_str_repr(std::string& out, std::string_view utf8) {
  const bool has_single = utf8.find('\'') != std::string_view::npos;
  const char quote = has_single && utf8.find('"') == std::string_view::npos ? '"' : '\'';
  out += quote;
  const auto* p = reinterpret_cast<const unsigned char*>(utf8.data());
  const auto* end = p + utf8.size();
  while (p < end) {
    const auto* start = p;
    const char32_t cp = next_code_point(p);
    if (cp == static_cast<unsigned char>(quote) || cp == '\\') {
      out += '\\';
      out += static_cast<char>(cp);
    } else if (cp == '\t') {
      out += "\\t";
    } else if (cp == '\n') {
      out += "\\n";
    } else if (cp == '\r') {
      out += "\\r";
    } else if (cp < 0x20 || cp == 0x7f) {
      append_hex_escape(out, 'x', cp, 2);
    } else if (cp < 0x7f || is_printable_non_ascii(cp)) {
      out.append(reinterpret_cast<const char*>(start), p - start);
    } else if (cp <= 0xff) {
      append_hex_escape(out, 'x', cp, 2);
    } else if (cp <= 0xffff) {
      append_hex_escape(out, 'u', cp, 4);
    } else {
      append_hex_escape(out, 'U', cp, 8);
    }
  }
  out += quote;
}

std::string_view enum_item_name(const Value::Ext& e) {
  using namespace protocol;
  if (e.value < 0 || e.value >= enum_size(e.type)) return "?";
  switch (e.type) {
    case kExtCellStates:
      return to_string(static_cast<CellState>(e.value));
    case kExtClusterStates:
      return to_string(static_cast<ClusterState>(e.value));
    case kExtErrorCodes:
      return errc_name(static_cast<errc>(e.value));
    case kExtNodeStates:
      return to_string(static_cast<NodeState>(e.value));
    case kExtNodeTypes:
      return to_string(static_cast<NodeType>(e.value));
  }
  return "?";
}

void append_enum_repr(std::string& out, const Value::Ext& e) {
  out += "<EnumItem ";
  out += enum_item_name(e);
  out += " (";
  append_int(out, e.value);
  out += ")>";
}

void append_repr(std::string& out, const Value& v) { std::visit(ReprVisitor{out}, v.data); }

void append_str(std::string& out, const Value& v) {
  if (const auto* s = v.get_if<Value::Str>()) {
    out += s->text;
  } else if (const auto* e = v.get_if<Value::Ext>()) {
    out += enum_item_name(*e);
  } else {
    append_repr(out, v);
  }
}

std::string repr(const Value& v) {
  std::string out;
  append_repr(out, v);
  return out;
}

namespace {

// One value of append_msgpack_repr.
bool stream_repr(protocol::msgpack::Reader& in, std::string& out, int depth) {
  using protocol::msgpack::Type;
  Type type;
  if (depth <= 0 || !in.peek(type)) return false;
  switch (type) {
    case Type::Nil:
      out += "None";
      return in.read_nil();
    case Type::Bool: {
      bool b;
      if (!in.read_bool(b)) return false;
      out += b ? "True" : "False";
      return true;
    }
    case Type::Int: {
      protocol::msgpack::Integer n;
      if (!in.read_integer(n)) return false;
      if (n.negative) append_int(out, n.s);
      else append_int(out, n.u);
      return true;
    }
    case Type::Float: {
      double d;
      if (!in.read_float(d)) return false;
      append_float_repr(out, d);
      return true;
    }
    case Type::Bin: {
      std::string_view bytes;
      if (!in.read_bin(bytes)) return false;
      append_bytes_repr(out, bytes);
      return true;
    }
    case Type::Str: {
      std::string_view text;
      if (!in.read_str(text) || !is_valid_utf8(text)) return false;
      append_str_repr(out, text);
      return true;
    }
    case Type::Array: {
      std::uint32_t n;
      if (!in.read_array(n)) return false;
      out += '(';
      for (std::uint32_t i = 0; i < n; ++i) {
        if (i > 0) out += ", ";
        if (!stream_repr(in, out, depth - 1)) return false;
      }
      if (n == 1) out += ',';
      out += ')';
      return true;
    }
    case Type::Ext: {
      std::int8_t ext_type;
      std::string_view payload;
      if (!in.read_ext(ext_type, payload)) return false;
      protocol::msgpack::Reader inner(payload);
      std::int64_t item;
      if (!inner.read_int(item) || !inner.at_end()) return false;
      if (item < 0 || item >= protocol::enum_size(ext_type)) return false;
      append_enum_repr(out, Value::Ext{ext_type, item});
      return true;
    }
    case Type::Map:
      return false;
  }
  return false;
}

}  // namespace

bool append_msgpack_repr(std::string& out, std::string_view body, int max_depth) {
  protocol::msgpack::Reader in(body);
  protocol::msgpack::Type type;
  std::uint32_t n = 0;
  if (!in.peek(type) || type != protocol::msgpack::Type::Array) return false;
  if (!protocol::msgpack::Reader(body).read_array(n) || n == 0) return false;
  const std::size_t mark = out.size();
  if (stream_repr(in, out, max_depth) && in.at_end()) return true;
  out.resize(mark);
  return false;
}

bool python_compatible(const Value& v) {
  if (const auto* s = v.get_if<Value::Str>()) return is_valid_utf8(s->text);
  if (const auto* a = v.get_if<Value::Array>()) {
    return std::all_of(a->begin(), a->end(), python_compatible);
  }
  if (const auto* m = v.get_if<Value::Map>()) {
    for (const auto& [key, value] : *m) {
      if (!is_hashable(key) || !python_compatible(key) || !python_compatible(value)) return false;
    }
  }
  return true;
}

bool python_truthy(const Value& v) {
  struct Truth {
    bool operator()(std::nullptr_t) const { return false; }
    bool operator()(bool b) const { return b; }
    bool operator()(std::int64_t n) const { return n != 0; }
    bool operator()(std::uint64_t n) const { return n != 0; }
    bool operator()(double d) const { return d != 0; }
    bool operator()(const Value::Bin& b) const { return !b.bytes.empty(); }
    bool operator()(const Value::Str& s) const { return !s.text.empty(); }
    bool operator()(const Value::Ext& e) const { return e.value != 0; }
    bool operator()(const Value::Array& a) const { return !a.empty(); }
    bool operator()(const Value::Map& m) const { return !m.empty(); }
  };
  return std::visit(Truth{}, v.data);
}

std::optional<Value::Array> python_items(const Value& v) {
  if (const auto* a = v.get_if<Value::Array>()) return *a;
  Value::Array items;
  if (const auto* m = v.get_if<Value::Map>()) {
    for (const auto& [k, unused] : dict_items(*m)) items.push_back((*m)[k].first);
  } else if (const auto* b = v.get_if<Value::Bin>()) {
    for (const char c : b->bytes) items.push_back(Value::uinteger(static_cast<unsigned char>(c)));
  } else if (const auto* s = v.get_if<Value::Str>()) {
    const auto* p = reinterpret_cast<const unsigned char*>(s->text.data());
    const auto* end = p + s->text.size();
    while (p < end) {
      const auto* start = p;
      next_code_point(p);
      items.push_back(Value::str(std::string(reinterpret_cast<const char*>(start), p - start)));
    }
  } else {
    return std::nullopt;
  }
  return items;
}

bool is_valid_utf8(std::string_view text) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const auto* end = p + text.size();
  while (p < end) {
    const unsigned char c = *p;
    if (c < 0x80) {
      ++p;
      continue;
    }
    int extra;
    char32_t min;
    if (c >= 0xc2 && c <= 0xdf) {
      extra = 1, min = 0x80;
    } else if (c >= 0xe0 && c <= 0xef) {
      extra = 2, min = 0x800;
    } else if (c >= 0xf0 && c <= 0xf4) {
      extra = 3, min = 0x10000;
    } else {
      return false;
    }
    if (end - p <= extra) return false;
    char32_t cp = c & (0x3f >> extra);
    for (int i = 1; i <= extra; ++i) {
      if ((p[i] & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (p[i] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    p += extra + 1;
  }
  return true;
}

bool is_printable_non_ascii(char32_t cp) {
  const auto* it = std::upper_bound(std::begin(kNonPrintable), std::end(kNonPrintable), cp,
                                    [](char32_t c, const Range& r) { return c < r.first; });
  if (it == std::begin(kNonPrintable)) return true;
  --it;
  return cp > it->last;
}

}  // namespace neo::neolog
