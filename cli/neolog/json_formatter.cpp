#include "cli/neolog/json_formatter.hpp"

#include <algorithm>

#include "cli/neolog/python_repr.hpp"

namespace neo::neolog {
namespace {

// Length of the valid UTF-8 sequence at s[i], 0 if invalid.
std::size_t utf8_length(std::string_view s, std::size_t i) {
  const std::size_t max = std::min<std::size_t>(4, s.size() - i);
  for (std::size_t n = 2; n <= max; ++n) {
    if (is_valid_utf8(s.substr(i, n))) return n;
  }
  return 0;
}

void append_member(std::string& out, std::string_view key) {
  out += ",\"";
  out += key;
  out += "\":";
}

}  // namespace

void append_json_string(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      const std::size_t n = utf8_length(s, i);
      if (n == 0) {
        out += "\xef\xbf\xbd";  // U+FFFD
        ++i;
      } else {
        out.append(s.substr(i, n));
        i += n;
      }
      continue;
    }
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c < 0x20 || c == 0x7f) {
      out += "\\u00";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
    ++i;
  }
  out += '"';
}

JsonFormatter::JsonFormatter(std::vector<std::string> nodes, DecodeLevel decode, Output& out)
    : nodes_(std::move(nodes)), out_(out), describer_(decode) {}

void JsonFormatter::write(const Record& r) {
  if (!nodes_.empty() && std::find(nodes_.begin(), nodes_.end(), *r.node) == nodes_.end()) return;
  std::string& out = out_.buffer();
  out += "{\"date\":";
  append_float_repr(out, r.date);
  append_member(out, "time");
  append_json_string(out, iso_local_time(r.date));
  append_member(out, "node");
  append_json_string(out, *r.node);
  append_member(out, "level");
  if (r.kind == Record::Kind::Log) {
    append_json_string(out, level_name(r.level));
    append_member(out, "pathname");
    append_json_string(out, r.pathname);
    append_member(out, "lineno");
    out += r.lineno ? std::to_string(*r.lineno) : "null";
    append_member(out, "msg");
    append_json_string(out, r.msg);
  } else {
    const PacketText& packet = describer_.text_of(r.code, r.body);
    out += "\"PACKET\"";
    append_member(out, "msg_id");
    out += std::to_string(r.msg_id);
    append_member(out, "code");
    out += std::to_string(r.code);
    append_member(out, "packet");
    append_json_string(out, packet.name);
    append_member(out, "peer");
    append_json_string(out, r.peer);
    if (!packet.args.empty()) {
      append_member(out, "args");
      append_json_string(out, packet.args);
    }
    if (!packet.extra.empty()) {
      append_member(out, "lines");
      out += '[';
      for (std::size_t i = 0; i < packet.extra.size(); ++i) {
        if (i) out += ',';
        append_json_string(out, packet.extra[i]);
      }
      out += ']';
    }
  }
  out += "}\n";
  out_.maybe_flush();
}

}  // namespace neo::neolog
