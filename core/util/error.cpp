#include "core/util/error.hpp"

namespace neo {
namespace {

class NeoCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "neo"; }
  std::string message(int value) const override { return errc_name(static_cast<errc>(value)); }
};

}  // namespace

const std::error_category& neo_category() noexcept {
  static const NeoCategory category;
  return category;
}

std::error_code make_error_code(errc e) noexcept { return {static_cast<int>(e), neo_category()}; }

const char* errc_name(errc e) noexcept {
  switch (e) {
    case errc::ack: return "ACK";
    case errc::denied: return "DENIED";
    case errc::not_ready: return "NOT_READY";
    case errc::oid_not_found: return "OID_NOT_FOUND";
    case errc::tid_not_found: return "TID_NOT_FOUND";
    case errc::oid_does_not_exist: return "OID_DOES_NOT_EXIST";
    case errc::protocol_error: return "PROTOCOL_ERROR";
    case errc::replication_error: return "REPLICATION_ERROR";
    case errc::checking_error: return "CHECKING_ERROR";
    case errc::backend_not_implemented: return "BACKEND_NOT_IMPLEMENTED";
    case errc::non_readable_cell: return "NON_READABLE_CELL";
    case errc::read_only_access: return "READ_ONLY_ACCESS";
    case errc::incomplete_transaction: return "INCOMPLETE_TRANSACTION";
    case errc::undo_pack_error: return "UNDO_PACK_ERROR";
    case errc::connection_closed: return "connection closed";
    case errc::timed_out: return "timed out";
    case errc::corrupted_record: return "corrupted record";
    case errc::malformed_packet: return "malformed packet";
    case errc::unknown_packet: return "unknown packet code";
    case errc::frame_too_large: return "packet too large";
    case errc::version_mismatch: return "protocol version mismatch";
    case errc::not_neo: return "not a NEO stream";
    case errc::tls_error: return "TLS error";
    case errc::invalid_argument: return "invalid argument";
    case errc::conflict: return "conflict";
    case errc::read_conflict: return "read conflict";
    case errc::wrong_checksum: return "wrong checksum";
    case errc::no_data: return "no data (deleted, or creation undone)";
    case errc::transaction_failed: return "transaction failed";
  }
  return "unknown error";
}

}  // namespace neo
