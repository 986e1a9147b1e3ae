#include "core/protocol/codec.hpp"

#include <algorithm>
#include <optional>
#include <tuple>
#include <utility>
#include <vector>

#include "core/protocol/msgpack.hpp"

namespace neo::protocol {
namespace {

using msgpack::Reader;
using msgpack::Writer;

// Vectors reserve at most this many elements before seeing them, so a
// lying array header cannot make us allocate much.
constexpr std::uint32_t kReserveLimit = 4096;

template <class T>
concept HasFields = requires(T& t) {
  t.fields();
};

// Codec<T>::put writes a T; Codec<T>::get reads one, false on bad input.
template <class T>
struct Codec;

template <>
struct Codec<bool> {
  static void put(Writer& w, bool v) { w.boolean(v); }
  static bool get(Reader& r, bool& v) { return r.read_bool(v); }
};

template <>
struct Codec<std::int64_t> {
  static void put(Writer& w, std::int64_t v) { w.sint(v); }
  static bool get(Reader& r, std::int64_t& v) { return r.read_int(v); }
};

template <>
struct Codec<std::uint16_t> {  // ports
  static void put(Writer& w, std::uint16_t v) { w.uint(v); }
  static bool get(Reader& r, std::uint16_t& v) {
    std::uint64_t n;
    if (!r.read_uint(n) || n > 0xffff) return false;
    v = static_cast<std::uint16_t>(n);
    return true;
  }
};

template <>
struct Codec<double> {
  static void put(Writer& w, double v) { w.float64(v); }
  static bool get(Reader& r, double& v) { return r.read_float(v); }
};

template <>
struct Codec<std::string> {
  static void put(Writer& w, const std::string& v) { w.bin(v); }
  static bool get(Reader& r, std::string& v) {
    std::string_view bytes;
    if (!r.read_bin(bytes)) return false;
    v.assign(bytes);
    return true;
  }
};

template <>
struct Codec<NodeId> {
  static void put(Writer& w, NodeId v) { w.sint(v.value); }
  static bool get(Reader& r, NodeId& v) {
    std::int64_t n;
    if (!r.read_int(n) || n < INT32_MIN || n > INT32_MAX) return false;
    v.value = static_cast<std::int32_t>(n);
    return true;
  }
};

// p64: an 8-byte big-endian bin.
template <class Id>
requires std::is_same_v<Id, Oid> || std::is_same_v<Id, Tid>
struct Codec<Id> {
  static void put(Writer& w, Id v) {
    char bytes[8];
    for (int i = 0; i < 8; ++i) bytes[i] = static_cast<char>(v.value >> (56 - 8 * i));
    w.bin({bytes, 8});
  }
  static bool get(Reader& r, Id& v) {
    std::string_view bytes;
    if (!r.read_bin(bytes) || bytes.size() != 8) return false;
    v.value = 0;
    for (unsigned char c : bytes) v.value = (v.value << 8) | c;
    return true;
  }
};

template <class E>
constexpr std::int8_t kExtTypeOf = std::is_same_v<E, CellState>      ? kExtCellStates
                                   : std::is_same_v<E, ClusterState> ? kExtClusterStates
                                   : std::is_same_v<E, NodeState>    ? kExtNodeStates
                                                                     : kExtNodeTypes;

// Enums: ext type `kExtTypeOf<E>` whose payload is the item as a msgpack int.
template <class E>
requires std::is_enum_v<E>
struct Codec<E> {
  static void put(Writer& w, E v) {
    const char item = static_cast<char>(v);  // every item is a positive fixint
    w.ext(kExtTypeOf<E>, {&item, 1});
  }
  static bool get(Reader& r, E& v) {
    std::int8_t type;
    std::string_view payload;
    if (!r.read_ext(type, payload) || type != kExtTypeOf<E>) return false;
    Reader inner(payload);
    std::int64_t item;
    if (!inner.read_int(item) || !inner.at_end()) return false;
    if (item < 0 || item >= enum_size(type)) return false;
    v = static_cast<E>(item);
    return true;
  }
};

template <>
struct Codec<Value> {
  static void put(Writer& w, const Value& v) { write_value(w, v); }
  static bool get(Reader& r, Value& v) { return read_value(r, v); }
};

template <class T>
struct Codec<std::optional<T>> {
  static void put(Writer& w, const std::optional<T>& v) {
    if (v) {
      Codec<T>::put(w, *v);
    } else {
      w.nil();
    }
  }
  static bool get(Reader& r, std::optional<T>& v) {
    if (r.read_nil()) {
      v.reset();
      return true;
    }
    return Codec<T>::get(r, v.emplace());
  }
};

template <class T>
struct Codec<std::vector<T>> {
  static void put(Writer& w, const std::vector<T>& v) {
    w.array(static_cast<std::uint32_t>(v.size()));
    for (const T& item : v) Codec<T>::put(w, item);
  }
  static bool get(Reader& r, std::vector<T>& v) {
    std::uint32_t n;
    if (!r.read_array(n)) return false;
    v.clear();
    v.reserve(std::min(n, kReserveLimit));
    for (std::uint32_t i = 0; i < n; ++i) {
      if (!Codec<T>::get(r, v.emplace_back())) return false;
    }
    return true;
  }
};

// Maps, in wire order.
template <class K, class V>
struct Codec<std::vector<std::pair<K, V>>> {
  static void put(Writer& w, const std::vector<std::pair<K, V>>& v) {
    w.map(static_cast<std::uint32_t>(v.size()));
    for (const auto& [key, value] : v) {
      Codec<K>::put(w, key);
      Codec<V>::put(w, value);
    }
  }
  static bool get(Reader& r, std::vector<std::pair<K, V>>& v) {
    std::uint32_t n;
    if (!r.read_map(n)) return false;
    v.clear();
    v.reserve(std::min(n, kReserveLimit));
    for (std::uint32_t i = 0; i < n; ++i) {
      auto& [key, value] = v.emplace_back();
      if (!Codec<K>::get(r, key) || !Codec<V>::get(r, value)) return false;
    }
    return true;
  }
};

// Packets and tuples: an array of their fields, exactly as many.
template <HasFields S>
struct Codec<S> {
  static void put(Writer& w, const S& s) {
    const auto fields = s.fields();
    w.array(std::tuple_size_v<decltype(fields)>);
    std::apply([&](const auto&... f) { (Codec<std::remove_cvref_t<decltype(f)>>::put(w, f), ...); },
               fields);
  }
  static bool get(Reader& r, S& s) {
    auto fields = s.fields();
    std::uint32_t n;
    if (!r.read_array(n) || n != std::tuple_size_v<decltype(fields)>) return false;
    return std::apply(
        [&](auto&... f) { return (Codec<std::remove_cvref_t<decltype(f)>>::get(r, f) && ...); },
        fields);
  }
};

}  // namespace

template <class P>
void encode_args_to(std::string& out, const P& p) {
  Writer w(out);
  Codec<P>::put(w, p);
}

template <class P>
std::string encode_args(const P& p) {
  std::string out;
  encode_args_to(out, p);
  return out;
}

template <class P>
void encode_to(std::string& out, std::uint32_t msg_id, const P& p) {
  Writer w(out);
  w.array(3);
  w.uint(msg_id);
  w.uint(P::kCode);
  Codec<P>::put(w, p);
}

template <class P>
std::string encode(std::uint32_t msg_id, const P& p) {
  std::string out;
  encode_to(out, msg_id, p);
  return out;
}

template <class P>
Result<P> decode_args(std::string_view args) {
  Reader r(args);
  P p;
  if (!Codec<P>::get(r, p) || !r.at_end()) return errc::malformed_packet;
  return p;
}

Result<Value> decode_args_value(std::string_view args) {
  Result<Value> v = decode_value(args);
  if (v && !v->get_if<Value::Array>()) return errc::malformed_packet;
  return v;
}

#define NEO_PACKET(code, name, kind)                                       \
  template void encode_args_to<name>(std::string&, const name&);           \
  template std::string encode_args<name>(const name&);                     \
  template void encode_to<name>(std::string&, std::uint32_t, const name&); \
  template std::string encode<name>(std::uint32_t, const name&);           \
  template Result<name> decode_args<name>(std::string_view);
#include "core/protocol/packets.def"

}  // namespace neo::protocol
