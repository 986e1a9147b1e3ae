// cli/neomigrate/neomigrate.hpp
// neomigrate: copies every transaction of a ZODB FileStorage into a NEO
// cluster, or of a NEO cluster into a new FileStorage, keeping tids,
// metadata, oids, data, deletions and (beyond NEO/py's neomigrate) undo
// information: backpointers stay backpointers. The whole tool is this call,
// so tests run it in-process; main.cpp only calls it.
#pragma once

#include <ostream>

namespace neo::neomigrate {

// Exit statuses (man/neomigrate.1, EXIT STATUS).
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;   // stopped midway: the destination is incomplete
inline constexpr int kExitUsage = 2;    // bad command line
inline constexpr int kExitRefused = 3;  // nothing written: see the message

// Runs neomigrate with argv (argv[0] is the program name). Messages and
// progress go to `out` (a progress bar if `out` is std::cout on a
// terminal, plain lines otherwise; nothing with -q), errors to `err`.
int run_neomigrate(int argc, const char* const* argv, std::ostream& out, std::ostream& err);

}  // namespace neo::neomigrate
