// cli/neoctl/context.hpp
// What a neoctl command works with: its output streams and the admin node.
// Failures are reported here with NEO/py neoctl's texts and exit statuses:
//   - DENIED answer: its message on stderr, status 1;
//   - NOT_READY answer: "ERROR: <message>", status 1;
//   - admin unreachable / connection lost: "ERROR: not connected" /
//     "ERROR: Connection closed", status 1;
//   - where upstream dies with a Python traceback (bad argument, other
//     error answers): one line "neoctl: <what>" on stderr, status 1.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "cli/neoctl/admin_link.hpp"
#include "cli/neoctl/storage_links.hpp"
#include "core/protocol/codec.hpp"
#include "core/protocol/packets.hpp"

namespace neo::neoctl {

class Context {
 public:
  // `make_link` opens the admin link when the first request is sent (as
  // upstream, a command failing on its arguments never connects).
  using LinkFactory = std::function<std::unique_ptr<AdminLink>()>;
  Context(std::ostream& out, std::ostream& err, LinkFactory make_link);

  // Opens the links to the storages for `check --wait` (connect_storages(),
  // or a fake in tests); without one, storage_links() returns null.
  using StorageLinksFactory =
      std::function<std::unique_ptr<StorageLinks>(const std::string& cluster)>;
  void set_storage_links(StorageLinksFactory make) { make_storage_links_ = std::move(make); }
  std::unique_ptr<StorageLinks> storage_links(const std::string& cluster) const {
    return make_storage_links_ ? make_storage_links_(cluster) : nullptr;
  }

  std::ostream& out() { return out_; }
  std::ostream& err() { return err_; }

  // Prints a command's result and a newline (Python's print(r)); returns 0.
  int print(std::string_view text);
  // sys.exit(message): the message and a newline on stderr; returns 1.
  int exit_with(std::string_view message);
  // Where upstream raises (traceback): "neoctl: <what>" on stderr; returns 1.
  int invalid(std::string_view what);
  // The exit status after a failed ask() / ack() / notify() (already reported).
  int failed() const { return 1; }

  // Sends a request and returns its answer; nullopt once a failure was reported.
  template <class P>
  std::optional<typename P::Answer> ask(const P& packet);
  // For requests answered by `Error ACK`: the message of the ACK.
  template <class P>
  std::optional<std::string> ack(const P& packet);
  // Sends a notification; false once a failure was reported.
  template <class P>
  bool notify(const P& packet);

 private:
  AdminLink& link();
  // The answer frame (expected answer, or Error ACK when `ack_expected`);
  // nullopt after reporting a local failure or another Error.
  std::optional<protocol::Frame> ask_frame(std::string_view name, std::uint16_t code,
                                           std::uint16_t answer_code, std::string args,
                                           bool ack_expected);
  bool report_link_error(std::error_code ec);
  int malformed(std::string_view name);

  std::ostream& out_;
  std::ostream& err_;
  LinkFactory make_link_;
  StorageLinksFactory make_storage_links_;
  std::unique_ptr<AdminLink> link_;
};

template <class P>
std::optional<typename P::Answer> Context::ask(const P& packet) {
  using A = typename P::Answer;
  static_assert(!std::is_same_v<A, protocol::Error>, "use ack()");
  std::optional<protocol::Frame> frame =
      ask_frame(P::kName, P::kCode, A::kCode, protocol::encode_args(packet), false);
  if (!frame) return std::nullopt;
  Result<A> answer = protocol::decode_args<A>(frame->args);
  if (!answer) {
    malformed(A::kName);
    return std::nullopt;
  }
  return std::move(*answer);
}

template <class P>
std::optional<std::string> Context::ack(const P& packet) {
  static_assert(std::is_same_v<typename P::Answer, protocol::Error>, "use ask()");
  std::optional<protocol::Frame> frame =
      ask_frame(P::kName, P::kCode, protocol::Error::kCode, protocol::encode_args(packet), true);
  if (!frame) return std::nullopt;
  Result<protocol::Error> error = protocol::decode_args<protocol::Error>(frame->args);
  if (!error) return std::nullopt;  // ask_frame checked it
  return std::move(error->message);
}

template <class P>
bool Context::notify(const P& packet) {
  return report_link_error(link().notify(P::kCode, protocol::encode_args(packet)));
}

}  // namespace neo::neoctl
