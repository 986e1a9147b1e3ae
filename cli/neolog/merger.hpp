// Merging the records of several log files by date, in one pass, in
// upstream neolog's order: the file being shown goes on while its records
// are not newer than the next record of any other file. The records are
// formatted on a second thread (RecordPipeline), in the same order.
#pragma once

#include <csignal>
#include <vector>

#include "cli/neolog/log_reader.hpp"
#include "cli/neolog/text_formatter.hpp"

namespace neo::neolog {

// Writes the current records of `files` (each between begin_pass() and
// end_pass()) to `sink` until all are exhausted, `stop` becomes non-zero or
// `out` fails. Returns false if it stopped early.
bool merge_records(const std::vector<LogFile*>& files, RecordSink& sink, Output& out,
                   const volatile std::sig_atomic_t* stop);

}  // namespace neo::neolog
