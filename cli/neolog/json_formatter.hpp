// --json: one JSON object per record and per line, for scripts. Fields:
//   date (seconds since the epoch, full precision), time (ISO 8601 local),
//   node (the node column), level ("INFO"... or "PACKET");
//   log records: msg (the whole message), pathname, lineno;
//   packets: msg_id, code, packet (name), peer, args (Python repr of the
//   arguments, with -a/-A), lines (extra lines: Error, NotifyNodeInformation).
// Invalid UTF-8 in the log is replaced by U+FFFD.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "cli/neolog/text_formatter.hpp"

namespace neo::neolog {

// Appends `s` as a JSON string literal.
void append_json_string(std::string& out, std::string_view s);

class JsonFormatter : public RecordSink {
 public:
  JsonFormatter(std::vector<std::string> nodes, DecodeLevel decode, Output& out);
  void write(const Record& r) override;
  bool uses_body(std::int64_t code) const override { return describer_.uses_body(code); }

 private:
  std::vector<std::string> nodes_;
  Output& out_;
  PacketDescriber describer_;
};

}  // namespace neo::neolog
