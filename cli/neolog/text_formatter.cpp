#include "cli/neolog/text_formatter.hpp"

#include <algorithm>

namespace neo::neolog {
namespace {

std::string_view color_of(std::string_view level) {
  if (level == "DEBUG") return "34";
  if (level == "INFO") return "32";
  if (level == "WARNING") return "33";
  if (level == "ERROR") return "31";
  if (level == "CRITICAL") return "31;01";
  return {};
}

std::size_t code_points(std::string_view s) {
  std::size_t n = 0;
  for (const char c : s) n += (static_cast<unsigned char>(c) & 0xc0) != 0x80;
  return n;
}

}  // namespace

std::string level_name(std::int64_t level) {
  switch (level) {
    case 50:
      return "CRITICAL";
    case 40:
      return "ERROR";
    case 30:
      return "WARNING";
    case 20:
      return "INFO";
    case 10:
      return "DEBUG";
    case 0:
      return "NOTSET";
  }
  return "Level " + std::to_string(level);
}

void append_padded(std::string& out, std::string_view s, std::size_t width) {
  out += s;
  const std::size_t n = code_points(s);
  if (n < width) out.append(width - n, ' ');
}

void append_msg_id(std::string& out, std::int64_t msg_id) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += "#0x";
  std::uint64_t v = msg_id < 0 ? 0 - static_cast<std::uint64_t>(msg_id) : msg_id;
  char digits[16];
  int n = 0;
  do {
    digits[n++] = kHex[v & 15];
    v >>= 4;
  } while (v);
  int width = 4;
  if (msg_id < 0) {
    out += '-';
    --width;
  }
  for (int i = n; i < width; ++i) out += '0';
  while (n) out += digits[--n];
}

TextFormatter::TextFormatter(TextOptions options, Output& out)
    : options_(std::move(options)),
      out_(out),
      date_(options_.date_format),
      describer_(options_.decode) {}

bool TextFormatter::selected(const std::string& node) const {
  return options_.nodes.empty() ||
         std::find(options_.nodes.begin(), options_.nodes.end(), node) != options_.nodes.end();
}

void TextFormatter::append_prefix(std::string& out, const Record& r, std::string_view level) {
  date_.append(out, r.date);
  if (!options_.color) {
    append_padded(out, level, 9);
    out += ' ';
  }
  if (options_.node_column) {
    append_padded(out, *r.node, 10);
    out += ' ';
  }
}

void TextFormatter::write(const Record& r) {
  if (!selected(*r.node)) return;
  std::string& out = out_.buffer();
  prefix_.clear();
  if (r.kind == Record::Kind::Log) {
    const std::string level = level_name(r.level);
    append_prefix(prefix_, r, level);
    const std::string_view color = options_.color ? color_of(level) : std::string_view{};
    for_each_line(r.msg, [&](std::string_view line) {
      if (color.empty()) {
        out += prefix_;
        out += line;
        out += '\n';
      } else {
        out += "\x1b[";
        out += color;
        out += 'm';
        out += prefix_;
        out += line;
        out += "\x1b[39;49;0m\n";
      }
    });
  } else {
    append_prefix(prefix_, r, "PACKET");
    const PacketText& packet = describer_.text_of(r.code, r.body);
    out += prefix_;
    append_msg_id(out, r.msg_id);
    out += ' ';
    append_padded(out, packet.name, 30);
    out += ' ';
    out += r.peer;
    if (!packet.args.empty()) {
      out += " \t| ";
      out += packet.args;
    }
    out += '\n';
    for (const std::string& line : packet.extra) {
      out += prefix_;
      out += line;
      out += '\n';
    }
  }
  out_.maybe_flush();
}

}  // namespace neo::neolog
