#include "core/config/ini_file.hpp"

#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace neo::config {
namespace {

constexpr int kMaxInterpolationDepth = 10;

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

std::string_view strip(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string quoted(std::string_view s) { return "'" + std::string(s) + "'"; }

}  // namespace

std::string IniFile::Entry::value() const {
  std::string out;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (i) out += '\n';
    out += lines[i];
  }
  while (!out.empty() && is_space(out.back())) out.pop_back();
  return out;
}

IniFile IniFile::parse(std::string_view text, std::string filename) {
  IniFile ini;
  ini.filename_ = std::move(filename);
  auto fail = [&](int lineno, const std::string& what) -> Error {
    return Error(ini.filename_ + ":" + std::to_string(lineno) + ": " + what);
  };
  Section* current = nullptr;  // re-found after each insertion (vector may grow)
  std::optional<std::size_t> current_index;  // nullopt with current = defaults
  std::string option;  // key whose value continuation lines extend
  std::size_t indent_level = 0;
  int lineno = 0;
  while (!text.empty()) {
    ++lineno;
    std::size_t eol = text.find('\n');
    std::string_view line = text.substr(0, eol);
    text.remove_prefix(eol == std::string_view::npos ? text.size() : eol + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (lineno == 1 && line.starts_with("\xef\xbb\xbf")) line.remove_prefix(3);  // UTF-8 BOM
    if (current_index) current = &ini.sections_[*current_index];

    std::string_view value = strip(line);
    bool comment = value.starts_with('#') || value.starts_with(';');
    if (comment || value.empty()) {
      // A blank line inside a value is kept (as Python's empty_lines_in_values).
      if (!comment && current && !option.empty()) current->entries[option].lines.emplace_back();
      continue;
    }
    std::size_t indent = static_cast<std::size_t>(
        std::find_if(line.begin(), line.end(), [](char c) { return !is_space(c); }) - line.begin());
    if (current && !option.empty() && indent > indent_level) {
      current->entries[option].lines.emplace_back(value);
      continue;
    }
    indent_level = indent;
    if (std::size_t close = value.rfind(']'); value.starts_with('[') && close != std::string_view::npos &&
                                              close > 1) {
      std::string name(value.substr(1, close - 1));
      option.clear();
      if (name == kDefaultSection) {
        current = &ini.defaults_;
        current_index.reset();
        continue;
      }
      auto it = std::find_if(ini.sections_.begin(), ini.sections_.end(),
                             [&](const Section& s) { return s.name == name; });
      if (it == ini.sections_.end()) {
        ini.sections_.push_back(Section{name, {}, {}});
        it = ini.sections_.end() - 1;
      }
      current_index = static_cast<std::size_t>(it - ini.sections_.begin());
      current = &*it;
      continue;
    }
    if (!current)
      throw fail(lineno, "file contains no section headers: " + quoted(line));
    std::size_t delim = value.find_first_of("=:");
    if (delim == std::string_view::npos)
      throw fail(lineno, "expected 'key = value' or 'key: value', got " + quoted(line));
    std::string key = lower(strip(value.substr(0, delim)));
    if (key.empty()) throw fail(lineno, "missing key before '" + std::string(1, value[delim]) + "'");
    Entry& entry = current->entries[key];
    if (entry.line == 0) current->order.push_back(key);
    entry.lines = {std::string(strip(value.substr(delim + 1)))};
    entry.line = lineno;
    option = key;
  }
  return ini;
}

IniFile IniFile::load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error("cannot read configuration file " + quoted(path));
  std::ostringstream text;
  text << in.rdbuf();
  return parse(text.str(), path);
}

std::vector<std::string> IniFile::sections() const {
  std::vector<std::string> out;
  for (const Section& s : sections_) out.push_back(s.name);
  return out;
}

bool IniFile::has_section(std::string_view section) const {
  return std::any_of(sections_.begin(), sections_.end(),
                     [&](const Section& s) { return s.name == section; });
}

const IniFile::Section* IniFile::find(std::string_view section) const {
  if (section == kDefaultSection) return &defaults_;
  for (const Section& s : sections_)
    if (s.name == section) return &s;
  throw Error(filename_ + ": no section [" + std::string(section) + "]");
}

std::vector<std::string> IniFile::keys(std::string_view section) const {
  const Section* s = find(section);
  std::vector<std::string> out = s->order;
  for (const std::string& key : defaults_.order)
    if (!s->entries.contains(key)) out.push_back(key);
  return out;
}

const IniFile::Entry* IniFile::entry(std::string_view section, std::string_view key) const {
  const Section* s = find(section);
  std::string k = lower(key);
  if (auto it = s->entries.find(k); it != s->entries.end()) return &it->second;
  if (auto it = defaults_.entries.find(k); it != defaults_.entries.end()) return &it->second;
  return nullptr;
}

std::optional<std::string> IniFile::get_raw(std::string_view section, std::string_view key) const {
  const Entry* e = entry(section, key);
  if (!e) return std::nullopt;
  return e->value();
}

int IniFile::line_of(std::string_view section, std::string_view key) const {
  const Entry* e = entry(section, key);
  return e ? e->line : 0;
}

std::optional<std::string> IniFile::get(std::string_view section, std::string_view key) const {
  std::optional<std::string> raw = get_raw(section, key);
  if (!raw) return raw;
  std::string out;
  interpolate(section, key, *raw, 1, out);
  return out;
}

// Python's BasicInterpolation: "%%" is '%', "%(name)s" the value of `name`
// in the same section (or [DEFAULT]), itself interpolated.
void IniFile::interpolate(std::string_view section, std::string_view key, std::string_view raw,
                          int depth, std::string& out) const {
  auto fail = [&](const std::string& what) -> Error {
    return Error(filename_ + ":" + std::to_string(line_of(section, key)) + ": [" +
                 std::string(section) + "] " + std::string(key) + ": " + what);
  };
  if (depth > kMaxInterpolationDepth) throw fail("interpolation too deeply recursive");
  while (!raw.empty()) {
    std::size_t p = raw.find('%');
    out += raw.substr(0, p);
    if (p == std::string_view::npos) return;
    raw.remove_prefix(p);
    if (raw.starts_with("%%")) {
      out += '%';
      raw.remove_prefix(2);
    } else if (raw.starts_with("%(")) {
      std::size_t close = raw.find(')');
      if (close == std::string_view::npos || close == 2 || close + 1 >= raw.size() ||
          raw[close + 1] != 's')
        throw fail("bad interpolation variable reference " + quoted(raw));
      std::string name = lower(raw.substr(2, close - 2));
      raw.remove_prefix(close + 2);
      const Entry* e = entry(section, name);
      if (!e) throw fail("no key " + quoted(name) + " to interpolate");
      interpolate(section, key, e->value(), depth + 1, out);
    } else {
      throw fail("'%' must be followed by '%' or '(', found: " + quoted(raw));
    }
  }
}

std::optional<bool> IniFile::get_bool(std::string_view section, std::string_view key) const {
  std::optional<std::string> value = get(section, key);
  if (!value) return std::nullopt;
  try {
    return parse_bool(*value);
  } catch (const Error& e) {
    throw Error(filename_ + ":" + std::to_string(line_of(section, key)) + ": " + std::string(key) +
                ": " + e.what());
  }
}

bool parse_bool(std::string_view text) {
  std::string v = lower(text);
  if (v == "1" || v == "yes" || v == "true" || v == "on") return true;
  if (v == "0" || v == "no" || v == "false" || v == "off") return false;
  throw Error("Not a boolean: " + std::string(text));
}

std::string expand_user(std::string_view path) {
  if (!path.starts_with('~')) return std::string(path);
  std::size_t slash = path.find('/');
  std::string_view user = path.substr(1, slash == std::string_view::npos ? path.npos : slash - 1);
  std::string home;
  if (user.empty()) {
    if (const char* env = std::getenv("HOME")) {
      home = env;
    } else if (const passwd* pw = getpwuid(getuid())) {
      home = pw->pw_dir;
    }
  } else if (const passwd* pw = getpwnam(std::string(user).c_str())) {
    home = pw->pw_dir;
  }
  if (home.empty()) return std::string(path);  // unknown user: unchanged
  while (home.size() > 1 && home.back() == '/') home.pop_back();
  std::string rest = slash == std::string_view::npos ? "" : std::string(path.substr(slash));
  if (home == "/" && !rest.empty()) return rest;
  return home + rest;
}

}  // namespace neo::config
