// One error currency for the whole project: neo::errc as std::error_code.
// Values 0..13 are NEO's ErrorCodes as sent in the Error packet (never
// renumber them); values from 100 are local conditions that are never sent.
#pragma once

#include <cstdint>
#include <string>
#include <system_error>
#include <type_traits>
#include <utility>
#include <variant>

namespace neo {

enum class errc {
  // Protocol ErrorCodes (wire values).
  ack = 0,
  denied = 1,
  not_ready = 2,
  oid_not_found = 3,
  tid_not_found = 4,
  oid_does_not_exist = 5,
  protocol_error = 6,
  replication_error = 7,
  checking_error = 8,
  backend_not_implemented = 9,
  non_readable_cell = 10,
  read_only_access = 11,
  incomplete_transaction = 12,
  undo_pack_error = 13,
  // Local conditions, never sent on the wire.
  connection_closed = 100,
  timed_out,
  corrupted_record,         // bad bytes in a file or database
  malformed_packet,         // msgpack is invalid or does not match the packet layout
  unknown_packet,           // packet code is not in the protocol table
  frame_too_large,          // a msgpack object larger than kMaxFrameSize
  version_mismatch,         // peer speaks NEO with another protocol version
  not_neo,                  // peer does not speak NEO (e.g. TLS on a plain port)
  tls_error,
  invalid_argument,
  // Client library outcomes.
  conflict,         // a store met a newer committed serial (write conflict)
  read_conflict,    // checkCurrentSerial met a newer committed serial
  wrong_checksum,   // every replica returned data whose SHA-1 does not match
  no_data,          // a revision without data: deleted object, or creation undone
  transaction_failed,  // the transaction cannot go on (lost master, failed storages)
};

// The number of wire ErrorCodes (ack..undo_pack_error).
inline constexpr int kWireErrorCount = 14;

const std::error_category& neo_category() noexcept;
std::error_code make_error_code(errc e) noexcept;
// "ACK", "DENIED", ... for wire codes; a short snake_case name otherwise.
const char* errc_name(errc e) noexcept;

// The result of an operation that may fail: a value or an error code.
// (A small stand-in for std::expected, which clang 14 cannot use with
// libstdc++ 12; the fuzzers are built with clang.)
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}
  Result(std::error_code ec) : v_(std::in_place_index<1>, ec) {}
  Result(errc e);

  bool has_value() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return has_value(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  std::error_code error() const { return has_value() ? std::error_code{} : std::get<1>(v_); }

 private:
  std::variant<T, std::error_code> v_;
};

}  // namespace neo

template <>
struct std::is_error_code_enum<neo::errc> : std::true_type {};

template <class T>
neo::Result<T>::Result(errc e) : Result(make_error_code(e)) {}
