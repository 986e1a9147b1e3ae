// neolog's command line (CLI11), upstream neolog's options plus --until,
// --level, --packet and --json. See man/neolog.1.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace neo::neolog {

struct Options {
  bool all = false;         // -a
  bool decompress = false;  // -A
  bool color = false;       // -c
  bool has_date_format = false;
  std::string date_format;           // -d (may be empty: no date column)
  bool follow = false;               // -f
  std::vector<int> flush_pids;       // -F
  std::vector<std::string> nodes;    // -n
  double sleep_interval = 1.0;       // -s
  std::string from, until, level;    // --from, --until, --level ("" = not given)
  std::vector<std::string> packets;  // --packet
  bool json = false;
  bool cluster = false;  // -C
  bool no_nid = false;   // -N
  std::vector<std::string> files;
};

// Parses argv. Returns -1 to go on, else the exit status (0 after --help,
// printed on `out`; 2 after a usage error, printed on `err`).
int parse_options(int argc, const char* const* argv, Options& options, std::ostream& out,
                  std::ostream& err);

}  // namespace neo::neolog
