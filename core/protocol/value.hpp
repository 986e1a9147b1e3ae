// Value: any msgpack value, as NEO/py can send it. Used for the `any`
// fields (RequestIdentification.extra, NotifyMonitorInformation.info), by
// neolog to print packets generically, and by tests. Maps keep wire order
// (and duplicates). Ext values are NEO enums: their payload is a msgpack
// integer. Pure data: no I/O.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "core/util/error.hpp"

namespace neo::protocol {

namespace msgpack {
class Reader;
class Writer;
}  // namespace msgpack

struct Value {
  struct Bin {
    std::string bytes;
    bool operator==(const Bin&) const = default;
  };
  struct Str {  // only the handshake carries a str
    std::string text;
    bool operator==(const Str&) const = default;
  };
  struct Ext {  // a NEO enum: ext type code (enums.hpp) and item value
    std::int8_t type = 0;
    std::int64_t value = 0;
    bool operator==(const Ext&) const = default;
  };
  using Array = std::vector<Value>;
  using Map = std::vector<std::pair<Value, Value>>;
  // Integers: negative ones as int64_t, others as uint64_t (so that equal
  // numbers compare equal whatever their wire width).
  using Data = std::variant<std::nullptr_t, bool, std::int64_t, std::uint64_t, double, Bin, Str,
                            Array, Map, Ext>;

  Data data;

  static Value nil() { return {}; }
  static Value boolean(bool v) { return {Data{v}}; }
  static Value integer(std::int64_t v);
  static Value uinteger(std::uint64_t v) { return {Data{v}}; }
  static Value float64(double v) { return {Data{v}}; }
  static Value bin(std::string bytes) { return {Data{Bin{std::move(bytes)}}}; }
  static Value str(std::string text) { return {Data{Str{std::move(text)}}}; }
  static Value array(Array items) { return {Data{std::move(items)}}; }
  static Value map(Map pairs) { return {Data{std::move(pairs)}}; }
  static Value ext(std::int8_t type, std::int64_t value) { return {Data{Ext{type, value}}}; }

  bool is_nil() const { return std::holds_alternative<std::nullptr_t>(data); }
  template <class T>
  const T* get_if() const {
    return std::get_if<T>(&data);
  }

  // (Not defaulted here: clang 14 would need Value complete.)
  bool operator==(const Value& other) const;
};

inline constexpr int kMaxValueDepth = 64;

void write_value(msgpack::Writer& out, const Value& v);
// False on bad input: malformed msgpack, nesting deeper than `depth`, an
// ext that is not a NEO enum item (unknown type, value out of range).
bool read_value(msgpack::Reader& in, Value& v, int depth = kMaxValueDepth);

std::string encode_value(const Value& v);
// Exactly one value; errc::malformed_packet otherwise (trailing bytes too).
Result<Value> decode_value(std::string_view bytes);

// A short human-readable rendering (for messages and test failures):
// nil, true, 42, 1.5, x'00ff', "text", [a, b], {k: v}, ext(4, 2).
std::string to_string(const Value& v);

}  // namespace neo::protocol
