#include "cli/neoctl/context.hpp"

#include <utility>

namespace neo::neoctl {

Context::Context(std::ostream& out, std::ostream& err, LinkFactory make_link)
    : out_(out), err_(err), make_link_(std::move(make_link)) {}

int Context::print(std::string_view text) {
  out_ << text << '\n';
  return 0;
}

int Context::exit_with(std::string_view message) {
  err_ << message << '\n';
  return 1;
}

int Context::invalid(std::string_view what) {
  err_ << "neoctl: " << what << '\n';
  return 1;
}

AdminLink& Context::link() {
  if (!link_) link_ = make_link_();
  return *link_;
}

bool Context::report_link_error(std::error_code ec) {
  if (!ec) return true;
  // NEO/py's NotReadyException texts.
  exit_with(ec == not_connected() ? "ERROR: not connected" : "ERROR: Connection closed");
  return false;
}

int Context::malformed(std::string_view name) {
  return invalid("malformed " + std::string(name) + " received");
}

std::optional<protocol::Frame> Context::ask_frame(std::string_view name, std::uint16_t code,
                                                  std::uint16_t answer_code, std::string args,
                                                  bool ack_expected) {
  Result<protocol::Frame> frame = link().ask(code, answer_code, std::move(args));
  if (!report_link_error(frame.error())) return std::nullopt;
  if (frame->code != protocol::Error::kCode) return std::move(*frame);
  Result<protocol::Error> error = protocol::decode_args<protocol::Error>(frame->args);
  if (!error) {
    malformed(protocol::Error::kName);
    return std::nullopt;
  }
  switch (static_cast<errc>(error->code)) {
    case errc::denied:
      exit_with(error->message);
      return std::nullopt;
    case errc::not_ready:
      exit_with("ERROR: " + error->message);
      return std::nullopt;
    case errc::ack:
      if (ack_expected) return std::move(*frame);
      break;
    default:
      break;
  }
  const bool known = error->code >= 0 && error->code < kWireErrorCount;
  invalid(
      "unexpected answer to " + std::string(name) + ": " +
      (known ? errc_name(static_cast<errc>(error->code)) : "error " + std::to_string(error->code)) +
      (error->message.empty() ? "" : ": " + error->message));
  return std::nullopt;
}

}  // namespace neo::neoctl
