// cli/neoctl/admin_link.hpp
// neoctl's connection to an admin node (spec/protocol.md 10.4): requests
// are sent without identification, one at a time, each waited for without
// a time limit, as NEO/py's neoctl does. The connection is opened by the
// first request and kept for the next ones.
//
// AdminLink is the interface the commands use; unit tests implement it
// with canned answers. connect_admin() returns the real one (core/net).
// Not thread safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <system_error>

#include "core/net/address.hpp"
#include "core/net/connection.hpp"
#include "core/protocol/frame_reader.hpp"
#include "core/util/error.hpp"

namespace neo::neoctl {

// Local failures of a request (besides an Error answer, which is a frame).
// NEO/py's neoctl reports them as "ERROR: not connected" and
// "ERROR: Connection closed".
inline std::error_code not_connected() { return std::make_error_code(std::errc::not_connected); }
inline std::error_code connection_closed() { return make_error_code(errc::connection_closed); }

class AdminLink {
 public:
  virtual ~AdminLink() = default;
  // Sends a request (msgpack `args` of packet `code`) and waits for the
  // answer frame: `answer_code` or an Error. not_connected() if the admin
  // cannot be reached, connection_closed() if the connection ends first.
  virtual Result<protocol::Frame> ask(std::uint16_t code, std::uint16_t answer_code,
                                      std::string args) = 0;
  // Sends a notification and waits until it is written to the socket or
  // the connection is closed: not_connected() is the only failure, as with
  // NEO/py's neoctl (a notification is not acknowledged; see notify()).
  virtual std::error_code notify(std::uint16_t code, std::string args) = 0;
};

// The admin at `address`; nothing is sent before the first request.
// `options` gives TLS and the packet observer (log).
std::unique_ptr<AdminLink> connect_admin(const net::Address& address,
                                         const net::ConnectionOptions& options);

}  // namespace neo::neoctl
