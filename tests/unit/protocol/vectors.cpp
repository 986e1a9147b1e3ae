#include "tests/unit/protocol/vectors.hpp"

#include <bit>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "tests/support/test_data.hpp"

namespace neo::protocol::test {

std::string vector_dir() {
  const std::filesystem::path dir = neo::test::test_data_dir() / "protocol";
  if (!std::filesystem::is_directory(dir)) FAIL("missing test data directory " << dir.string());
  return dir.string();
}

nlohmann::json read_json(std::string_view file) {
  const std::string path = vector_dir() + "/" + std::string(file);
  std::ifstream in(path);
  if (!in) FAIL("cannot read test data file " << path);
  return nlohmann::json::parse(in);
}

std::vector<nlohmann::json> read_jsonl(std::string_view file) {
  const std::string path = vector_dir() + "/" + std::string(file);
  std::ifstream in(path);
  if (!in) FAIL("cannot read test data file " << path);
  std::vector<nlohmann::json> records;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) records.push_back(nlohmann::json::parse(line));
  }
  return records;
}

std::vector<std::string> trace_files() {
  return {"trace_client_session.jsonl", "trace_master_cluster_setup.jsonl",
          "trace_storage_joining.jsonl", "trace_storage_serving.jsonl"};
}

std::string unhex(std::string_view hex) {
  REQUIRE(hex.size() % 2 == 0);
  std::string out;
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

std::string to_hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

Value value_from_json(const nlohmann::json& j) {
  if (j.is_null()) return Value::nil();
  if (j.is_boolean()) return Value::boolean(j.get<bool>());
  if (j.is_number_unsigned()) return Value::uinteger(j.get<std::uint64_t>());
  if (j.is_number_integer()) return Value::integer(j.get<std::int64_t>());
  if (j.is_array()) {
    Value::Array items;
    for (const auto& item : j) items.push_back(value_from_json(item));
    return Value::array(std::move(items));
  }
  REQUIRE(j.is_object());
  if (j.contains("bin")) return Value::bin(unhex(j["bin"].get<std::string>()));
  if (j.contains("str")) return Value::str(j["str"].get<std::string>());
  if (j.contains("float")) {
    const std::uint64_t bits = std::stoull(j["bits"].get<std::string>(), nullptr, 16);
    return Value::float64(std::bit_cast<double>(bits));
  }
  if (j.contains("enum"))
    return Value::ext(j["ext"].get<std::int8_t>(), j["value"].get<std::int64_t>());
  REQUIRE(j.contains("map"));
  Value::Map pairs;
  for (const auto& pair : j["map"])
    pairs.emplace_back(value_from_json(pair[0]), value_from_json(pair[1]));
  return Value::map(std::move(pairs));
}

}  // namespace neo::protocol::test
