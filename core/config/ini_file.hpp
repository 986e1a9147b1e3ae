// INI configuration files read the way NEO/py reads them with Python's
// ConfigParser: sections "[name]", a [DEFAULT] section inherited by all
// others, "key: value" or "key = value", full-line comments starting with
// '#' or ';' (also indented), values continued on more-indented lines, keys
// case-insensitive, %(key)s interpolation with "%%" for a literal '%'.
// Unlike Python 3's strict mode, a key or section given twice is not an
// error: the later value wins (Python 2's behaviour, and Python 3's across
// files). Startup code: errors are exceptions naming the file and line.
#pragma once

#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace neo::config {

// A configuration problem found at startup; what() is the full message.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class IniFile {
 public:
  static constexpr std::string_view kDefaultSection = "DEFAULT";

  // Parses `text`; `filename` names it in error messages.
  static IniFile parse(std::string_view text, std::string filename = "<string>");
  // Reads and parses a file; Error if it cannot be read.
  static IniFile load(const std::string& path);

  const std::string& filename() const { return filename_; }
  // Sections in file order, without DEFAULT.
  std::vector<std::string> sections() const;
  bool has_section(std::string_view section) const;
  // Keys of `section` then those inherited from [DEFAULT], lowercase.
  // Error if the section does not exist.
  std::vector<std::string> keys(std::string_view section) const;
  // The value of `key` in `section` or [DEFAULT], interpolated; nullopt if
  // absent. Error if the section does not exist or interpolation fails.
  std::optional<std::string> get(std::string_view section, std::string_view key) const;
  // The value before interpolation.
  std::optional<std::string> get_raw(std::string_view section, std::string_view key) const;
  // get() as a boolean (see parse_bool); Error naming file and line if not one.
  std::optional<bool> get_bool(std::string_view section, std::string_view key) const;
  // Line where `key`'s value starts (0 if absent), for messages.
  int line_of(std::string_view section, std::string_view key) const;

 private:
  struct Entry {
    std::vector<std::string> lines;  // first line, then continuation lines
    int line = 0;
    std::string value() const;
  };
  struct Section {
    std::string name;
    std::vector<std::string> order;  // keys in file order
    std::map<std::string, Entry, std::less<>> entries;
  };

  const Section* find(std::string_view section) const;
  const Entry* entry(std::string_view section, std::string_view key) const;
  void interpolate(std::string_view section, std::string_view key, std::string_view raw,
                   int depth, std::string& out) const;

  std::string filename_;
  Section defaults_{std::string(kDefaultSection), {}, {}};
  std::vector<Section> sections_;
};

// Python's ConfigParser booleans: 1/yes/true/on and 0/no/false/off, in any
// case. Throws Error("Not a boolean: ...") otherwise.
bool parse_bool(std::string_view text);
// Expands a leading "~" or "~user" as Python's os.path.expanduser.
std::string expand_user(std::string_view path);

}  // namespace neo::config
