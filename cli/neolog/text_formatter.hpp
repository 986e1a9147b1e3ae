// Rendering records as upstream neolog prints them: date column, level
// column (or ANSI colors with -c), node column, then the message lines, or
// a packet's lines. Byte-exact with upstream for the same records.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "cli/neolog/log_reader.hpp"
#include "cli/neolog/output.hpp"
#include "cli/neolog/packet_text.hpp"
#include "cli/neolog/time_format.hpp"

namespace neo::neolog {

// Receives the records of all files, in the order they must be shown.
class RecordSink {
 public:
  virtual ~RecordSink() = default;
  virtual void write(const Record& r) = 0;
  // What write() reads besides the other fields (a RecordPipeline copies
  // only that): a log record's pathname, a packet's body.
  virtual bool uses_pathname() const { return true; }
  virtual bool uses_body(std::int64_t /*code*/) const { return true; }
};

struct TextOptions {
  std::string date_format = "%F %T";  // "" hides the date column
  bool color = false;                 // -c
  bool node_column = true;            // false with -n -
  std::vector<std::string> nodes;     // -n: only these node columns
  DecodeLevel decode = DecodeLevel::Names;
};

// Python's logging.getLevelName(): "INFO", ..., "Level 25" if not standard.
std::string level_name(std::int64_t level);

// Calls f(line) for each line of `text` as Python's str.splitlines() cuts
// it (\n, \r, \r\n, \v, \f, \x1c-\x1e, U+0085, U+2028, U+2029; no final
// empty line).
template <class F>
void for_each_line(std::string_view text, F&& f);

// Appends `s` left-justified on `width` characters (code points), as "%-Ns".
void append_padded(std::string& out, std::string_view s, std::size_t width);

// Python's "#0x%04x" % msg_id.
void append_msg_id(std::string& out, std::int64_t msg_id);

class TextFormatter : public RecordSink {
 public:
  TextFormatter(TextOptions options, Output& out);
  void write(const Record& r) override;
  bool uses_pathname() const override { return false; }
  bool uses_body(std::int64_t code) const override { return describer_.uses_body(code); }

 private:
  bool selected(const std::string& node) const;
  void append_prefix(std::string& out, const Record& r, std::string_view level);

  TextOptions options_;
  Output& out_;
  DateColumn date_;
  PacketDescriber describer_;
  std::string prefix_;
  std::string color_start_;
};

// ---- implementation of the template ----

inline std::size_t line_break_at(std::string_view s, std::size_t i) {
  // Length of the line break starting at i (0 if none).
  const auto c = static_cast<unsigned char>(s[i]);
  switch (c) {
    case '\r':
      return i + 1 < s.size() && s[i + 1] == '\n' ? 2 : 1;
    case '\n':
    case '\v':
    case '\f':
    case 0x1c:
    case 0x1d:
    case 0x1e:
      return 1;
    case 0xc2:
      return i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0x85 ? 2 : 0;
    case 0xe2:
      return i + 2 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0x80 &&
                     (static_cast<unsigned char>(s[i + 2]) == 0xa8 ||
                      static_cast<unsigned char>(s[i + 2]) == 0xa9)
                 ? 3
                 : 0;
  }
  return 0;
}

template <class F>
void for_each_line(std::string_view text, F&& f) {
  std::size_t start = 0;
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    // Fast path: bytes that never start a line break.
    if (c >= 0x20 && c != 0xc2 && c != 0xe2) {
      ++i;
      continue;
    }
    const std::size_t n = line_break_at(text, i);
    if (n == 0) {
      ++i;
      continue;
    }
    f(text.substr(start, i - start));
    i += n;
    start = i;
  }
  if (start < text.size()) f(text.substr(start));
}

}  // namespace neo::neolog
