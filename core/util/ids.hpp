// Identifiers of the NEO protocol: OIDs and TIDs (8-byte big-endian on the
// wire, "p64"), and node ids (signed 32-bit, type in the high byte).
// Pure values: no I/O, no logging.
#pragma once

#include <compare>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/util/error.hpp"

namespace neo {

// A ZODB object id.
struct Oid {
  std::uint64_t value = 0;
  auto operator<=>(const Oid&) const = default;
};

// A ZODB transaction id (also used for serials and temporary TIDs).
// High 32 bits: minutes since 1900-01-01 00:00 UTC (TimeStamp layout);
// low 32 bits: seconds within the minute scaled by 2^32/60.
struct Tid {
  std::uint64_t value = 0;
  auto operator<=>(const Tid&) const = default;
};

inline constexpr Tid kZeroTid{0};
inline constexpr Tid kMaxTid{0x7fffffffffffffffULL};  // largest usable TID
inline constexpr Tid kInvalidTid{0xffffffffffffffffULL};
inline constexpr Oid kZeroOid{0};
inline constexpr Oid kInvalidOid{0xffffffffffffffffULL};

// 8-byte big-endian encoding of a 64-bit value, and back.
std::string p64(std::uint64_t value);
// Precondition: bytes.size() == 8.
std::uint64_t u64(std::string_view bytes);

// Lowercase hex of raw bytes (NEO/py's dump()).
std::string hex(std::string_view bytes);
// "0x%016x"-like rendering used in messages: 0x0000000000000001.
std::string to_string(Oid oid);
std::string to_string(Tid tid);

// A node id. Its high-order byte is the node type namespace:
//   storage 0x00 (S1 = 1), master -0x10 (M1 = 0xf0000001),
//   client -0x20 (C1), admin -0x30 (A1); the low 24 bits are a counter.
struct NodeId {
  std::int32_t value = 0;
  auto operator<=>(const NodeId&) const = default;
};

// Namespaces of node ids, by the NodeTypes value of the protocol
// (0 MASTER, 1 STORAGE, 2 CLIENT, 3 ADMIN).
NodeId make_node_id(int node_type, std::uint32_t counter);
// The NodeTypes value of an id's namespace, or -1 if it is not one.
int node_type_of(NodeId nid);
// NEO/py's uuid_str: "S1", "M2", "C3", "A1"; "0" for 0. For an id whose
// namespace is unknown (NEO/py raises KeyError): "?<namespace>:<counter>",
// e.g. "?-64:1".
std::string to_string(NodeId nid);
// "None" when absent.
std::string to_string(std::optional<NodeId> nid);
// Parses "S1", "M2"... back (neoctl's syntax): a letter and decimal digits,
// counter <= 0xffffff (stricter than uuid_int, which takes "S 1" or "S1_0");
// errc::invalid_argument if not.
Result<NodeId> parse_node_id(std::string_view text);

// TIDs and time (ZODB TimeStamp / NEO/py neo.lib.util).
// tidFromTime: the TID of a UNIX time (UTC). kInvalidTid where NEO/py
// raises: before 1900, from 9917-10-14 04:16 on (past the last TID minute), or for
// the negative times whose truncation gives a negative lower part.
Tid tid_from_time(double unix_time);
// timeFromTID: the UNIX time of a TID (whole microseconds / 10**6, rounded
// once, as Python does). The date fields must form a real date (NEO/py
// raises for e.g. February 30; this returns the day it overflows to).
double time_from_tid(Tid tid);
// str(datetimeFromTID(tid)) as Python prints it:
// "2024-05-01 12:00:00" or "2024-05-01 12:00:00.250000".
std::string datetime_from_tid(Tid tid);
// neoctl's TID argument (asTID): "tid:<int>" as Python's int(x, 0) reads it
// (decimal, 0x.., 0o.., 0b.., underscores; prefix case insensitive) or a
// UNIX time as Python's float(x) reads it, then tidFromTime.
// errc::invalid_argument wherever asTID raises.
Result<Tid> parse_tid_arg(std::string_view text);

}  // namespace neo

template <>
struct std::hash<neo::Oid> {
  std::size_t operator()(neo::Oid oid) const noexcept { return std::hash<std::uint64_t>{}(oid.value); }
};
template <>
struct std::hash<neo::Tid> {
  std::size_t operator()(neo::Tid tid) const noexcept { return std::hash<std::uint64_t>{}(tid.value); }
};
template <>
struct std::hash<neo::NodeId> {
  std::size_t operator()(neo::NodeId nid) const noexcept { return std::hash<std::int32_t>{}(nid.value); }
};
