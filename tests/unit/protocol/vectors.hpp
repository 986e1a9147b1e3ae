// Access to the golden protocol vectors (tests/data/protocol)
// for the protocol tests: JSONL records, hex, and the JSON convention of
// the vectors (tests/data/README.md) turned into Value.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/protocol/value.hpp"

namespace neo::protocol::test {

// tests/data/protocol (fails the test, naming it, if it is missing).
std::string vector_dir();
// The JSON document of a file of that directory (fails the test if unreadable).
nlohmann::json read_json(std::string_view file);
// Every JSON line of a file of that directory (fails the test if unreadable).
std::vector<nlohmann::json> read_jsonl(std::string_view file);
// The four trace_*.jsonl file names.
std::vector<std::string> trace_files();

std::string unhex(std::string_view hex);
std::string to_hex(std::string_view bytes);

// The msgpack value described in the vectors' JSON convention.
Value value_from_json(const nlohmann::json& j);

}  // namespace neo::protocol::test
