// core/pt/format.hpp
// neoctl's renderings of a partition table (`print pt`, `tweak`), as
// NEO/py's neoctl prints them from AnswerPartitionList / AnswerNodeList.
// Pure functions: no I/O, no logging.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "core/protocol/packets.hpp"
#include "core/pt/partition_table.hpp"

namespace neo::pt {

// The matrix: one line per storage ("S1 R UUO."), for the nodes having
// cells and the RUNNING storages of `storages` (AnswerNodeList(STORAGE)),
// ascending ids; with more than 10 partitions, a first line marks every
// 10th partition ("             10v"). Node state letters come from
// `storages` ('U' for a node missing there). Lines joined by '\n', no
// final newline; empty if there is no node.
std::string format_matrix(const protocol::RowList& rows,
                          std::span<const protocol::NodeInfo> storages);

// One line per partition, numbered from `min_offset`:
// "000 | S1 - UP_TO_DATE | S2 - OUT_OF_DATE |". Joined by '\n'.
std::string format_rows(const protocol::RowList& rows, std::int64_t min_offset);

// The whole `neoctl print pt [min [max [node]]]` output (no final newline):
// "# ptid: 14, replicas: 1" ("None" without table), then the rows when a
// range was given (min or max non-zero), else the matrix.
std::string format_print_pt(std::optional<Ptid> ptid, std::int64_t num_replicas,
                            const protocol::RowList& rows, std::int64_t min_offset,
                            std::int64_t max_offset, std::span<const protocol::NodeInfo> storages);

}  // namespace neo::pt
