// Options shared by the daemons and tools (spec/config-and-cli.md 1), on
// top of CLI11, with NEO/py's configuration file rules.
//
// add_server_options() adds -f/--file and -s/--section and makes EVERY option
// of the app take its default from that section of the file, including those
// a daemon adds afterwards with plain CLI11: the file key is the long name
// with '-' -> '_' (`dynamic_master_list`), command-line values win, required
// options may come from the file, flags read 1/yes/true/on 0/no/false/off,
// options taking several values (std::vector, repeatable on the command
// line) take one value per line of the file, unknown keys are ignored, and
// an empty value is an error ("value is empty") unless marked AllowEmpty.
//
//   CLI::App app{"NEO storage node", "neostorage"};
//   config::CommonOptions common;  config::ServerOptions server;
//   config::add_common_options(app, common);
//   config::add_server_options(app, server, {.section = "storage", .bind = "127.0.0.1"});
//   app.add_option("-d,--database", opts.database, "...")->required();
//   app.add_flag("--dedup", opts.dedup, "...");
//   app.add_option("--monitor-email", opts.emails, "...");  // repeatable
//   CLI11_PARSE(app, argc, argv);  // errors: message and exit status 2... as CLI11
//
// Only mains and core/daemon include this header.
#pragma once

#include <CLI/CLI.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/config/address.hpp"
#include "core/config/ini_file.hpp"

namespace neo::config {

// Options of every tool (1.1).
struct CommonOptions {
  std::string logfile;         // -l/--logfile: SQLite log database
  std::string ca, cert, key;   // TLS files (PEM), all three or none
  bool tls() const { return !ca.empty(); }
};

// Options of the server nodes (1.2).
struct ServerOptions {
  std::string file;                  // -f/--file
  std::string section;               // -s/--section
  std::string cluster;               // -c/--cluster (required)
  std::vector<Address> masters;      // -m/--masters, unresolved
  Address bind;                      // -b/--bind, unresolved
  std::string dynamic_master_list;   // -D/--dynamic-master-list
};

// Per-program defaults of the server options.
struct ServerDefaults {
  std::string section;   // "master", "storage", "admin"
  std::string masters;   // "" (master: may be empty), else "127.0.0.1:10000"
  std::string bind;      // "127.0.0.1:10000"; a host alone means port 0
};

// Rejects an empty value ("value is empty"), on the command line and in files.
// add_common_options() puts it on every option taking a value, unless the
// option is marked with AllowEmpty.
struct NonEmptyValidator : CLI::Validator {
  NonEmptyValidator();
};
struct AllowEmptyMarker : CLI::Validator {
  AllowEmptyMarker();
};
// Expands "~" and "~user" at the start of a path.
struct ExpandUserTransformer : CLI::Validator {
  ExpandUserTransformer();
};
extern const NonEmptyValidator NonEmpty;
extern const AllowEmptyMarker AllowEmpty;
extern const ExpandUserTransformer ExpandUser;

// Adds an option holding a path: expands "~", rejects empty values.
CLI::Option* add_path_option(CLI::App& app, const std::string& name, std::string& path,
                             const std::string& help);

// Adds -l/--logfile and the TLS options --ca --cert --key; parsing fails
// unless the three TLS files are given together (or none). Also makes every
// option of `app` reject empty values (see reject_empty_values), through
// app.preparse_callback().
void add_common_options(CLI::App& app, CommonOptions& options);

// Adds NonEmpty to every option of `app` (option groups included) that takes
// a value, has a long name and is not marked AllowEmpty.
void reject_empty_values(CLI::App& app);

// Adds -f -s -c -m -b -D and reads defaults of all options from the file.
void add_server_options(CLI::App& app, ServerOptions& options, const ServerDefaults& defaults);

// Throws config::Error unless ca, cert and key are all given or all absent.
void check_tls(const CommonOptions& options);

}  // namespace neo::config
