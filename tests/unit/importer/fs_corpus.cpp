// tests/unit/importer/fs_corpus.cpp
#include "tests/unit/importer/fs_corpus.hpp"

#include <fstream>

#include "core/util/record_data.hpp"
#include "tests/support/test_data.hpp"

namespace neo::importer::test {

const std::vector<std::string>& corpus_names() {
  static const std::vector<std::string> names{"small", "history", "features", "inprogress"};
  return names;
}

std::string corpus_file(const std::string& name) {
  return (neo::test::test_data_dir() / "filestorage" / (name + ".fs")).string();
}

nlohmann::json corpus_manifest(const std::string& name) {
  std::ifstream in(neo::test::test_data_dir() / "filestorage" / (name + ".manifest.json"));
  return nlohmann::json::parse(in);
}

std::string hex64(std::uint64_t value) { return hex(p64(value)); }

std::uint64_t from_hex64(const nlohmann::json& text) {
  return std::stoull(text.get<std::string>(), nullptr, 16);
}

std::string sha1_hex(const std::optional<std::string>& data) {
  return data ? hex(sha1(*data)) : std::string();
}

std::string json_text(const nlohmann::json& value) {
  return value.is_null() ? std::string() : value.get<std::string>();
}

}  // namespace neo::importer::test
