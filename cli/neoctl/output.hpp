// cli/neoctl/output.hpp
// Texts of neoctl's answers that are not a partition table or a node list
// (those are core/pt/format.hpp and core/node/node_manager.hpp), byte for
// byte as NEO/py's neoctl prints them. Pure functions, no final newline.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/util/ids.hpp"

namespace neo::neoctl {

// print ids: "last_oid = 0x64\nlast_tid = 0x40d2dc5769f7661 (2026-11-22
// 03:49:27.802242)\nlast_ptid = 15" ("None" for an absent ptid).
std::string format_ids(Oid last_oid, Tid last_tid, std::optional<std::int64_t> ptid);
// print ids of a backup cluster: "backup_tid = 0x.. (date)" instead of last_oid.
std::string format_backup_ids(Tid backup_tid, Tid last_tid, std::optional<std::int64_t> ptid);

// print summary: "# " + Python's json.dumps of {"warning": [...], "problem":
// [...]} (empty lists omitted, null for this cluster), a newline, the summary.
std::string format_summary(const std::vector<std::optional<std::string>>& warning,
                           const std::vector<std::optional<std::string>>& problem,
                           std::string_view summary);

// A Python json.dumps string (ensure_ascii): quotes, escapes, \uXXXX.
std::string json_string(std::string_view utf8);

}  // namespace neo::neoctl
