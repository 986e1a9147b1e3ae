// importer/importer_config.hpp
// importer.conf, as NEO/py's Importer backend reads it (an INI file): the
// first section is the destination (adapter, database, engine, wait,
// compress, writeback), each other section a source database whose
// `storage` is a ZConfig block; only <filestorage> is supported. Several
// sources (mount points, `oid`) are refused for now: merging databases
// needs their pickles rewritten. Startup code: errors are config::Error
// naming the file, and the line when there is one.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/config/ini_file.hpp"

namespace neo::importer {

struct ImporterSource {
  std::string name;  // the section
  std::string path;  // the FileStorage file
};

struct ImporterConfig {
  std::string adapter = "MySQL";
  std::string database;
  std::string engine;
  double wait = 0;
  std::optional<int> compress_level = -1;  // zlib level (-1: default); nullopt: no compression
  bool writeback = false;
  std::vector<ImporterSource> sources;
};

ImporterConfig load_importer_config(const std::string& path);
ImporterConfig importer_config(const config::IniFile& ini);

// The path of a ZConfig <filestorage> block ("path VALUE" inside it).
// config::Error for another storage type or a block without a path.
std::string filestorage_path(const std::string& zconfig, const std::string& where);

}  // namespace neo::importer
