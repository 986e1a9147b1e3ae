// importer/importer_config.cpp
#include "importer/importer_config.hpp"

#include <algorithm>
#include <cctype>
#include <sstream>

#include "core/config/ini_file.hpp"

namespace neo::importer {
namespace {

std::string trim(std::string_view text) {
  auto blank = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
  while (!text.empty() && blank(text.front())) text.remove_prefix(1);
  while (!text.empty() && blank(text.back())) text.remove_suffix(1);
  return std::string(text);
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return char(std::tolower(c)); });
  return text;
}

// NEO/py's `compress`: true, false, zlib or zlib=LEVEL.
std::optional<int> parse_compress(const std::string& value, const std::string& where) {
  if (value == "true" || value == "zlib") return -1;
  if (value == "false") return std::nullopt;
  if (value.starts_with("zlib=")) {
    std::string level = value.substr(5);
    if (level.size() == 1 && level[0] >= '1' && level[0] <= '9') return level[0] - '0';
  }
  throw config::Error(where + ": invalid compress value '" + value +
                      "' (true, false, zlib or zlib=1..9)");
}

bool parse_true_false(const std::string& value, const std::string& where) {
  if (value == "true") return true;
  if (value == "false") return false;
  throw config::Error(where + ": '" + value + "' is neither true nor false");
}

}  // namespace

std::string filestorage_path(const std::string& zconfig, const std::string& where) {
  std::istringstream lines(zconfig);
  std::string line, path;
  bool inside = false, seen = false;
  while (std::getline(lines, line)) {
    std::string text = trim(line);
    if (text.empty() || text[0] == '#') continue;
    std::string key = lower(text.substr(0, text.find_first_of(" \t>")));
    if (!inside && key == "<filestorage") {
      inside = seen = true;
    } else if (inside && key == "</filestorage") {
      inside = false;
    } else if (!inside && text[0] == '<') {
      throw config::Error(where + ": storage " + text +
                          " is not supported: the Importer reads FileStorage only "
                          "(<filestorage> path ... </filestorage>)");
    } else if (inside && key == "path") {
      path = config::expand_user(trim(text.substr(4)));
    } else if (inside && key == "blob-dir") {
      throw config::Error(where + ": blob-dir: blobs are not supported by NEO");
    }
  }
  if (!seen) throw config::Error(where + ": no <filestorage> block in 'storage'");
  if (path.empty()) throw config::Error(where + ": the <filestorage> block has no path");
  return path;
}

ImporterConfig importer_config(const config::IniFile& ini) {
  const std::string& filename = ini.filename();
  std::vector<std::string> sections = ini.sections();
  if (sections.size() < 2)
    throw config::Error(filename +
                        ": needs a destination section, then at least one source section");
  ImporterConfig out;
  const std::string& main = sections.front();
  auto where = [&](const std::string& section, const std::string& key) {
    return filename + ":" + std::to_string(ini.line_of(section, key)) + ": [" + section + "] " +
           key;
  };
  if (auto v = ini.get(main, "adapter")) out.adapter = *v;
  if (auto v = ini.get(main, "database")) out.database = *v;
  if (out.database.empty()) throw config::Error(filename + ": [" + main + "] needs 'database'");
  if (auto v = ini.get(main, "engine")) out.engine = *v;
  if (auto v = ini.get(main, "wait")) out.wait = std::stod(*v);
  if (auto v = ini.get(main, "compress"))
    out.compress_level = parse_compress(*v, where(main, "compress"));
  if (auto v = ini.get(main, "writeback"))
    out.writeback = parse_true_false(*v, where(main, "writeback"));
  for (auto it = sections.begin() + 1; it != sections.end(); ++it) {
    for (const std::string& key : ini.keys(*it))
      if (key != "storage")
        throw config::Error(where(*it, key) +
                            ": several databases (mount points, oid) are not supported yet: "
                            "import one database per cluster");
    std::optional<std::string> storage = ini.get(*it, "storage");
    if (!storage) throw config::Error(filename + ": [" + *it + "] needs 'storage'");
    out.sources.push_back({.name = *it, .path = filestorage_path(*storage, where(*it, "storage"))});
  }
  if (out.sources.size() > 1)
    throw config::Error(filename + ": several source databases are not supported yet");
  return out;
}

ImporterConfig load_importer_config(const std::string& path) {
  return importer_config(config::IniFile::load(path));
}

}  // namespace neo::importer
