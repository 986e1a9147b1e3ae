// neoadmin: the NEO admin node (see nodes/admin/README.md, man/neoadmin.8).
#include "core/daemon/daemon.hpp"
#include "nodes/admin/admin_app.hpp"
#include "nodes/admin/admin_options.hpp"

int main(int argc, char** argv) {
  CLI::App app{"NEO Admin node", "neoadmin"};
  neo::config::CommonOptions common;
  neo::admin::AdminConfig config;
  neo::admin::add_admin_options(app, common, config);
  return neo::daemon::run(app, common, argc, argv, [&](neo::daemon::Env& env) {
    return std::shared_ptr<void>(neo::admin::AdminApp::start(env, config));
  });
}
