// neomigrate: the command line, the direction, the messages NEO/py prints.
#include "cli/neomigrate/neomigrate.hpp"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "cli/neomigrate/copy.hpp"
#include "cli/neomigrate/options.hpp"
#include "core/config/address.hpp"
#include "core/config/ini_file.hpp"
#include "core/log/log.hpp"
#include "core/log/protocol_text.hpp"
#include "core/protocol/python_description.hpp"

namespace neo::neomigrate {

namespace {

constexpr const char* kImportWarning =
    "WARNING: This is not the recommended way to import data to NEO: you should use the "
    "Importer backend instead.\n"
    "Unlike NEO/py's neomigrate, this one keeps undo information: backpointers are copied as "
    "such.";

// The console shows only critical records (errors are reported by the tool
// itself); with -l, every record goes to the log database at once.
void setup_logging(const std::string& logfile) {
  log::setup_tool("neomigrate", logfile,
                  [] { return log::compress_protocol(protocol::python_description()); });
}

// The master list of `text`, validated; "" and an error message if invalid.
std::vector<std::string> masters_of(const std::string& text, std::string& error) {
  std::vector<std::string> masters;
  try {
    for (const config::Address& address : config::parse_master_list(text))
      masters.push_back(config::to_string(address));
    if (masters.empty()) error = "no master address";
  } catch (const config::Error& e) {
    error = e.what();
  }
  return masters;
}

Result<std::unique_ptr<client::Client>> connect(const Options& options,
                                                std::vector<std::string> masters, bool read_only) {
  client::Options client_options{
      .masters = std::move(masters),
      .cluster = options.cluster,
      .ca = options.ca,
      .cert = options.cert,
      .key = options.key,
      .cache_bytes = 0,  // each revision is read or written once
      .timeout = std::chrono::milliseconds(static_cast<std::int64_t>(options.timeout * 1000)),
      .read_only = read_only};
  return client::Client::connect(std::move(client_options));
}

void explain_connect_failure(std::ostream& err, const Options& options, const std::string& masters,
                             std::error_code ec) {
  err << "neomigrate: cannot connect to cluster '" << options.cluster << "' at " << masters << ": "
      << ec.message() << '\n';
  if (ec == errc::protocol_error || ec == errc::denied)
    err << "neomigrate: the master refused this client: is the cluster name (-c) right?\n";
  else
    err << "neomigrate: check that the cluster is running (neoctl print cluster says RUNNING), "
           "the master addresses, the cluster name (-c) and the TLS files\n";
}

int migrate(const Options& options, std::ostream& out, std::ostream& err, Progress::Mode mode) {
  const bool import = std::filesystem::is_regular_file(options.source);
  const std::string& masters_text = import ? options.destination : options.source;
  std::string error;
  std::vector<std::string> masters = masters_of(masters_text, error);
  if (!error.empty()) {
    err << "neomigrate: '" << masters_text << "' is "
        << (import ? "not a master address list"
                   : "neither an existing file nor a master address list")
        << ": " << error << '\n';
    return kExitUsage;
  }
  importer::FileStorage fs;
  if (import) {
    if (fs.open(options.source)) {
      err << "neomigrate: cannot read " << fs.error() << '\n';
      return kExitRefused;
    }
    if (!options.quiet) out << kImportWarning << std::endl;
  } else if (std::filesystem::exists(options.destination)) {
    err << "neomigrate: " << options.destination
        << " exists: neomigrate writes a new FileStorage; remove it or choose another name\n";
    return kExitRefused;
  }
  auto client = connect(options, std::move(masters), !import);
  if (!client) {
    explain_connect_failure(err, options, masters_text, client.error());
    return kExitRefused;
  }
  if (!options.quiet)
    out << "Migrating from " << options.source << " to " << options.destination << std::endl;
  const auto start = std::chrono::steady_clock::now();
  Progress progress(out, mode);
  Result<Tid> last = (*client)->last_transaction();
  if (!last) {
    err << "neomigrate: cannot ask the cluster its last transaction: " << last.error().message()
        << '\n';
    return kExitRefused;
  }
  const int status = import ? copy_fs_to_neo(fs, **client, *last, progress, err)
                            : copy_neo_to_fs(**client, *last, options.destination, progress, err);
  if (status == kExitOk && !options.quiet) {
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    char text[64];
    std::snprintf(text, sizeof text, "Migration done in %3.5f", elapsed);
    out << text << std::endl;
  }
  return status;
}

}  // namespace

int run_neomigrate(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
  CLI::App app{"", argc > 0 ? argv[0] : "neomigrate"};
  Options options;
  add_options(app, options);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) {  // --help
      out << app.help();
      return kExitOk;
    }
    err << "neomigrate: error: " << e.what() << "\nRun with --help for more information.\n";
    return kExitUsage;
  }
  if (std::string error = validate(options); !error.empty()) {
    err << "neomigrate: error: " << error << '\n';
    return kExitUsage;
  }
  try {
    setup_logging(options.logfile);
  } catch (const std::exception& e) {
    err << "neomigrate: cannot open the log " << options.logfile << ": " << e.what() << '\n';
    return kExitUsage;
  }
  Progress::Mode mode = Progress::Mode::lines;
  if (options.quiet)
    mode = Progress::Mode::quiet;
  else if (&out == &std::cout && isatty(STDOUT_FILENO))
    mode = Progress::Mode::bar;
  const int status = migrate(options, out, err, mode);
  log::shutdown();
  return status;
}

}  // namespace neo::neomigrate
