// Python's repr() and str() of decoded msgpack values, as upstream neolog
// prints packet arguments: msgpack-python (use_list=False) turns arrays into
// tuples, bin into bytes, str into str, maps into dicts and NEO's ext types
// into enum items, and neolog prints them with repr(). Byte-exact with
// CPython 3.11. Pure functions, no I/O.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/protocol/value.hpp"

namespace neo::neolog {

using protocol::Value;

// repr(float): shortest round-trip digits, "1e+16" / "1e-05" exponents,
// ".0" for integral values, "inf", "-inf", "nan".
void append_float_repr(std::string& out, double v);
// repr(bytes): b'...' (or b"..." if it holds ' but no "), \t \n \r \\ and
// \xhh for other bytes outside 0x20..0x7e.
void append_bytes_repr(std::string& out, std::string_view bytes);
// repr(str) of UTF-8 text (precondition: valid UTF-8): '...' with Python's
// escapes for control and non-printable characters.
void append_str_repr(std::string& out, std::string_view utf8);
// "<EnumItem UP_TO_DATE (1)>" for an ext value of one of NEO's enums.
void append_enum_repr(std::string& out, const Value::Ext& e);
// The item name ("UP_TO_DATE"), or "?" if unknown.
std::string_view enum_item_name(const Value::Ext& e);

// repr(v). Precondition: python_compatible(v).
void append_repr(std::string& out, const Value& v);
// str(v), i.e. what "%s" % v prints: the text of a str, an enum item's name,
// else repr(v).
void append_str(std::string& out, const Value& v);
std::string repr(const Value& v);

// The fast path of -a: appends repr() of the msgpack value in `body` as
// append_repr(read_value(body)) would, reading the bytes directly (no value
// tree). Returns false, with `out` unchanged, when it cannot: malformed
// input, trailing bytes, nesting deeper than `max_depth`, a map (dict repr
// needs the general path), a value python_compatible() refuses, or a top
// level that is not a non-empty array (whose truth value the caller checks).
bool append_msgpack_repr(std::string& out, std::string_view body, int max_depth);

// False if msgpack-python would fail on this value where our decoder did
// not: a str that is not UTF-8, an unhashable (map) key.
bool python_compatible(const Value& v);
// Python truth value: None, False, 0, 0.0, empty bytes/str/tuple/dict are false.
bool python_truthy(const Value& v);

// What iterating over the value gives in Python (list(v), f(*v), a, b = v):
// a tuple's items, a dict's keys, a bytes' ints, a str's characters;
// nullopt if it is not iterable.
std::optional<Value::Array> python_items(const Value& v);

bool is_valid_utf8(std::string_view text);
// True if the code point is printable for str.isprintable() (cp >= 0x80).
bool is_printable_non_ascii(char32_t cp);

}  // namespace neo::neolog
