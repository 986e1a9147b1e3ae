// tests/unit/importer/fs_corpus.hpp
// The FileStorage samples of tests/data/filestorage (written by ZODB) and
// their manifests (what ZODB reads back from them): see tests/data/README.md.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/util/ids.hpp"

namespace neo::importer::test {

// "small", "history", "features", "inprogress".
const std::vector<std::string>& corpus_names();
std::string corpus_file(const std::string& name);  // its .fs path
nlohmann::json corpus_manifest(const std::string& name);
// 16 hex digits, as the manifests write oids and tids.
std::string hex64(std::uint64_t value);
std::uint64_t from_hex64(const nlohmann::json& text);
// Lowercase hex of the SHA-1 of `data`, or "" for no data (JSON null).
std::string sha1_hex(const std::optional<std::string>& data);
std::string json_text(const nlohmann::json& value);  // a string, or "" for null

}  // namespace neo::importer::test
