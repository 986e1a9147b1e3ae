// cli/neomigrate/options.hpp
// neomigrate's command line, NEO/py's plus --timeout:
//   neomigrate [-h] [-l LOGFILE] [--ca CA] [--cert CERT] [--key KEY] -c CLUSTER [-q]
//              [--timeout SECONDS] SOURCE DESTINATION
// Parsing only (CLI11); no I/O.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace neo::neomigrate {

struct Options {
  std::string logfile;        // -l/--logfile: SQLite log of the client; "" = none
  std::string ca, cert, key;  // TLS files, all three or none
  std::string cluster;        // -c/--cluster (required)
  bool quiet = false;         // -q/--quiet: nothing on standard output
  double timeout = 60;        // --timeout: seconds to wait for the cluster
  std::string source, destination;
};

// Registers the options on `app`.
void add_options(CLI::App& app, Options& options);
// Checks the combination after parsing; returns an error message or "".
std::string validate(const Options& options);

}  // namespace neo::neomigrate
