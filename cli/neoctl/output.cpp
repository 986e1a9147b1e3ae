#include "cli/neoctl/output.hpp"

#include <cstdio>

namespace neo::neoctl {
namespace {

std::string hex(std::uint64_t value) {
  char text[24];
  std::snprintf(text, sizeof text, "0x%llx", static_cast<unsigned long long>(value));
  return text;
}

std::string ptid_text(std::optional<std::int64_t> ptid) {
  return ptid ? std::to_string(*ptid) : "None";
}

std::string last_tid_lines(Tid last_tid, std::optional<std::int64_t> ptid) {
  return "\nlast_tid = " + hex(last_tid.value) + " (" + datetime_from_tid(last_tid) +
         ")\nlast_ptid = " + ptid_text(ptid);
}

void append_u_escape(std::string& out, unsigned unit) {
  char text[16];
  std::snprintf(text, sizeof text, "\\u%04x", unit);
  out += text;
}

// Decodes one UTF-8 sequence at `text[i]`; invalid bytes stand for
// themselves (U+0080..U+00FF), as Python's surrogateescape would not help.
char32_t next_code_point(std::string_view text, std::size_t& i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char first = byte(i);
  int length = first < 0x80         ? 1
               : (first >> 5) == 6  ? 2
               : (first >> 4) == 14 ? 3
               : (first >> 3) == 30 ? 4
                                    : 0;
  if (length == 0 || i + length > text.size()) return byte(i++);
  char32_t cp = length == 1 ? first : first & (0x7f >> length);
  for (int k = 1; k < length; ++k) {
    if ((byte(i + k) >> 6) != 2) return byte(i++);
    cp = (cp << 6) | (byte(i + k) & 0x3f);
  }
  i += length;
  return cp;
}

std::string json_list(const std::vector<std::optional<std::string>>& names) {
  std::string out = "[";
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i) out += ", ";
    out += names[i] ? json_string(*names[i]) : "null";
  }
  return out + "]";
}

}  // namespace

std::string format_ids(Oid last_oid, Tid last_tid, std::optional<std::int64_t> ptid) {
  return "last_oid = " + hex(last_oid.value) + last_tid_lines(last_tid, ptid);
}

std::string format_backup_ids(Tid backup_tid, Tid last_tid, std::optional<std::int64_t> ptid) {
  return "backup_tid = " + hex(backup_tid.value) + " (" + datetime_from_tid(backup_tid) + ")" +
         last_tid_lines(last_tid, ptid);
}

std::string json_string(std::string_view utf8) {
  std::string out = "\"";
  for (std::size_t i = 0; i < utf8.size();) {
    const char32_t cp = next_code_point(utf8, i);
    switch (cp) {
      case '"':
        out += "\\\"";
        continue;
      case '\\':
        out += "\\\\";
        continue;
      case '\n':
        out += "\\n";
        continue;
      case '\r':
        out += "\\r";
        continue;
      case '\t':
        out += "\\t";
        continue;
      case '\b':
        out += "\\b";
        continue;
      case '\f':
        out += "\\f";
        continue;
      default:
        break;
    }
    if (cp >= 0x20 && cp < 0x7f) {
      out += static_cast<char>(cp);
    } else if (cp < 0x10000) {
      append_u_escape(out, static_cast<unsigned>(cp));
    } else {
      const char32_t v = cp - 0x10000;
      append_u_escape(out, 0xd800 | static_cast<unsigned>(v >> 10));
      append_u_escape(out, 0xdc00 | static_cast<unsigned>(v & 0x3ff));
    }
  }
  return out + "\"";
}

std::string format_summary(const std::vector<std::optional<std::string>>& warning,
                           const std::vector<std::optional<std::string>>& problem,
                           std::string_view summary) {
  std::string json = "{";
  if (!warning.empty()) json += "\"warning\": " + json_list(warning);
  if (!problem.empty()) {
    if (!warning.empty()) json += ", ";
    json += "\"problem\": " + json_list(problem);
  }
  return "# " + json + "}\n" + std::string(summary);
}

}  // namespace neo::neoctl
