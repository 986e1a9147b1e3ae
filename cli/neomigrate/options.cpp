// neomigrate's command line.
#include "cli/neomigrate/options.hpp"

namespace neo::neomigrate {

void add_options(CLI::App& app, Options& options) {
  app.description("NEO <-> FileStorage conversion tool");
  app.add_option("-l,--logfile", options.logfile,
                 "log debugging information to specified SQLite DB");
  app.add_option("--ca", options.ca, "certificate authority in PEM format");
  app.add_option("--cert", options.cert, "certificate in PEM format");
  app.add_option("--key", options.key, "private key in PEM format");
  app.add_option("-c,--cluster", options.cluster, "the NEO cluster name")->required();
  app.add_flag("-q,--quiet", options.quiet, "print nothing to standard output");
  app.add_option("--timeout", options.timeout,
                 "seconds to wait for the cluster (connection and each request; default 60)");
  app.add_option("source", options.source,
                 "the source database: a FileStorage file, or the NEO master addresses")
      ->required();
  app.add_option("destination", options.destination,
                 "the destination database: the NEO master addresses, or a new FileStorage file")
      ->required();
}

std::string validate(const Options& options) {
  const int tls = !options.ca.empty() + !options.cert.empty() + !options.key.empty();
  if (tls != 0 && tls != 3) return "--ca, --cert and --key go together";
  if (options.cluster.empty()) return "the cluster name (-c) must not be empty";
  if (!(options.timeout > 0)) return "--timeout must be positive";
  return "";
}

}  // namespace neo::neomigrate
