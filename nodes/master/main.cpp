// neomaster: the NEO master node (thin main; see master_app.hpp).
#include "core/daemon/daemon.hpp"
#include "nodes/master/master_app.hpp"
#include "nodes/master/master_config.hpp"

int main(int argc, char** argv) {
  CLI::App app{"NEO Master node", "neomaster"};
  neo::config::CommonOptions common;
  neo::master::MasterOptions options;
  neo::config::add_common_options(app, common);
  neo::master::add_master_options(app, options);
  return neo::daemon::run(app, common, argc, argv, [&](neo::daemon::Env& env) {
    return neo::master::start_master(env, neo::master::make_config(options));
  });
}
