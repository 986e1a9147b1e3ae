// Access to the golden protocol vectors ($NEO_SHARED_DIR/vectors/protocol)
// for the protocol tests: JSONL records, hex, and the JSON convention of
// the vectors' README turned into Value.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/protocol/value.hpp"

namespace neo::protocol::test {

// $NEO_SHARED_DIR/vectors/protocol (fails the test if NEO_SHARED_DIR is unset).
std::string vector_dir();
// The JSON document of a file of that directory.
nlohmann::json read_json(std::string_view file);
// Every JSON line of a file of that directory.
std::vector<nlohmann::json> read_jsonl(std::string_view file);
// The four trace_*.jsonl file names.
std::vector<std::string> trace_files();

std::string unhex(std::string_view hex);
std::string to_hex(std::string_view bytes);

// The msgpack value described in the vectors' JSON convention.
Value value_from_json(const nlohmann::json& j);

}  // namespace neo::protocol::test
