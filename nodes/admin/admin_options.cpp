#include "nodes/admin/admin_options.hpp"

namespace neo::admin {

void add_admin_options(CLI::App& app, config::CommonOptions& common, AdminConfig& config) {
  config::add_common_options(app, common);
  config::add_server_options(
      app, config.server,
      {.section = "admin", .masters = "127.0.0.1:10000", .bind = "127.0.0.1:9999"});
  const std::string hint = " (the option can be repeated)";
  app.add_option("--monitor-maxlag", config.monitor_maxlag,
                 "warn if a backup cluster is too late at replicating upstream");
  app.add_option("--monitor-email", config.monitor_email,
                 "recipient email for notifications" + hint)
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  app.add_option("--monitor-backup", config.monitor_backup,
                 "name of backup cluster to monitor" + hint)
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  app.add_option("--smtp", config.smtp, "SMTP for email notifications")->type_name("HOST[:PORT]");
  app.add_flag("--smtp-tls", config.smtp_tls, "use STARTTLS");
  app.add_option("--smtp-auth", config.smtp_auth, "SMTP credentials")->type_name("USER:PASS");
  app.add_option("-i,--nid", config.nid,
                 "specify an NID to use for this process (testing purpose)");
}

}  // namespace neo::admin
