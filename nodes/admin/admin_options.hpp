// nodes/admin/admin_options.hpp
// neoadmin's command line and neo.conf section "admin" (spec
// config-and-cli.md 5): the common and server options plus the monitoring
// ones. Email notification is accepted but not implemented yet.
// Used by main.cpp and tests; no I/O.
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/config/options.hpp"

namespace neo::admin {

struct AdminConfig {
  config::ServerOptions server;             // -c -m -b -D -f -s
  double monitor_maxlag = 0.0;              // --monitor-maxlag
  std::vector<std::string> monitor_email;   // --monitor-email (repeatable)
  std::vector<std::string> monitor_backup;  // --monitor-backup (repeatable)
  std::string smtp;                         // --smtp HOST[:PORT]
  bool smtp_tls = false;                    // --smtp-tls
  std::string smtp_auth;                    // --smtp-auth USER:PASS
  std::optional<std::int64_t> nid;          // -i/--nid (raw NodeId value, testing)
};

// Registers every neoadmin option on `app` (common ones included).
void add_admin_options(CLI::App& app, config::CommonOptions& common, AdminConfig& config);

}  // namespace neo::admin
