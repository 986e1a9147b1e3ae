// cli/neoctl/options.hpp
// neoctl's command line, parsed as NEO/py's neoctl does with Python's
// argparse (same help text, same error messages, exit status 2):
//   neoctl [-h] [-l LOGFILE] [--ca CA] [--cert CERT] [--key KEY] [-a ADDRESS] ...
// Options come first; the first other word starts the command, which takes
// every following word. Long options may be abbreviated (--addr), values
// may be attached (-a127.0.0.1, --address=...). Pure: no I/O.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace neo::neoctl {

struct Options {
  std::string address = "127.0.0.1:9999";  // -a/--address, not parsed yet
  std::string logfile;                     // -l/--logfile, "~" expanded; "" = none
  std::string ca, cert, key;               // TLS files, "~" expanded; "" = not given
  std::vector<std::string> command;        // the command and its arguments
};

struct ParsedOptions {
  Options options;
  bool help = false;  // -h/--help: print kHelpText, exit 0
  std::string error;  // non-empty: print kUsageText + "neoctl: error: " + error, exit 2
};

ParsedOptions parse_options(std::span<const std::string> args);

// argparse's usage lines (with their final newline) and --help text.
extern const std::string_view kUsageText;
extern const std::string_view kHelpText;

}  // namespace neo::neoctl
