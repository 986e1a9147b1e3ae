// neolog: prints NEO log files (SQLite databases written by NEO nodes) as
// text, byte-exact with upstream NEO/py's neolog, much faster. The whole
// tool is this call, so tests run it in-process; main.cpp only calls it.
#pragma once

#include <ostream>

namespace neo::neolog {

// Runs neolog with argv (argv[0] is the program name). Records go to
// `out`, messages to `err`. Returns the exit status: 0 ok, 1 something
// could not be read or shown (missing or damaged file, bad rows, output
// closed), 2 bad usage.
int run_neolog(int argc, const char* const* argv, std::ostream& out, std::ostream& err);

}  // namespace neo::neolog
